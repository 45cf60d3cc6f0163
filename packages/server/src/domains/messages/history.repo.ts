import type { ExpressionBuilder } from 'kysely';
import type { Db, Schema } from '../../platform/db/schema.js';
import { type MessageRecord, messageColumns } from './messages.repo.js';

/** Not deleted, not quarantined, not expired: what history, threads and search show (rest-api.md §10). */
function visible(now: Date) {
  return (eb: ExpressionBuilder<Schema, 'messages'>) =>
    eb.and([
      eb('deleted_at', 'is', null),
      eb('quarantined_at', 'is', null),
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]),
    ]);
}

export interface Position {
  created_at: Date;
  id: string;
}

export async function positionIn(
  db: Db,
  channelId: string,
  messageId: string,
): Promise<Position | undefined> {
  return db
    .selectFrom('messages')
    .select(['created_at', 'id'])
    .where('id', '=', messageId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
}

/** Newest first, strictly before `before` in (created_at, id) order, so pages never overlap or skip. */
export function historyPage(
  db: Db,
  channelId: string,
  page: { before: Position | null; limit: number; rootOnly: boolean; now: Date },
): Promise<MessageRecord[]> {
  let query = db
    .selectFrom('messages')
    .select(messageColumns)
    .where('channel_id', '=', channelId)
    .where(visible(page.now));
  if (page.before) {
    const { created_at, id } = page.before;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(created_at, id)));
  }
  if (page.rootOnly) query = query.where('thread_id', 'is', null);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

/** The `limit` replies just before `before` (or the first ones), oldest first. */
export async function threadPage(
  db: Db,
  rootId: string,
  page: { before: Position | null; limit: number; now: Date },
): Promise<MessageRecord[]> {
  let query = db
    .selectFrom('messages')
    .select(messageColumns)
    .where('thread_id', '=', rootId)
    .where(visible(page.now));
  if (page.before === null) return query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
  const { created_at, id } = page.before;
  query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(created_at, id)));
  const newestFirst = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
  return newestFirst.reverse();
}

export interface ThreadStats {
  count: number;
  lastReplyAt: Date;
}

export async function threadStats(
  db: Db,
  rootIds: readonly string[],
  now: Date,
): Promise<Map<string, ThreadStats>> {
  const stats = new Map<string, ThreadStats>();
  if (rootIds.length === 0) return stats;
  const rows = await db
    .selectFrom('messages')
    .select((eb) => ['thread_id', eb.fn.countAll<number>().as('count'), eb.fn.max('created_at').as('last')])
    .where('thread_id', 'in', rootIds)
    .where(visible(now))
    .groupBy('thread_id')
    .execute();
  for (const row of rows) {
    if (row.thread_id !== null)
      stats.set(row.thread_id, { count: Number(row.count), lastReplyAt: new Date(row.last) });
  }
  return stats;
}

export function editsOf(db: Db, messageId: string) {
  return db
    .selectFrom('message_edits')
    .select(['id', 'old_ciphertext', 'old_nonce', 'edited_at'])
    .where('message_id', '=', messageId)
    .orderBy('edited_at')
    .orderBy('id')
    .execute();
}
