import type { ClientFrame } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { effectiveChannelRole } from '../permissions/access.js';
import { roleLevel } from '../permissions/roles.js';
import { GroupCommit, type Links, type SendRequest } from './group-commit.js';
import { EDIT_WINDOW_MS, isPrivileged, timedOut } from './messages.policy.js';
import { presentEdited } from './messages.present.js';
import {
  findByClientId,
  findMessage,
  isChannelMember,
  loadSendContexts,
  type MessageRecord,
  saveEdit,
  softDelete,
  updateContent,
} from './messages.repo.js';
import { searchableText } from './search-text.js';

export type { SendRequest } from './group-commit.js';
export type EditRequest = Extract<ClientFrame, { type: 'edit_message' }>;

interface Sender {
  id: string;
}

const NO_LINKS: Links = { replyTo: null, threadId: null };

/**
 * Sending, editing and deleting messages (websocket.md §6.2–6.4). Every path that creates a message goes
 * through `send`; events are published only after the commit, so an acknowledged message exists.
 */
export class MessagesService {
  private readonly groupCommit: GroupCommit;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {
    this.groupCommit = new GroupCommit(db, hub, clock);
  }

  /**
   * The stored message; a retried send (same `client_id`) returns the first one and publishes nothing.
   * Scheduled delivery passes `ignoreSlowMode`: the author waited already. A retry whose first attempt was
   * stored may fail a check now (slow mode, say): it gets the stored message too, so the duplicate lookup
   * costs nothing on success.
   */
  async send(
    sender: Sender,
    request: SendRequest,
    options: { ignoreSlowMode?: boolean } = {},
  ): Promise<MessageRecord> {
    try {
      const stored = await this.groupCommit.submit({
        senderId: sender.id,
        request,
        ignoreSlowMode: options.ignoreSlowMode ?? false,
        at: new Date(this.clock.now()),
        links:
          request.reply_to === null && request.thread_id === null
            ? NO_LINKS
            : await this.resolveLinks(request),
      });
      return stored ?? (await this.duplicateOf(sender.id, request.client_id));
    } catch (error) {
      const earlier = request.client_id && (await findByClientId(this.db, sender.id, request.client_id));
      if (earlier) return earlier;
      throw error;
    }
  }

  async edit(sender: Sender, request: EditRequest): Promise<void> {
    const message = await findMessage(this.db, request.message_id);
    if (!message) throw new AppError('not_found', 'message not found');
    if (message.sender_id !== sender.id)
      throw new AppError('forbidden', 'you can only edit your own messages');
    const now = new Date(this.clock.now());
    const [context] = await loadSendContexts(
      this.db,
      [{ channelId: message.channel_id, userId: sender.id }],
      now,
    );
    if (!context) throw new AppError('forbidden', 'not a member of this channel');
    if (context.timeoutUntil !== null && !isPrivileged(context))
      throw timedOut(context.timeoutUntil, now.getTime());
    if (now.getTime() - message.created_at.getTime() > EDIT_WINDOW_MS) {
      throw invalid('messages can only be edited within 15 minutes');
    }
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await saveEdit(trx, message, uuidv7(now.getTime()), now);
      const updated = await updateContent(trx, message.id, sender.id, {
        ciphertext: Buffer.from(request.ciphertext),
        nonce: Buffer.from(request.nonce),
        search_text: message.search_text === null ? null : searchableText(request.ciphertext),
        edited_at: now,
      });
      if (!updated) throw new AppError('not_found', 'message not found or not yours');
      emit(frameEvent({ kind: 'channel', channelId: message.channel_id }, presentEdited(updated, now)));
    });
  }

  async delete(user: Sender & { is_owner: boolean; is_admin: boolean }, messageId: string): Promise<void> {
    const message = await findMessage(this.db, messageId);
    if (!message) throw new AppError('not_found', 'message not found');
    if (message.sender_id !== user.id) {
      const role = await effectiveChannelRole(this.db, user, message.channel_id);
      if (roleLevel(role) < roleLevel('moderator')) {
        throw new AppError('forbidden', "you don't have permission to delete this message");
      }
    }
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!(await softDelete(trx, message.id, new Date(this.clock.now())))) {
        throw new AppError('not_found', 'message not found or already deleted');
      }
      emit(
        frameEvent(
          { kind: 'channel', channelId: message.channel_id },
          { type: 'message_deleted', message_id: message.id },
        ),
      );
    });
  }

  /**
   * The reply target and thread root, both in the same channel; a reply in a thread points at its root. A
   * refusal is returned, not thrown: the group commit raises it after the membership checks.
   */
  private async resolveLinks(request: SendRequest): Promise<Links | AppError> {
    try {
      return await this.findLinks(request);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
  }

  private async findLinks(request: SendRequest): Promise<Links> {
    if (request.reply_to !== null) {
      const target = await findMessage(this.db, request.reply_to);
      if (!target) throw invalid('replied-to message not found');
      if (target.channel_id !== request.channel_id)
        throw invalid('cannot reply to message from another channel');
    }
    if (request.thread_id === null) return { replyTo: request.reply_to, threadId: null };
    const root = await findMessage(this.db, request.thread_id);
    if (!root) throw invalid('thread root message not found');
    if (root.channel_id !== request.channel_id) throw invalid('thread root must be in the same channel');
    return { replyTo: request.reply_to, threadId: root.thread_id ?? root.id };
  }

  private async duplicateOf(senderId: string, clientId: string | undefined): Promise<MessageRecord> {
    const earlier = clientId === undefined ? undefined : await findByClientId(this.db, senderId, clientId);
    if (!earlier) throw new AppError('internal_error', 'failed to send message');
    return earlier;
  }

  /** The user's instance roles as they are now, for the permission checks of a WebSocket frame. */
  async sender(userId: string): Promise<Sender & { is_owner: boolean; is_admin: boolean }> {
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'is_owner', 'is_admin'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new AppError('unauthorized');
    return user;
  }

  /** A message, deleted or not (callers check `deleted_at` where it matters). */
  find(id: string): Promise<MessageRecord | undefined> {
    return findMessage(this.db, id);
  }

  isMember(channelId: string, userId: string): Promise<boolean> {
    return isChannelMember(this.db, channelId, userId);
  }
}
