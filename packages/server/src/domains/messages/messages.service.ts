import type { ClientFrame } from '@chatalot/protocol';
import type { Insertable, Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { Batcher } from '../../platform/db/batcher.js';
import type { Db, MessagesTable, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid, WsError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { effectiveChannelRole } from '../permissions/access.js';
import { shareCommunity } from '../permissions/membership.js';
import { roleLevel } from '../permissions/roles.js';
import { assertChannelAllowsSending, EDIT_WINDOW_MS, isPrivileged, timedOut } from './messages.policy.js';
import { presentEdited, presentNewDmChannel, presentNewMessage } from './messages.present.js';
import {
  dmPeer,
  findByClientId,
  findMessage,
  hasOtherLiveMessage,
  insertMessages,
  isChannelMember,
  loadSendContexts,
  type MessageRecord,
  type SendContext,
  type SendKey,
  saveEdit,
  softDelete,
  touchSlowMode,
  updateContent,
} from './messages.repo.js';
import { searchableText } from './search-text.js';

export type SendRequest = Extract<ClientFrame, { type: 'send_message' }>;
export type EditRequest = Extract<ClientFrame, { type: 'edit_message' }>;

interface Sender {
  id: string;
}

/** A message that passed every check, waiting for its group commit. */
interface PendingMessage {
  values: Insertable<MessagesTable> & { id: string; channel_id: string; created_at: Date };
  slowMode: boolean;
  peer: string | null;
}

/** Up to 256 messages per transaction, 4 transactions in flight (the pool has 10 connections by default). */
const SEND_BATCHING = { maxBatch: 256, maxConcurrent: 4 };

/**
 * Sending, editing and deleting messages (websocket.md §6.2–6.4). Every path that creates a message goes
 * through `send`; events are published only after the commit, so an acknowledged message exists.
 */
export class MessagesService {
  private readonly committer: Batcher<PendingMessage, MessageRecord | null>;
  private readonly contexts: Batcher<SendKey, SendContext | undefined>;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {
    this.committer = new Batcher((batch) => this.write(batch), SEND_BATCHING);
    this.contexts = new Batcher((keys) => loadSendContexts(db, keys, new Date(clock.now())), SEND_BATCHING);
  }

  /**
   * The stored message; a retried send (same `client_id`) returns the first one and publishes nothing.
   * Scheduled delivery passes `ignoreSlowMode`: the author waited already.
   */
  async send(
    sender: Sender,
    request: SendRequest,
    options: { ignoreSlowMode?: boolean } = {},
  ): Promise<MessageRecord> {
    try {
      return await this.checkAndWrite(sender, request, options);
    } catch (error) {
      const earlier = request.client_id && (await findByClientId(this.db, sender.id, request.client_id));
      if (earlier) return earlier;
      throw error;
    }
  }

  /**
   * Every check, then the group commit. A retry whose first attempt was stored may fail a check now (slow
   * mode, say); `send` then returns the stored message, so the duplicate lookup costs nothing on success.
   */
  private async checkAndWrite(
    sender: Sender,
    request: SendRequest,
    options: { ignoreSlowMode?: boolean },
  ): Promise<MessageRecord> {
    const now = new Date(this.clock.now());
    const context = await this.contexts.submit({ channelId: request.channel_id, userId: sender.id });
    if (!context) throw new AppError('forbidden', 'not a member of this channel');
    assertChannelAllowsSending(
      options.ignoreSlowMode ? { ...context, lastSent: null } : context,
      now.getTime(),
    );
    const peer = context.channelType === 'dm' ? await this.checkDm(context.channelId, sender.id) : null;
    const links = await this.resolveLinks(request);
    const messageType = sendableType(request.message_type);
    if (context.channelType === 'gallery' && links.threadId === null && messageType !== 'file') {
      throw invalid('gallery channels only accept file posts at the root level');
    }
    const stored = await this.committer.submit({
      values: {
        id: uuidv7(now.getTime()),
        channel_id: context.channelId,
        sender_id: sender.id,
        client_id: request.client_id ?? null,
        ciphertext: Buffer.from(request.ciphertext),
        nonce: Buffer.from(request.nonce),
        message_type: messageType,
        sender_key_id: request.sender_key_id,
        reply_to_id: links.replyTo,
        thread_id: links.threadId,
        search_text: context.e2eEnabled ? null : searchableText(request.ciphertext),
        expires_at: context.messageTtlSeconds
          ? new Date(now.getTime() + context.messageTtlSeconds * 1000)
          : null,
        created_at: now,
      },
      slowMode: !options.ignoreSlowMode && context.slowModeSeconds > 0 && !isPrivileged(context),
      peer,
    });
    return stored ?? (await this.duplicateOf(sender.id, request.client_id));
  }

  async edit(sender: Sender, request: EditRequest): Promise<void> {
    const message = await findMessage(this.db, request.message_id);
    if (!message) throw new AppError('not_found', 'message not found');
    if (message.sender_id !== sender.id)
      throw new AppError('forbidden', 'you can only edit your own messages');
    const now = new Date(this.clock.now());
    const context = await this.contexts.submit({ channelId: message.channel_id, userId: sender.id });
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
   * Writes a batch of checked messages in one transaction and announces them after the commit; a message
   * whose client id its sender already used comes back as null (the caller returns the first one).
   */
  private write(batch: PendingMessage[]): Promise<Array<MessageRecord | null>> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const inserted = new Map(
        (
          await insertMessages(
            trx,
            batch.map((item) => item.values),
          )
        ).map((row) => [row.id, row]),
      );
      const slowModeSends = new Map<string, { channel_id: string; user_id: string; last_sent: Date }>();
      for (const { values, slowMode } of batch) {
        if (!slowMode || !inserted.has(values.id)) continue;
        const send = {
          channel_id: values.channel_id,
          user_id: values.sender_id as string,
          last_sent: values.created_at,
        };
        slowModeSends.set(`${send.channel_id}:${send.user_id}`, send);
      }
      await touchSlowMode(trx, [...slowModeSends.values()]);
      const results: Array<MessageRecord | null> = [];
      for (const item of batch) {
        const message = inserted.get(item.values.id) ?? null;
        if (message) await this.announce(trx, emit, message, item.peer);
        results.push(message);
      }
      return results;
    });
  }

  /** DM rules (websocket.md §6.2 step 6): no block either way, and the two still share a community. */
  private async checkDm(channelId: string, senderId: string): Promise<string> {
    const peer = await dmPeer(this.db, channelId, senderId);
    if (!peer) throw new AppError('forbidden', 'not a member of this channel');
    if (peer.blocked) throw new WsError('blocked', 'cannot send messages to this user');
    if (!(await shareCommunity(this.db, senderId, peer.peerId))) {
      throw new AppError('forbidden', 'you no longer share a community with this user');
    }
    return peer.peerId;
  }

  /** The reply target and thread root, both in the same channel; a reply in a thread points at its root. */
  private async resolveLinks(
    request: SendRequest,
  ): Promise<{ replyTo: string | null; threadId: string | null }> {
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

  private async announce(trx: Db, emit: Emit, message: MessageRecord, peer: string | null) {
    if (peer === null) {
      emit(frameEvent({ kind: 'channel', channelId: message.channel_id }, presentNewMessage(message)));
      return;
    }
    if (!(await hasOtherLiveMessage(trx, message.channel_id, message.id))) {
      const details = await trx
        .selectFrom('users')
        .innerJoin('channels', (join) => join.on('channels.id', '=', message.channel_id))
        .select([
          'users.id',
          'users.username',
          'users.display_name',
          'users.avatar_url',
          'channels.created_at',
        ])
        .where('users.id', '=', message.sender_id ?? '')
        .executeTakeFirstOrThrow();
      emit(
        frameEvent(
          { kind: 'users', userIds: [peer] },
          presentNewDmChannel(message, details.created_at, details),
        ),
      );
    }
    emit(
      frameEvent(
        { kind: 'channel', channelId: message.channel_id, alsoUsers: [peer] },
        presentNewMessage(message),
      ),
    );
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

/** Clients may send only these; `system` and `webhook` come from the server. */
function sendableType(type: string): 'text' | 'file' {
  if (type !== 'text' && type !== 'file') throw invalid('invalid message type');
  return type;
}
