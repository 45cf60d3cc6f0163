import type { HistoryQuery, Message, MessageEdit, ThreadQuery } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import {
  editsOf,
  historyPage,
  positionIn,
  type ThreadStats,
  threadPage,
  threadStats,
} from './history.repo.js';
import { bytes, presentMessage } from './messages.present.js';
import { findMessage, isChannelMember, type MessageRecord } from './messages.repo.js';
import { reactionsOf } from './reactions.repo.js';

/** Reading messages back: history, threads, edit history (rest-api.md §10); channel members only. */
export class HistoryService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  /** The membership check, the `before` lookup, and later the reactions and thread counters run side by side. */
  async history(userId: string, channelId: string, query: HistoryQuery): Promise<Message[]> {
    const [member, before] = await Promise.all([
      isChannelMember(this.db, channelId, userId),
      query.before ? positionIn(this.db, channelId, query.before) : null,
    ]);
    if (!member) throw new AppError('forbidden');
    if (before === undefined) return [];
    const now = new Date(this.clock.now());
    const page = await historyPage(this.db, channelId, {
      before,
      limit: query.limit,
      rootOnly: query.root_only,
      now,
    });
    return this.present(page, true);
  }

  async thread(userId: string, channelId: string, rootId: string, query: ThreadQuery): Promise<Message[]> {
    await this.assertMember(userId, channelId);
    const root = await findMessage(this.db, rootId);
    if (!root || root.channel_id !== channelId) throw new AppError('not_found', 'thread root not found');
    const before = query.before ? await positionIn(this.db, channelId, query.before) : null;
    if (before === undefined) return [];
    const now = new Date(this.clock.now());
    return this.present(await threadPage(this.db, root.id, { before, limit: query.limit, now }), false);
  }

  async edits(userId: string, channelId: string, messageId: string): Promise<MessageEdit[]> {
    await this.assertMember(userId, channelId);
    const message = await findMessage(this.db, messageId);
    if (!message || message.channel_id !== channelId) throw new AppError('not_found', 'message not found');
    const rows = await editsOf(this.db, message.id);
    return rows.map((row) => ({
      id: row.id,
      old_ciphertext: bytes(row.old_ciphertext),
      old_nonce: bytes(row.old_nonce),
      edited_at: row.edited_at.toISOString(),
    }));
  }

  private async present(messages: MessageRecord[], withThreads: boolean): Promise<Message[]> {
    const ids = messages.map((message) => message.id);
    const [reactions, threads] = await Promise.all([
      reactionsOf(this.db, ids),
      withThreads ? threadStats(this.db, ids, new Date(this.clock.now())) : new Map<string, ThreadStats>(),
    ]);
    return messages.map((message) => {
      const stats = threads.get(message.id);
      return presentMessage(message, {
        reactions: reactions.get(message.id) ?? [],
        ...(stats && { threadReplyCount: stats.count, threadLastReplyAt: stats.lastReplyAt }),
      });
    });
  }

  private async assertMember(userId: string, channelId: string): Promise<void> {
    if (!(await isChannelMember(this.db, channelId, userId))) throw new AppError('forbidden');
  }
}
