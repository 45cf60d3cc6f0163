import type { Message, MessageType, ReadCursor } from '@chatalot/protocol';
import type { ChatMessage, E2eStatus } from './chat-types';

/** The fields of an encrypted message the E2E layer reads (REST `Message`, WS `new_message`, an edit). */
export interface Encrypted {
  id: string;
  sender_id: string | null;
  ciphertext: number[];
  message_type?: MessageType;
}

export interface Decrypted {
  text: string;
  status: E2eStatus | 'control';
  reason?: string;
  canResetSession?: boolean;
}

/** An outbox item as the timeline shows it (`$lib/features/outbox`). */
export interface PendingItem {
  clientId: string;
  channelId: string;
  text: string;
  replyTo: string | null;
  messageType: 'text' | 'file';
  state: 'pending' | 'sent' | 'failed';
  error?: string;
  messageId?: string;
  createdAt: string;
}

/** What a timeline reads from the server, the E2E layer and the outbox; tests pass fakes. */
export interface TimelineSource {
  /** A page of history, newest first. */
  history(channelId: string, before?: string): Promise<Message[]>;
  cursors(channelId: string): Promise<ReadCursor[]>;
  /** Never throws: an unreadable message comes back as `failed`. */
  decrypt(channelId: string, message: Encrypted): Promise<Decrypted>;
  /** The outbox's items for the channel (reactive). */
  pending(channelId: string): readonly PendingItem[];
  selfId(): string | null;
  /** How this client's own messages travel: `encrypted`, or `plaintext` where E2E is off. */
  ownStatus(): E2eStatus;
}

/** A server message, decrypted. */
export function fromServer(message: Message, decrypted: Decrypted): ChatMessage {
  return {
    id: message.id,
    channelId: message.channel_id,
    senderId: message.sender_id,
    type: message.message_type,
    text: decrypted.text,
    e2e: decrypted.status === 'control' ? 'encrypted' : decrypted.status,
    // The sender's own copy of a session reset reads back (from its cache) as an empty text.
    ...((decrypted.status === 'control' ||
      (message.message_type === 'text' && decrypted.text === '' && decrypted.status === 'encrypted')) && {
      control: true,
    }),
    ...(decrypted.reason !== undefined && { reason: decrypted.reason }),
    ...(decrypted.canResetSession && { canReset: true }),
    createdAt: message.created_at,
    editedAt: message.edited_at,
    replyTo: message.reply_to_id,
    reactions: (message.reactions ?? []).map(({ emoji, user_ids }) => ({ emoji, userIds: [...user_ids] })),
    delivery: 'sent',
  };
}

/** An outbox item as a row: pending and failed ones under their client id, sent ones under the server's. */
export function fromOutbox(item: PendingItem, senderId: string | null, e2e: E2eStatus): ChatMessage {
  return {
    id: item.state === 'sent' && item.messageId ? item.messageId : item.clientId,
    clientId: item.clientId,
    channelId: item.channelId,
    senderId,
    type: item.messageType,
    text: item.text,
    e2e,
    createdAt: item.createdAt,
    editedAt: null,
    replyTo: item.replyTo,
    reactions: [],
    delivery: item.state,
    ...(item.error !== undefined && { error: item.error }),
  };
}

/** Order of the timeline: by time, then id (the server's keyset order). */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
