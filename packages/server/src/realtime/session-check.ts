import type { Db } from '../platform/db/schema.js';

const CHUNK = 1_000;

/** Of the given sessions, those revoked or whose user is suspended or gone. */
export async function endedSessions(db: Db, sessionIds: readonly string[]): Promise<Set<string>> {
  const ended = new Set(sessionIds);
  for (let start = 0; start < sessionIds.length; start += CHUNK) {
    const rows = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('sessions.id', 'in', sessionIds.slice(start, start + CHUNK))
      .where('sessions.revoked_at', 'is', null)
      .where('users.suspended_at', 'is', null)
      .execute();
    for (const row of rows) ended.delete(row.id);
  }
  return ended;
}
