import type { ClientFrame } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { Batcher } from '../../platform/db/batcher.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid, WsError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { shareCommunity } from '../permissions/membership.js';
import { assertChannelAllowsSending, isPrivileged } from './messages.policy.js';
import { presentNewDmChannel, presentNewMessage } from './messages.present.js';
import {
  dmPeer,
  hasOtherLiveMessage,
  insertMessages,
  loadSendContexts,
  type MessageRecord,
  type SendContext,
  touchSlowMode,
} from './messages.repo.js';
import { searchableText } from './search-text.js';

export type SendRequest = Extract<ClientFrame, { type: 'send_message' }>;

export interface Links {
  replyTo: string | null;
  threadId: string | null;
}

/** A send waiting for its group commit, with what could be found out before it. */
export interface SendAttempt {
  senderId: string;
  request: SendRequest;
  ignoreSlowMode: boolean;
  at: Date;
  /** The reply target and thread root, or why they were refused (raised after the membership checks). */
  links: Links | AppError;
}

type Outcome = { message: MessageRecord | null } | { refused: AppError | WsError };

/** A message that passed every check. */
interface Accepted {
  index: number;
  message: MessageRecord;
  slowMode: boolean;
  peer: string | null;
}

/** Up to 256 sends per transaction, 2 transactions in flight: one committing while the next one forms. */
const SEND_BATCHING = { maxBatch: 256, maxConcurrent: 2 };

/**
 * The send path's group commit (websocket.md §6.2): the sends that arrive while earlier transactions are in
 * flight are checked against their senders' memberships and channel rules, inserted and logged in ONE
 * transaction — one query for all the checks, one insert, one sequence block per channel, one commit. Each
 * caller learns its outcome only after that commit; a refused send fails alone, never its batch.
 */
export class GroupCommit {
  private readonly batcher: Batcher<SendAttempt, Outcome>;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {
    this.batcher = new Batcher((batch) => this.write(batch), SEND_BATCHING);
  }

  /** The stored message, or null when its sender already used its client id; throws a refusal. */
  async submit(attempt: SendAttempt): Promise<MessageRecord | null> {
    const outcome = await this.batcher.submit(attempt);
    if ('refused' in outcome) throw outcome.refused;
    return outcome.message;
  }

  private write(batch: SendAttempt[]): Promise<Outcome[]> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const outcomes: Outcome[] = [];
      const accepted = await this.check(trx, batch, outcomes);
      if (accepted.length === 0) return outcomes;
      const inserted = await insertMessages(
        trx,
        accepted.map(({ message }) => message),
      );
      const stored = accepted.filter(({ message }) => inserted.has(message.id));
      await touchSlowMode(trx, lastSlowModeSends(stored));
      for (const { message, peer } of stored) {
        if (peer === null)
          emit(frameEvent({ kind: 'channel', channelId: message.channel_id }, presentNewMessage(message)));
        else await announceDm(trx, emit, message, peer);
      }
      for (const { index, message } of accepted)
        outcomes[index] = { message: inserted.has(message.id) ? message : null };
      return outcomes;
    });
  }

  /** The sends of the batch that pass every check; the refusals go to `outcomes` at their index. */
  private async check(trx: Db, batch: SendAttempt[], outcomes: Outcome[]): Promise<Accepted[]> {
    const keys = batch.map((attempt) => ({
      channelId: attempt.request.channel_id,
      userId: attempt.senderId,
    }));
    const contexts = await loadSendContexts(trx, keys, new Date(this.clock.now()));
    const accepted: Accepted[] = [];
    for (const [index, attempt] of batch.entries()) {
      try {
        const context = contexts[index];
        if (!context) throw new AppError('forbidden', 'not a member of this channel');
        const peer =
          context.channelType === 'dm' ? await checkDm(trx, context.channelId, attempt.senderId) : null;
        accepted.push({ index, peer, ...accept(attempt, context) });
      } catch (error) {
        if (!(error instanceof AppError || error instanceof WsError)) throw error;
        outcomes[index] = { refused: error };
      }
    }
    return accepted;
  }
}

/**
 * The channel rules, reply and thread targets, message type and gallery rule of one member's send, in the
 * reference's order (the DM rules, checked before, come after the channel rules, which skip DMs).
 */
function accept(attempt: SendAttempt, context: SendContext): Pick<Accepted, 'message' | 'slowMode'> {
  const { request, at } = attempt;
  assertChannelAllowsSending(attempt.ignoreSlowMode ? { ...context, lastSent: null } : context, at.getTime());
  if (attempt.links instanceof AppError) throw attempt.links;
  const messageType = sendableType(request.message_type);
  if (context.channelType === 'gallery' && attempt.links.threadId === null && messageType !== 'file') {
    throw invalid('gallery channels only accept file posts at the root level');
  }
  return {
    message: {
      id: uuidv7(at.getTime()),
      channel_id: context.channelId,
      sender_id: attempt.senderId,
      client_id: request.client_id ?? null,
      ciphertext: Buffer.from(request.ciphertext),
      nonce: Buffer.from(request.nonce),
      message_type: messageType,
      sender_key_id: request.sender_key_id,
      reply_to_id: attempt.links.replyTo,
      thread_id: attempt.links.threadId,
      plaintext: null,
      search_text: context.e2eEnabled ? null : searchableText(request.ciphertext),
      expires_at: context.messageTtlSeconds
        ? new Date(at.getTime() + context.messageTtlSeconds * 1000)
        : null,
      edited_at: null,
      deleted_at: null,
      quarantined_at: null,
      quarantined_by: null,
      created_at: at,
    },
    slowMode: !attempt.ignoreSlowMode && context.slowModeSeconds > 0 && !isPrivileged(context),
  };
}

/** DM rules (websocket.md §6.2 step 6): no block either way, and the two still share a community. */
async function checkDm(trx: Db, channelId: string, senderId: string): Promise<string> {
  const peer = await dmPeer(trx, channelId, senderId);
  if (!peer) throw new AppError('forbidden', 'not a member of this channel');
  if (peer.blocked) throw new WsError('blocked', 'cannot send messages to this user');
  if (!(await shareCommunity(trx, senderId, peer.peerId))) {
    throw new AppError('forbidden', 'you no longer share a community with this user');
  }
  return peer.peerId;
}

/** Clients may send only these; `system` and `webhook` come from the server. */
function sendableType(type: string): 'text' | 'file' {
  if (type !== 'text' && type !== 'file') throw invalid('invalid message type');
  return type;
}

/** The last send of each (channel, sender) under slow mode, to remember. */
function lastSlowModeSends(stored: readonly Accepted[]) {
  const sends = new Map<string, { channel_id: string; user_id: string; last_sent: Date }>();
  for (const { message, slowMode } of stored) {
    if (!slowMode || message.sender_id === null) continue;
    const send = {
      channel_id: message.channel_id,
      user_id: message.sender_id,
      last_sent: message.created_at,
    };
    sends.set(`${send.channel_id}:${send.user_id}`, send);
  }
  return [...sends.values()];
}

/** A DM message also reaches the peer's connections; the first one announces the DM channel to the peer. */
async function announceDm(trx: Db, emit: Emit, message: MessageRecord, peer: string): Promise<void> {
  if (!(await hasOtherLiveMessage(trx, message.channel_id, message.id))) {
    const details = await trx
      .selectFrom('users')
      .innerJoin('channels', (join) => join.on('channels.id', '=', message.channel_id))
      .select(['users.id', 'users.username', 'users.display_name', 'users.avatar_url', 'channels.created_at'])
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
