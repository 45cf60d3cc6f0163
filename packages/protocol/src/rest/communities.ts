import { z } from 'zod';
import { canonicalUuid, intBetween, optional, text, trimmedText, utf8Length } from './common.js';
import { invite, inviteLimits } from './invites.js';
import { isImageUrl, profileLimits } from './profile.js';
import { memberInfo } from './users.js';

/** Byte limits of community fields (server-behaviour.md §5.4); every length on the wire is UTF-8 bytes. */
export const communityLimits = {
  name: 64,
  description: 2048,
  welcomeMessage: 2000,
  nickname: 64,
  banReason: 500,
  timeoutReason: 500,
  warningReason: 1000,
  minTimeoutSeconds: 60,
  maxTimeoutSeconds: 30 * 24 * 3600,
} as const;

export const communityPolicies = ['everyone', 'moderator', 'admin'] as const;
export const communityRoles = ['owner', 'admin', 'moderator', 'member'] as const;

/** Trimmed text of `min`–`max` UTF-8 bytes. */
const trimmed = (min: number, max: number) => trimmedText(min, max, `must be ${min}-${max} bytes`);

/** At most `max` UTF-8 bytes, not trimmed. */
const bounded = (max: number) =>
  text().refine((value) => utf8Length(value) <= max, `must be at most ${max} bytes`);

/** "" clears the image; anything else must be http(s) or one of our `/api/` paths (rest-api.md §30.4 #7). */
const clearableImageUrl = text().refine(
  (url) => url === '' || (utf8Length(url) <= profileLimits.imageUrl && isImageUrl(url)),
  'must be empty or an http(s) or /api/ URL',
);

const integer = (min: number, max: number) => intBetween(min, max, `must be ${min}-${max}`);

export const createCommunityRequest = z.object({
  name: trimmed(1, communityLimits.name),
  description: optional(trimmed(0, communityLimits.description)),
});
export type CreateCommunityRequest = z.input<typeof createCommunityRequest>;
export type CreateCommunityBody = z.output<typeof createCommunityRequest>;

/**
 * Absent or null leaves a field unchanged and "" clears it, except `community_theme`, where an explicit
 * null clears (rest-api.md §7); the theme's own rules live on the server with the CSS sanitiser.
 */
export const updateCommunityRequest = z.object({
  name: optional(trimmed(1, communityLimits.name)),
  description: optional(trimmed(0, communityLimits.description)),
  icon_url: optional(clearableImageUrl),
  banner_url: optional(clearableImageUrl),
  who_can_create_groups: optional(z.enum(communityPolicies)),
  who_can_create_invites: optional(z.enum(communityPolicies)),
  discoverable: optional(z.boolean()),
  welcome_message: optional(bounded(communityLimits.welcomeMessage)),
  community_theme: z.unknown().optional(),
});
export type UpdateCommunityRequest = z.input<typeof updateCommunityRequest>;
export type UpdateCommunityBody = z.output<typeof updateCommunityRequest>;

export const transferOwnershipRequest = z.object({ new_owner_id: canonicalUuid });
export const setMemberRoleRequest = z.object({ role: z.enum(['member', 'moderator', 'admin']) });
/** Trimmed; "" or null clears the nickname. */
export const setNicknameRequest = z.object({ nickname: optional(trimmed(0, communityLimits.nickname)) });
export const banRequest = z.object({ reason: optional(trimmed(0, communityLimits.banReason)) });

/** The community route words its range errors as `must be 1-8760`, unlike `createInviteRequest`. */
export const createCommunityInviteRequest = z.object({
  max_uses: optional(integer(1, inviteLimits.maxUses)),
  expires_in_hours: optional(integer(1, inviteLimits.maxHours)),
});
export type CreateCommunityInviteBody = z.output<typeof createCommunityInviteRequest>;

export const timeoutRequest = z.object({
  user_id: canonicalUuid,
  duration_seconds: integer(communityLimits.minTimeoutSeconds, communityLimits.maxTimeoutSeconds),
  reason: optional(trimmed(0, communityLimits.timeoutReason)),
});
export type TimeoutBody = z.output<typeof timeoutRequest>;

export const warnRequest = z.object({
  user_id: canonicalUuid,
  reason: trimmed(1, communityLimits.warningReason),
});
export type WarnBody = z.output<typeof warnRequest>;

/** Community (rest-api.md §1.11); `welcome_message` is omitted when empty. */
export const community = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  icon_url: z.string().nullable(),
  owner_id: z.string().nullable(),
  created_at: z.string(),
  member_count: z.number().int(),
  who_can_create_groups: z.enum(communityPolicies),
  who_can_create_invites: z.enum(communityPolicies),
  discoverable: z.boolean(),
  banner_url: z.string().nullable(),
  community_theme: z.record(z.string(), z.string()).nullable(),
  welcome_message: z.string().optional(),
});
export type Community = z.infer<typeof community>;

export const communityMember = memberInfo(z.enum(communityRoles)).extend({ nickname: z.string().nullable() });
export type CommunityMember = z.infer<typeof communityMember>;

export const communityBan = z.object({
  user_id: z.string(),
  username: z.string(),
  display_name: z.string(),
  reason: z.string().nullable(),
  created_at: z.string(),
});
export type CommunityBan = z.infer<typeof communityBan>;

export const communityInvite = invite.extend({ community_id: z.string() });
export type CommunityInvite = z.infer<typeof communityInvite>;

/** `GET /api/community-invites/{code}`: name and description are redacted for undiscoverable communities. */
export const communityInvitePreview = z.object({
  community_name: z.string(),
  community_description: z.string().nullable(),
  member_count: z.number().int(),
  code: z.string(),
});
export type CommunityInvitePreview = z.infer<typeof communityInvitePreview>;

export const acceptCommunityInviteResponse = z.object({
  community_id: z.string(),
  community_name: z.string(),
});
export type AcceptCommunityInviteResponse = z.infer<typeof acceptCommunityInviteResponse>;

/** Timeout (rest-api.md §1.11). */
export const userTimeout = z.object({
  id: z.string(),
  user_id: z.string(),
  channel_id: z.string(),
  issued_by: z.string().nullable(),
  reason: z.string().nullable(),
  expires_at: z.string(),
  created_at: z.string(),
});
export type UserTimeout = z.infer<typeof userTimeout>;

/** Warning (rest-api.md §1.11). */
export const userWarning = z.object({
  id: z.string(),
  user_id: z.string(),
  channel_id: z.string(),
  issued_by: z.string().nullable(),
  reason: z.string(),
  created_at: z.string(),
});
export type UserWarning = z.infer<typeof userWarning>;
