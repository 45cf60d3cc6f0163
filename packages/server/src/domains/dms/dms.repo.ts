import { type Selectable, sql } from 'kysely';
import type { ChannelsTable, Db } from '../../platform/db/schema.js';
import type { UserRecord } from '../users/users.present.js';

export type ChannelRecord = Selectable<ChannelsTable>;

/** A DM pair is stored once, smaller id first (data-model.md §3 `dm_pairs`). */
export interface Pair {
  userA: string;
  userB: string;
}

export function orderedPair(one: string, other: string): Pair {
  return one < other ? { userA: one, userB: other } : { userA: other, userB: one };
}

export function findUser(db: Db, id: string): Promise<UserRecord | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPairChannel(db: Db, pair: Pair): Promise<ChannelRecord | undefined> {
  return db
    .selectFrom('dm_pairs')
    .innerJoin('channels', 'channels.id', 'dm_pairs.channel_id')
    .selectAll('channels')
    .where('dm_pairs.user_a', '=', pair.userA)
    .where('dm_pairs.user_b', '=', pair.userB)
    .executeTakeFirst();
}

export function insertDmChannel(db: Db, id: string, createdBy: string): Promise<ChannelRecord> {
  return db
    .insertInto('channels')
    .values({ id, name: null, channel_type: 'dm', created_by: createdBy, group_id: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** False when the pair already has a channel: a concurrent request created it first. */
export async function insertPair(db: Db, pair: Pair, channelId: string): Promise<boolean> {
  const row = await db
    .insertInto('dm_pairs')
    .values({ user_a: pair.userA, user_b: pair.userB, channel_id: channelId })
    .onConflict((oc) => oc.columns(['user_a', 'user_b']).doNothing())
    .returning('channel_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteChannel(db: Db, channelId: string): Promise<void> {
  await db.deleteFrom('channels').where('id', '=', channelId).execute();
}

/** The user's DM channels with the other side's id, newest pair first. */
export function listDmChannels(db: Db, userId: string): Promise<Array<ChannelRecord & { other_id: string }>> {
  return db
    .selectFrom('dm_pairs')
    .innerJoin('channels', 'channels.id', 'dm_pairs.channel_id')
    .selectAll('channels')
    .select(
      sql<string>`case when dm_pairs.user_a = ${userId} then dm_pairs.user_b else dm_pairs.user_a end`.as(
        'other_id',
      ),
    )
    .where((eb) => eb.or([eb('dm_pairs.user_a', '=', userId), eb('dm_pairs.user_b', '=', userId)]))
    .orderBy('dm_pairs.created_at', 'desc')
    .orderBy('dm_pairs.channel_id', 'desc')
    .execute();
}

export function findUsers(db: Db, ids: readonly string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}
