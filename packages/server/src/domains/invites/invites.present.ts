import type { Invite } from '@chatalot/protocol';
import type { Selectable } from 'kysely';
import type { InvitesTable } from '../../platform/db/schema.js';

/**
 * An invite on the wire: its own fields, with `extra` (`community_id`, `group_id` or `created_by`)
 * right after the code, where each kind of invite has always carried it.
 */
export function presentInviteWith<E extends object>(invite: Selectable<InvitesTable>, extra: E): Invite & E {
  return {
    id: invite.id,
    code: invite.code,
    ...extra,
    max_uses: invite.max_uses,
    used_count: invite.used_count,
    expires_at: invite.expires_at?.toISOString() ?? null,
    created_at: invite.created_at.toISOString(),
  };
}
