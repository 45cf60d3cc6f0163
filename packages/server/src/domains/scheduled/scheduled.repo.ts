import { type Insertable, type Selectable, sql } from 'kysely';
import type { Db, ScheduledMessagesTable } from '../../platform/db/schema.js';

export type ScheduledRecord = Selectable<ScheduledMessagesTable>;

/** First key of the advisory locks below; the second is a hash of the user or item id. */
const SCHEDULE_LOCK = 0x5343_4844;
const DELIVERY_LOCK = 0x5343_4456;

export function insertScheduled(
  db: Db,
  values: Insertable<ScheduledMessagesTable>,
): Promise<ScheduledRecord> {
  return db.insertInto('scheduled_messages').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Serialises one user's scheduling until the transaction ends, so that the pending cap holds. */
export async function lockUserSchedule(db: Db, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${SCHEDULE_LOCK}, hashtext(${userId}))`.execute(db);
}

export async function countPending(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('scheduled_messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function listPending(db: Db, userId: string, limit: number): Promise<ScheduledRecord[]> {
  return db
    .selectFrom('scheduled_messages')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('scheduled_for')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function deleteOwned(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('scheduled_messages')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteScheduled(db: Db, id: string): Promise<void> {
  await db.deleteFrom('scheduled_messages').where('id', '=', id).execute();
}

/** Ids of the items due at `now`, oldest first. */
export async function listDueIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('scheduled_messages')
    .select('id')
    .where('scheduled_for', '<=', now)
    .orderBy('scheduled_for')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export function findScheduled(db: Db, id: string): Promise<ScheduledRecord | undefined> {
  return db.selectFrom('scheduled_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The item, if it still exists and no other transaction holds its delivery lock; the lock is then held
 * until `trx` ends (or its connection dies with the process).
 */
export async function claimScheduled(trx: Db, id: string): Promise<ScheduledRecord | undefined> {
  const { rows } = await sql<ScheduledRecord>`
    select * from scheduled_messages
    where id = ${id} and pg_try_advisory_xact_lock(${DELIVERY_LOCK}, hashtext(id::text))`.execute(trx);
  return rows[0];
}

export interface DeliveryBlockers {
  suspended: boolean;
  readOnly: boolean;
  timedOut: boolean;
}

/** What drops a delivery whatever the author's role; undefined when the author or the channel is gone. */
export async function loadDeliveryBlockers(
  db: Db,
  userId: string,
  channelId: string,
  now: Date,
): Promise<DeliveryBlockers | undefined> {
  const { rows } = await sql<DeliveryBlockers>`
    select u.suspended_at is not null as suspended, c.read_only as "readOnly",
      exists (select 1 from user_timeouts t
        where t.user_id = u.id and t.channel_id = c.id and t.expires_at > ${now}) as "timedOut"
    from users u, channels c
    where u.id = ${userId} and c.id = ${channelId}`.execute(db);
  return rows[0];
}
