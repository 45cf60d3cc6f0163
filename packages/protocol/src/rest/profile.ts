import { z } from 'zod';
import { optional, text, uuid } from './common.js';

/** Byte limits of the profile fields (rest-api.md §5); every length on the wire is UTF-8 bytes. */
export const profileLimits = {
  displayName: 64,
  customStatus: 128,
  bio: 500,
  pronouns: 50,
  imageUrl: 2048,
} as const;

export const imageUrlPrefixes = ['http://', 'https://', '/api/'] as const;

/**
 * Characters that could end a CSS `url()` or an HTML attribute early, and lone surrogates, which
 * PostgreSQL refuses in JSON; real URLs percent-encode all of them.
 */
const urlBreakout = /[\p{Cc}\p{Cs}\s"'()<>\\]/u;

/** An image address a client may render: http(s) or one of our own `/api/` paths, safe inside CSS. */
export function isImageUrl(url: string): boolean {
  return imageUrlPrefixes.some((prefix) => url.startsWith(prefix)) && !urlBreakout.test(url);
}

/** Every field is optional: absent or null leaves it unchanged, "" clears it (display_name excepted). */
export const updateProfileRequest = z.object({
  display_name: optional(text()),
  avatar_url: optional(text()),
  banner_url: optional(text()),
  custom_status: optional(text()),
  bio: optional(text()),
  pronouns: optional(text()),
});
export type UpdateProfileRequest = z.input<typeof updateProfileRequest>;
export type UpdateProfileBody = z.output<typeof updateProfileRequest>;

export const blockUserRequest = z.object({ user_id: uuid });
export type BlockUserRequest = z.input<typeof blockUserRequest>;

/** One entry of `GET /api/users/blocked`: someone the caller blocked. */
export interface BlockedUser {
  blocked_id: string;
  created_at: string;
}
