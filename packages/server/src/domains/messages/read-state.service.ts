import type { ReadCursor, UnreadCount } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { isChannelMember } from './messages.repo.js';
import {
  channelCursors,
  markAllRead,
  sendsReadReceipts,
  unreadCounts,
  upsertCursor,
} from './read-state.repo.js';

/** Read cursors, unread counts and read receipts (websocket.md §6.18–6.19, rest-api.md §9). */
export class ReadStateService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  /** Silently ignored for non-members and for a message of another channel. */
  async markRead(userId: string, channelId: string, messageId: string): Promise<void> {
    if (!(await isChannelMember(this.db, channelId, userId))) return;
    const at = new Date(this.clock.now());
    const announce = await sendsReadReceipts(this.db, userId);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!(await upsertCursor(trx, userId, channelId, messageId, at)) || !announce) return;
      emit(
        frameEvent(
          { kind: 'channel', channelId },
          {
            type: 'read_receipt',
            channel_id: channelId,
            user_id: userId,
            message_id: messageId,
            timestamp: at.toISOString(),
          },
        ),
      );
    });
  }

  markAllRead(userId: string): Promise<void> {
    return markAllRead(this.db, userId, new Date(this.clock.now()));
  }

  unread(userId: string): Promise<UnreadCount[]> {
    return unreadCounts(this.db, userId, new Date(this.clock.now()));
  }

  async cursors(userId: string, channelId: string): Promise<ReadCursor[]> {
    if (!(await isChannelMember(this.db, channelId, userId))) throw new AppError('forbidden');
    return channelCursors(this.db, channelId);
  }
}
