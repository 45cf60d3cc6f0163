import type { Insertable, Selectable } from 'kysely';
import type { BookmarksTable, Db } from '../../platform/db/schema.js';

export type BookmarkRecord = Selectable<BookmarksTable>;

/** Undefined when the user has bookmarked this message already. */
export function insertBookmark(
  db: Db,
  values: Insertable<BookmarksTable>,
): Promise<BookmarkRecord | undefined> {
  return db
    .insertInto('bookmarks')
    .values(values)
    .onConflict((oc) => oc.columns(['user_id', 'message_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Newest first. */
export function listBookmarks(
  db: Db,
  userId: string,
  page: { limit: number; offset: number },
): Promise<BookmarkRecord[]> {
  return db
    .selectFrom('bookmarks')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** False when the user has no bookmark with this id. */
export async function deleteBookmark(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('bookmarks')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
