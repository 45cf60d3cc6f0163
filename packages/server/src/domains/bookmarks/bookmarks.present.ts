import type { Bookmark } from '@chatalot/protocol';
import type { BookmarkRecord } from './bookmarks.repo.js';

/** Bookmark (rest-api.md §1.11). */
export function presentBookmark(bookmark: BookmarkRecord): Bookmark {
  return {
    id: bookmark.id,
    message_id: bookmark.message_id,
    note: bookmark.note,
    created_at: bookmark.created_at.toISOString(),
  };
}
