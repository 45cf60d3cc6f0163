import type { Db } from '../../platform/db/schema.js';

/** Serialises reaction changes on one message, so two concurrent adds cannot pass the distinct-emoji cap. */
export async function lockMessage(db: Db, messageId: string): Promise<void> {
  await db.selectFrom('messages').select('id').where('id', '=', messageId).forUpdate().execute();
}

export async function distinctEmojiCount(
  db: Db,
  messageId: string,
): Promise<{ count: number; has: (emoji: string) => boolean }> {
  const rows = await db
    .selectFrom('reactions')
    .select('emoji')
    .distinct()
    .where('message_id', '=', messageId)
    .execute();
  const emojis = new Set(rows.map((row) => row.emoji));
  return { count: emojis.size, has: (emoji) => emojis.has(emoji) };
}

/** True when the reaction is new. */
export async function insertReaction(
  db: Db,
  messageId: string,
  userId: string,
  emoji: string,
  at: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('reactions')
    .values({ message_id: messageId, user_id: userId, emoji, created_at: at })
    .onConflict((oc) => oc.doNothing())
    .returning('emoji')
    .executeTakeFirst();
  return row !== undefined;
}

/** True when there was such a reaction. */
export async function deleteReaction(
  db: Db,
  messageId: string,
  userId: string,
  emoji: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('reactions')
    .where('message_id', '=', messageId)
    .where('user_id', '=', userId)
    .where('emoji', '=', emoji)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Reactions of each message, grouped by emoji in order of first use. */
export async function reactionsOf(
  db: Db,
  messageIds: readonly string[],
): Promise<Map<string, Array<{ emoji: string; user_ids: string[] }>>> {
  const result = new Map<string, Array<{ emoji: string; user_ids: string[] }>>();
  if (messageIds.length === 0) return result;
  const rows = await db
    .selectFrom('reactions')
    .select(['message_id', 'emoji', 'user_id'])
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    .execute();
  for (const row of rows) {
    const list = result.get(row.message_id) ?? [];
    const group = list.find((entry) => entry.emoji === row.emoji);
    if (group) group.user_ids.push(row.user_id);
    else list.push({ emoji: row.emoji, user_ids: [row.user_id] });
    result.set(row.message_id, list);
  }
  return result;
}
