import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid, WsError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import type { SharedState } from '../../realtime/shared-state.js';
import { findMessage, isChannelMember, type MessageRecord } from './messages.repo.js';
import { deleteReaction, distinctEmojiCount, insertReaction, lockMessage } from './reactions.repo.js';

/** Distinct emoji per message, and the per-user pause between two added reactions (websocket.md §3). */
export const MAX_DISTINCT_EMOJI = 20;
export const REACTION_COOLDOWN_MS = 200;
const MAX_EMOJI_CHARS = 32;

/** Reactions (websocket.md §6.16–6.17); a repeated reaction or a removal of none announces nothing. */
export class ReactionsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly shared: SharedState,
    private readonly clock: Clock,
  ) {}

  async add(userId: string, messageId: string, emoji: string): Promise<void> {
    if (!(await this.shared.claim(`reaction:${userId}`, REACTION_COOLDOWN_MS))) {
      throw new WsError('rate_limited', 'adding reactions too quickly');
    }
    const message = await this.reachable(userId, messageId, emoji);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockMessage(trx, message.id);
      const existing = await distinctEmojiCount(trx, message.id);
      if (!existing.has(emoji) && existing.count >= MAX_DISTINCT_EMOJI) {
        throw invalid('maximum number of reactions reached');
      }
      if (await insertReaction(trx, message.id, userId, emoji, new Date(this.clock.now()))) {
        emit(this.frame('reaction_added', message, userId, emoji));
      }
    });
  }

  async remove(userId: string, messageId: string, emoji: string): Promise<void> {
    const message = await this.reachable(userId, messageId, emoji);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      if (await deleteReaction(trx, message.id, userId, emoji)) {
        emit(this.frame('reaction_removed', message, userId, emoji));
      }
    });
  }

  /** The message, if the emoji is well-formed and the user is a member of the message's channel. */
  private async reachable(userId: string, messageId: string, emoji: string): Promise<MessageRecord> {
    const length = [...emoji].length;
    if (length < 1 || length > MAX_EMOJI_CHARS || emoji.includes('\0')) throw invalid('invalid emoji');
    const message = await findMessage(this.db, messageId);
    if (!message) throw new AppError('not_found', 'message not found');
    if (!(await isChannelMember(this.db, message.channel_id, userId))) {
      throw new AppError('forbidden', 'not a member of this channel');
    }
    return message;
  }

  private frame(
    type: 'reaction_added' | 'reaction_removed',
    message: MessageRecord,
    userId: string,
    emoji: string,
  ) {
    return frameEvent(
      { kind: 'channel', channelId: message.channel_id },
      { type, message_id: message.id, user_id: userId, emoji },
    );
  }
}
