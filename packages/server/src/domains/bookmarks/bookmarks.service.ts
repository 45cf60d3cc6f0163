import type { CreateBookmarkBody } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { UserRecord } from '../users/users.present.js';
import { type BookmarkRecord, deleteBookmark, insertBookmark, listBookmarks } from './bookmarks.repo.js';

/**
 * Private saved messages (rest-api.md §14). A second bookmark of the same message is a 409, where the
 * reference failed with a 500.
 */
export class BookmarksService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
  ) {}

  /** A deleted message can still be bookmarked; the caller must be a member of its channel. */
  async create(user: UserRecord, body: CreateBookmarkBody): Promise<BookmarkRecord> {
    const message = await this.messages.find(body.message_id);
    if (!message) throw new AppError('not_found', 'message not found');
    if (!(await this.messages.isMember(message.channel_id, user.id))) throw new AppError('forbidden');
    const now = this.clock.now();
    const bookmark = await insertBookmark(this.db, {
      id: uuidv7(now),
      user_id: user.id,
      message_id: message.id,
      note: body.note ?? null,
      created_at: new Date(now),
    });
    if (!bookmark) throw new AppError('conflict', 'message is already bookmarked');
    return bookmark;
  }

  list(user: UserRecord, page: { limit: number; offset: number }): Promise<BookmarkRecord[]> {
    return listBookmarks(this.db, user.id, page);
  }

  /** Someone else's bookmark is as missing as one that never existed. */
  async delete(user: UserRecord, id: string): Promise<void> {
    if (!(await deleteBookmark(this.db, user.id, id))) throw new AppError('not_found', 'bookmark not found');
  }
}
