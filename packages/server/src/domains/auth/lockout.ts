import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';

const MAX_FAILURES = 10;
const LOCK_MS = 15 * 60_000;
/** Failures further apart than this start the count again, so the count decays instead of piling up. */
const WINDOW_MS = 15 * 60_000;

export type LockoutScope = 'login' | 'recover';

const lockedMessage: Record<LockoutScope, (seconds: number) => string> = {
  login: (seconds) => `account temporarily locked, try again in ${seconds} seconds`,
  recover: (seconds) => `too many attempts — try again in ${seconds} seconds`,
};

/**
 * Ten failures within the window lock an account name for 15 minutes. Kept in the database, so a
 * restart or a second server process does not reset it. Names are compared without case.
 */
export class Lockout {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  async assertOpen(scope: LockoutScope, username: string): Promise<void> {
    const row = await this.db
      .selectFrom('auth_failures')
      .select('locked_until')
      .where('key', '=', key(scope, username))
      .executeTakeFirst();
    const remainingMs = (row?.locked_until?.getTime() ?? 0) - this.clock.now();
    if (remainingMs <= 0) return;
    const seconds = Math.ceil(remainingMs / 1000);
    throw new AppError('validation_error', lockedMessage[scope](seconds), { 'retry-after': String(seconds) });
  }

  async recordFailure(scope: LockoutScope, username: string): Promise<void> {
    const now = new Date(this.clock.now());
    const windowStart = new Date(this.clock.now() - WINDOW_MS);
    const lockUntil = new Date(this.clock.now() + LOCK_MS);
    await sql`
      insert into auth_failures as f (key, failures, last_failure_at, locked_until)
      values (${key(scope, username)}, 1, ${now}, null)
      on conflict (key) do update set
        failures = case
          when f.last_failure_at < ${windowStart} then 1
          when f.failures + 1 >= ${MAX_FAILURES} then 0
          else f.failures + 1 end,
        locked_until = case
          when f.last_failure_at >= ${windowStart} and f.failures + 1 >= ${MAX_FAILURES} then ${lockUntil}
          else f.locked_until end,
        last_failure_at = ${now}
    `.execute(this.db);
  }

  async clear(scope: LockoutScope, username: string): Promise<void> {
    await this.db.deleteFrom('auth_failures').where('key', '=', key(scope, username)).execute();
  }
}

function key(scope: LockoutScope, username: string): string {
  return `${scope}:${username.toLowerCase()}`;
}
