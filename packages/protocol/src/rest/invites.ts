import { z } from 'zod';
import { intBetween, MAX_INT32, optional } from './common.js';

/** What community, group and registration invites have in common (rest-api.md §7, §8.3, §26.2). */
export const inviteLimits = {
  maxUses: MAX_INT32,
  maxHours: 8760,
  codeMaxLength: 100,
} as const;

/** The body of `POST /api/groups/{id}/invites` and `POST /api/admin/invites`. */
export const createInviteRequest = z.object({
  max_uses: optional(
    z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(inviteLimits.maxUses, `must be at most ${inviteLimits.maxUses}`),
  ),
  expires_in_hours: optional(intBetween(1, inviteLimits.maxHours)),
});
export type CreateInviteRequest = z.input<typeof createInviteRequest>;
export type CreateInviteBody = z.output<typeof createInviteRequest>;

/** An invite's own fields; each kind adds what it admits into (or who made it) with `.extend`. */
export const invite = z.object({
  id: z.string(),
  code: z.string(),
  max_uses: z.number().int().nullable(),
  used_count: z.number().int(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
});
export type Invite = z.infer<typeof invite>;
