import { sql, type Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import { PollsService } from '../domains/polls/polls.service.js';
import type { Schema } from '../platform/db/schema.js';

/** Only one server process closes expired polls at a time; the others skip that round. */
export const POLL_EXPIRY_LOCK_ID = 0x504f4c4c;
export const POLL_EXPIRY_INTERVAL_MS = 30_000;

/**
 * Closes the polls whose time ran out and announces `poll_closed` for each; returns how many, or null
 * when another process holds the lock.
 */
export function runPollExpiry({ db, hub, clock }: Pick<AppContext, 'db' | 'hub' | 'clock'>) {
  return new PollsService(db, hub, clock).closeExpired(async (trx: Transaction<Schema>) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${POLL_EXPIRY_LOCK_ID}) as locked`.execute(trx);
    return rows[0]?.locked === true;
  });
}
