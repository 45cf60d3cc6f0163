import { type Kysely, sql } from 'kysely';
import { pruneSignedPrekeys } from '../domains/keys/keys.service.js';
import type { Clock } from '../platform/clock.js';
import type { Schema } from '../platform/db/schema.js';
import { pruneEventLog } from '../platform/events/event-log.js';

/** Only one server process cleans up at a time; the others skip that round. */
export const CLEANUP_LOCK_ID = 0x434c4e55;
const DAY_MS = 24 * 3600_000;

export interface CleanupCounts {
  sessions: number;
  authFailures: number;
  auditLog: number;
  timeouts: number;
  usedPrekeys: number;
  supersededSignedPrekeys: number;
  channelEvents: number;
  deletedMessages: number;
  expiredMessages: number;
}

/**
 * Deletes what has outlived its use (server-behaviour.md §4): sessions ended or expired over 7 days
 * ago (with their refresh tokens), idle lockout counters, audit entries older than 90 days, expired
 * timeouts, one-time prekeys used over 30 days ago, signed prekeys replaced over 30 days ago (never a
 * user's newest), channel events past the resume window, messages deleted over 30 days ago (their
 * replies and thread replies stay, pointing nowhere) and expired messages. Returns null when another
 * process holds the lock.
 */
export async function runCleanup(db: Kysely<Schema>, clock: Clock): Promise<CleanupCounts | null> {
  const now = clock.now();
  const weekAgo = new Date(now - 7 * DAY_MS);
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${CLEANUP_LOCK_ID}) as locked`.execute(trx);
    if (!rows[0]?.locked) return null;
    const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
    return {
      sessions: deleted(
        await trx
          .deleteFrom('sessions')
          .where((eb) => eb.or([eb('revoked_at', '<', weekAgo), eb('expires_at', '<', weekAgo)]))
          .executeTakeFirst(),
      ),
      authFailures: deleted(
        await trx
          .deleteFrom('auth_failures')
          .where('last_failure_at', '<', new Date(now - DAY_MS))
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', new Date(now))]))
          .executeTakeFirst(),
      ),
      auditLog: deleted(
        await trx
          .deleteFrom('audit_log')
          .where('created_at', '<', new Date(now - 90 * DAY_MS))
          .executeTakeFirst(),
      ),
      timeouts: deleted(
        await trx.deleteFrom('user_timeouts').where('expires_at', '<', new Date(now)).executeTakeFirst(),
      ),
      usedPrekeys: deleted(
        await trx
          .deleteFrom('one_time_prekeys')
          .where('used', '=', true)
          .where('created_at', '<', new Date(now - 30 * DAY_MS))
          .executeTakeFirst(),
      ),
      supersededSignedPrekeys: await pruneSignedPrekeys(trx, now),
      channelEvents: await pruneEventLog(trx, now),
      deletedMessages: deleted(
        await trx
          .deleteFrom('messages')
          .where('deleted_at', '<', new Date(now - 30 * DAY_MS))
          .executeTakeFirst(),
      ),
      expiredMessages: deleted(
        await trx.deleteFrom('messages').where('expires_at', '<', new Date(now)).executeTakeFirst(),
      ),
    };
  });
}
