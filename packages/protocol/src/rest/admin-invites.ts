import { z } from 'zod';
import { invite } from './invites.js';

/** RegistrationInvite (rest-api.md §1.11): a server-wide invite for `invite_only` registration. */
export const registrationInvite = invite.extend({ created_by: z.string().nullable() });
export type RegistrationInvite = z.infer<typeof registrationInvite>;
