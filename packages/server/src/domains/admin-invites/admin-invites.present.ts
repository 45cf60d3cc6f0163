import type { RegistrationInvite } from '@chatalot/protocol';
import type { InviteRecord } from './admin-invites.repo.js';

export function presentInvite(invite: InviteRecord): RegistrationInvite {
  return {
    id: invite.id,
    code: invite.code,
    created_by: invite.created_by,
    max_uses: invite.max_uses,
    used_count: invite.used_count,
    expires_at: invite.expires_at?.toISOString() ?? null,
    created_at: invite.created_at.toISOString(),
  };
}
