import type { Insertable, Selectable } from 'kysely';
import type { Db, PollsTable, PollVotesTable } from '../../platform/db/schema.js';

export type PollRecord = Selectable<PollsTable>;
export type VoteRecord = Pick<Selectable<PollVotesTable>, 'poll_id' | 'option_index' | 'user_id'>;

/** With `lock`, the row stays locked until the transaction ends, which serialises votes and closing. */
export function findPoll(db: Db, id: string, lock = false): Promise<PollRecord | undefined> {
  const query = db.selectFrom('polls').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function insertPoll(db: Db, values: Insertable<PollsTable>): Promise<PollRecord> {
  return db.insertInto('polls').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Newest first. */
export function listChannelPolls(db: Db, channelId: string): Promise<PollRecord[]> {
  return db
    .selectFrom('polls')
    .selectAll()
    .where('channel_id', '=', channelId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The votes on these polls, each option's in the order they were cast. */
export async function listVotes(db: Db, pollIds: readonly string[]): Promise<VoteRecord[]> {
  if (pollIds.length === 0) return [];
  return db
    .selectFrom('poll_votes')
    .select(['poll_id', 'option_index', 'user_id'])
    .where('poll_id', 'in', pollIds)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
}

/** False when the vote was already there. */
export async function addVote(db: Db, vote: Insertable<PollVotesTable>): Promise<boolean> {
  const row = await db
    .insertInto('poll_votes')
    .values(vote)
    .onConflict((oc) => oc.columns(['poll_id', 'user_id', 'option_index']).doNothing())
    .returning('option_index')
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes the user's votes on the poll (only on `optionIndex` when given); returns the removed options. */
export async function removeVotes(
  db: Db,
  pollId: string,
  userId: string,
  optionIndex?: number,
): Promise<number[]> {
  let query = db.deleteFrom('poll_votes').where('poll_id', '=', pollId).where('user_id', '=', userId);
  if (optionIndex !== undefined) query = query.where('option_index', '=', optionIndex);
  const rows = await query.returning('option_index').execute();
  return rows.map((row) => row.option_index).sort((a, b) => a - b);
}

/** Closes the poll; false when it was closed already. */
export async function markClosed(db: Db, pollId: string): Promise<boolean> {
  const result = await db
    .updateTable('polls')
    .set({ closed: true })
    .where('id', '=', pollId)
    .where('closed', '=', false)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Closes every open poll whose time ran out by `now`; returns the ones it closed. */
export function closeExpiredPolls(db: Db, now: Date): Promise<Array<Pick<PollRecord, 'id' | 'channel_id'>>> {
  return db
    .updateTable('polls')
    .set({ closed: true })
    .where('closed', '=', false)
    .where('expires_at', '<=', now)
    .returning(['id', 'channel_id'])
    .execute();
}
