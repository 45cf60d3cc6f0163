import type { RegistrationInvite } from '@chatalot/protocol';
import type { InviteRecord } from '../invites/invite-codes.js';
import { presentInviteWith } from '../invites/invites.present.js';

export function presentInvite(invite: InviteRecord<'registration_invites'>): RegistrationInvite {
  return presentInviteWith(invite, { created_by: invite.created_by });
}
