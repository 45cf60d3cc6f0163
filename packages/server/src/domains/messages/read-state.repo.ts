import type { ReadCursor, UnreadCount } from '@chatalot/protocol';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/schema.js';

/** Moves the cursor; false when the message is not a message of that channel. */
export async function upsertCursor(db: Db, userId: string, channelId: string, messageId: string, at: Date) {
  const { rows } = await sql<{ user_id: string }>`
    insert into read_cursors (user_id, channel_id, last_read_message_id, last_read_at)
    select ${userId}, ${channelId}, id, ${at} from messages where id = ${messageId} and channel_id = ${channelId}
    on conflict (user_id, channel_id)
      do update set last_read_message_id = excluded.last_read_message_id, last_read_at = excluded.last_read_at
    returning user_id`.execute(db);
  return rows.length > 0;
}

/** Every channel of the user read up to its newest visible message, in one statement. */
export async function markAllRead(db: Db, userId: string, at: Date): Promise<void> {
  await sql`
    insert into read_cursors (user_id, channel_id, last_read_message_id, last_read_at)
    select ${userId}, m.channel_id, newest.id, ${at}
    from channel_members m
    cross join lateral (
      select id from messages
      where channel_id = m.channel_id and deleted_at is null
      order by created_at desc, id desc limit 1
    ) newest
    where m.user_id = ${userId}
    on conflict (user_id, channel_id)
      do update set last_read_message_id = excluded.last_read_message_id, last_read_at = excluded.last_read_at`.execute(
    db,
  );
}

/** Unread messages per channel: visible, from someone else, after the cursor (rest-api.md §9). */
export async function unreadCounts(db: Db, userId: string, now: Date): Promise<UnreadCount[]> {
  const { rows } = await sql<UnreadCount>`
    select m.channel_id, count(msg.id)::int as unread_count
    from channel_members m
    left join read_cursors rc on rc.user_id = m.user_id and rc.channel_id = m.channel_id
    left join messages last on last.id = rc.last_read_message_id
    join messages msg on msg.channel_id = m.channel_id
    where m.user_id = ${userId}
      and msg.deleted_at is null and msg.quarantined_at is null
      and (msg.expires_at is null or msg.expires_at > ${now})
      and msg.sender_id is not null and msg.sender_id <> ${userId}
      and (last.id is null or (msg.created_at, msg.id) > (last.created_at, last.id))
    group by m.channel_id
    order by m.channel_id`.execute(db);
  return rows;
}

/** Cursors of the channel's current members. */
export async function channelCursors(db: Db, channelId: string): Promise<ReadCursor[]> {
  const rows = await db
    .selectFrom('read_cursors as rc')
    .innerJoin('channel_members as m', (join) =>
      join.onRef('m.channel_id', '=', 'rc.channel_id').onRef('m.user_id', '=', 'rc.user_id'),
    )
    .select(['rc.user_id', 'rc.last_read_message_id', 'rc.last_read_at'])
    .where('rc.channel_id', '=', channelId)
    .orderBy('rc.last_read_at', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, last_read_at: row.last_read_at.toISOString() }));
}

/** Whether the user lets others see that they read a channel (preference `sendReadReceipts`). */
export async function sendsReadReceipts(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('preferences').where('id', '=', userId).executeTakeFirst();
  return row?.preferences.sendReadReceipts !== false;
}
