import { z } from 'zod';
import { byteArray, optional, text } from './common.js';
import type { UserPublic } from './users.js';

export const registerRequest = z.object({
  username: text(256),
  email: text(1024),
  password: text(1024),
  display_name: text(1024),
  identity_key: byteArray,
  signed_prekey: z.object({ key_id: z.number().int(), public_key: byteArray, signature: byteArray }),
  one_time_prekeys: z.array(z.object({ key_id: z.number().int(), public_key: byteArray })).max(1000),
  invite_code: optional(text(256)),
});
/** What a client sends. */
export type RegisterRequest = z.input<typeof registerRequest>;
/** What the server works with after validation. */
export type RegisterBody = z.output<typeof registerRequest>;

export const loginRequest = z.object({
  username: text(256),
  password: text(1024),
  totp_code: optional(text(64)),
});
export type LoginRequest = z.input<typeof loginRequest>;
export type LoginBody = z.output<typeof loginRequest>;

export const refreshRequest = z.object({ refresh_token: text(256) });

export const recoverRequest = z.object({
  username: text(256),
  recovery_code: text(256),
  new_password: text(1024),
});

export interface AuthResponse {
  access_token: string;
  refresh_token: string;
  user: UserPublic;
  recovery_code?: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

export interface AuthConfigResponse {
  registration_mode: 'open' | 'invite_only' | 'closed';
  public_url?: string;
  ice_servers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  max_messages_cache: number;
  max_pins_per_channel: number;
  e2e_enabled: boolean;
}
