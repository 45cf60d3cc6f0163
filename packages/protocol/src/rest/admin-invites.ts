import { z } from 'zod';
import { optional } from './common.js';

/** Largest value of the `integer` column `max_uses`. */
const MAX_INT32 = 2_147_483_647;
const HOURS_PER_YEAR = 8760;

export const createRegistrationInviteRequest = z.object({
  max_uses: optional(
    z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(MAX_INT32, `must be at most ${MAX_INT32}`),
  ),
  expires_in_hours: optional(
    z
      .number()
      .int('must be an integer')
      .min(1, `must be between 1 and ${HOURS_PER_YEAR}`)
      .max(HOURS_PER_YEAR, `must be between 1 and ${HOURS_PER_YEAR}`),
  ),
});
export type CreateRegistrationInviteRequest = z.input<typeof createRegistrationInviteRequest>;
export type CreateRegistrationInviteBody = z.output<typeof createRegistrationInviteRequest>;

/** RegistrationInvite (rest-api.md §1.11): a server-wide invite for `invite_only` registration. */
export const registrationInvite = z.object({
  id: z.string(),
  code: z.string(),
  created_by: z.string().nullable(),
  max_uses: z.number().int().nullable(),
  used_count: z.number().int(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
});
export type RegistrationInvite = z.infer<typeof registrationInvite>;
