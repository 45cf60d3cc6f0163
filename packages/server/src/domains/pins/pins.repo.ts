import type { Insertable, Selectable } from 'kysely';
import type { Db, MessagesTable, PinnedMessagesTable } from '../../platform/db/schema.js';

export type PinRecord = Selectable<PinnedMessagesTable>;
export type PinnedMessageRecord = Selectable<MessagesTable> & Pick<PinRecord, 'pinned_by' | 'pinned_at'>;

/** The channel's pins whose message readers still see: not deleted, quarantined or expired. */
function visiblePins(db: Db, channelId: string, now: Date) {
  return db
    .selectFrom('pinned_messages as p')
    .innerJoin('messages as m', 'm.id', 'p.message_id')
    .where('p.channel_id', '=', channelId)
    .where('m.deleted_at', 'is', null)
    .where('m.quarantined_at', 'is', null)
    .where((eb) => eb.or([eb('m.expires_at', 'is', null), eb('m.expires_at', '>', now)]));
}

/** Most recently pinned first. */
export function listPins(db: Db, channelId: string, now: Date): Promise<PinnedMessageRecord[]> {
  return visiblePins(db, channelId, now)
    .selectAll('m')
    .select(['p.pinned_by', 'p.pinned_at'])
    .orderBy('p.pinned_at', 'desc')
    .orderBy('p.message_id', 'desc')
    .execute();
}

export async function countPins(db: Db, channelId: string, now: Date): Promise<number> {
  const row = await visiblePins(db, channelId, now)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function isPinned(db: Db, messageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pinned_messages')
    .select('message_id')
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Locks the channel row until the transaction ends, so that concurrent pins cannot pass the cap together. */
export async function lockChannel(db: Db, channelId: string): Promise<void> {
  await db.selectFrom('channels').select('id').where('id', '=', channelId).forUpdate().execute();
}

export async function insertPin(db: Db, pin: Insertable<PinnedMessagesTable>): Promise<void> {
  await db.insertInto('pinned_messages').values(pin).execute();
}

/** False when the message is not pinned in this channel. */
export async function deletePin(db: Db, channelId: string, messageId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('pinned_messages')
    .where('message_id', '=', messageId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The stored `max_pins_per_channel`, unparsed; undefined when never set. */
export async function findPinCapSetting(db: Db): Promise<unknown> {
  const row = await db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', 'max_pins_per_channel')
    .executeTakeFirst();
  return row?.value;
}
