import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { uuidv7 } from '../../platform/ids.js';

/** Who did something and from where, as recorded in the audit log. */
export interface Actor {
  userId: string | null;
  ip: string;
  userAgent: string | null;
}

export type AuditAction =
  | 'register'
  | 'login'
  | 'login_failed'
  | 'login_failed_2fa'
  | 'login_backup_code_used'
  | 'logout_all'
  | 'password_changed'
  | 'recovery_code_regenerated'
  | 'account_recovered'
  | 'account_deleted'
  | 'session_revoked'
  | 'refresh_token_reused'
  | 'registration_invite_created'
  | 'community_kick'
  | 'community_ban'
  | 'community_unban'
  | 'timeout_removed'
  | 'channel_kick'
  | 'channel_ban'
  | 'channel_unban'
  | 'channel_deleted'
  | 'group_deleted'
  | 'registration_invite_deleted';

export async function recordAudit(
  db: Kysely<Schema> | Transaction<Schema>,
  action: AuditAction,
  actor: Actor,
  metadata?: Record<string, unknown>,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: uuidv7(),
      user_id: actor.userId,
      action,
      ip_address: actor.ip,
      user_agent: actor.userAgent?.slice(0, 512) ?? null,
      metadata: metadata ? JSON.stringify(metadata) : null,
    })
    .execute();
}
