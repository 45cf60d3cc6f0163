import { type Selectable, sql } from 'kysely';
import type { ChannelRole, Db, MessagesTable } from '../../platform/db/schema.js';

/** A stored message; the search vector stays in the database. */
export type MessageRecord = Omit<Selectable<MessagesTable>, 'search_vector'>;

/** The columns of a `MessageRecord`, for queries that read messages back. */
export const messageColumns = [
  'id',
  'channel_id',
  'sender_id',
  'client_id',
  'ciphertext',
  'nonce',
  'message_type',
  'sender_key_id',
  'reply_to_id',
  'thread_id',
  'plaintext',
  'search_text',
  'expires_at',
  'edited_at',
  'deleted_at',
  'quarantined_at',
  'quarantined_by',
  'created_at',
] as const satisfies ReadonlyArray<keyof MessageRecord>;

/** Everything the send path checks about one (channel, sender); absent when the sender is not a member. */
export interface SendContext {
  channelId: string;
  channelType: 'text' | 'voice' | 'dm' | 'gallery';
  readOnly: boolean;
  archived: boolean;
  slowModeSeconds: number;
  messageTtlSeconds: number | null;
  role: ChannelRole;
  isOwner: boolean;
  isAdmin: boolean;
  timeoutUntil: Date | null;
  lastSent: Date | null;
  e2eEnabled: boolean;
}

export interface SendKey {
  channelId: string;
  userId: string;
}

/** The send contexts of many (channel, sender) pairs in one query, in the order of `keys`. */
export async function loadSendContexts(
  db: Db,
  keys: readonly SendKey[],
  now: Date,
): Promise<Array<SendContext | undefined>> {
  const { rows } = await sql<SendContext & { userId: string }>`
    select m.user_id as "userId", c.id as "channelId", c.channel_type as "channelType", c.read_only as "readOnly", c.archived,
      c.slow_mode_seconds as "slowModeSeconds", c.message_ttl_seconds as "messageTtlSeconds", m.role,
      u.is_owner as "isOwner", u.is_admin as "isAdmin",
      (select max(t.expires_at) from user_timeouts t
        where t.channel_id = c.id and t.user_id = m.user_id and t.expires_at > ${now}) as "timeoutUntil",
      (select s.last_sent from channel_slowmode s
        where s.channel_id = c.id and s.user_id = m.user_id) as "lastSent",
      coalesce((select value::text from instance_settings where key = 'e2e_enabled'), 'true')
        not in ('false', '"false"') as "e2eEnabled"
    from unnest(${keys.map((key) => key.channelId)}::uuid[], ${keys.map((key) => key.userId)}::uuid[])
      as k(channel_id, user_id)
    join channel_members m on m.channel_id = k.channel_id and m.user_id = k.user_id
    join channels c on c.id = m.channel_id
    join users u on u.id = m.user_id`.execute(db);
  const found = new Map(rows.map(({ userId, ...context }) => [`${context.channelId}:${userId}`, context]));
  return keys.map((key) => found.get(`${key.channelId}:${key.userId}`));
}

export function findMessage(db: Db, id: string): Promise<MessageRecord | undefined> {
  return db.selectFrom('messages').select(messageColumns).where('id', '=', id).executeTakeFirst();
}

export function findByClientId(
  db: Db,
  senderId: string,
  clientId: string,
): Promise<MessageRecord | undefined> {
  return db
    .selectFrom('messages')
    .select(messageColumns)
    .where('sender_id', '=', senderId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

/**
 * Inserts new messages in one statement whose text does not depend on their number (one array per column);
 * returns the ids inserted: a message whose sender already used its client id is skipped.
 */
export async function insertMessages(db: Db, messages: readonly MessageRecord[]): Promise<Set<string>> {
  const column = <K extends keyof MessageRecord>(key: K) => messages.map((message) => message[key]);
  const { rows } = await sql<{ id: string }>`
    insert into messages (id, channel_id, sender_id, client_id, ciphertext, nonce, message_type,
      sender_key_id, reply_to_id, thread_id, search_text, expires_at, created_at)
    select * from unnest(${column('id')}::uuid[], ${column('channel_id')}::uuid[], ${column('sender_id')}::uuid[],
      ${column('client_id')}::text[], ${column('ciphertext')}::bytea[], ${column('nonce')}::bytea[],
      ${column('message_type')}::text[], ${column('sender_key_id')}::uuid[], ${column('reply_to_id')}::uuid[],
      ${column('thread_id')}::uuid[], ${column('search_text')}::text[], ${column('expires_at')}::timestamptz[],
      ${column('created_at')}::timestamptz[])
    on conflict (sender_id, client_id) where client_id is not null do nothing
    returning id`.execute(db);
  return new Set(rows.map((row) => row.id));
}

export async function hasOtherLiveMessage(db: Db, channelId: string, exceptId: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('channel_id', '=', channelId)
    .where('id', '<>', exceptId)
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function touchSlowMode(
  db: Db,
  sends: Array<{ channel_id: string; user_id: string; last_sent: Date }>,
) {
  if (sends.length === 0) return;
  await db
    .insertInto('channel_slowmode')
    .values(sends)
    .onConflict((oc) =>
      oc
        .columns(['channel_id', 'user_id'])
        .doUpdateSet((eb) => ({ last_sent: eb.ref('excluded.last_sent') })),
    )
    .execute();
}

/** The other member of a DM channel, and whether either blocked the other. */
export async function dmPeer(
  db: Db,
  channelId: string,
  userId: string,
): Promise<{ peerId: string; blocked: boolean } | undefined> {
  const { rows } = await sql<{ peerId: string; blocked: boolean }>`
    select case when p.user_a = ${userId} then p.user_b else p.user_a end as "peerId",
      exists (select 1 from user_blocks b
        where (b.blocker_id = p.user_a and b.blocked_id = p.user_b)
           or (b.blocker_id = p.user_b and b.blocked_id = p.user_a)) as blocked
    from dm_pairs p where p.channel_id = ${channelId}`.execute(db);
  return rows[0];
}

export async function saveEdit(db: Db, message: MessageRecord, editId: string, at: Date): Promise<void> {
  await db
    .insertInto('message_edits')
    .values({
      id: editId,
      message_id: message.id,
      old_ciphertext: message.ciphertext,
      old_nonce: message.nonce,
      edited_at: at,
    })
    .execute();
}

export function updateContent(
  db: Db,
  id: string,
  authorId: string,
  content: { ciphertext: Buffer; nonce: Buffer; search_text: string | null; edited_at: Date },
): Promise<MessageRecord | undefined> {
  return db
    .updateTable('messages')
    .set(content)
    .where('id', '=', id)
    .where('sender_id', '=', authorId)
    .where('deleted_at', 'is', null)
    .returning(messageColumns)
    .executeTakeFirst();
}

export async function softDelete(db: Db, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ deleted_at: at, search_text: null })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function isChannelMember(db: Db, channelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('channel_members')
    .select('user_id')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
