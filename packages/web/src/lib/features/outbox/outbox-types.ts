import type { MessageSentFrame } from '@chatalot/protocol';

export type OutboxState = 'pending' | 'sent' | 'failed';
export type OutboxMessageType = 'text' | 'file';

/** A message this client is sending: shown in the timeline until the server's copy replaces it. */
export interface OutboxItem {
  /** Also the frame's `client_id`: the server stores a message once per client id, however often it is sent. */
  clientId: string;
  channelId: string;
  text: string;
  replyTo: string | null;
  messageType: OutboxMessageType;
  state: OutboxState;
  /** Why the last attempt failed (the server's message), for `failed` items. */
  error?: string;
  /** The server's id, once `sent`. */
  messageId?: string;
  /** When it was written here (ISO 8601), which orders the sending. */
  createdAt: string;
}

export interface OutboxDraft {
  channelId: string;
  text: string;
  replyTo?: string | null;
  messageType?: OutboxMessageType;
}

/** The bytes that go on the wire, computed once per item. */
export interface Encrypted {
  ciphertext: number[];
  nonce: number[];
}

export interface OutboxConfig {
  /** Turns the text into the wire bytes (end-to-end encryption, or plain UTF-8 where it is off). */
  encrypt(channelId: string, text: string): Promise<Encrypted>;
  /** The server stored the message (each item once), sent as `bytes` (what the sender's cache must match). */
  onSent?(item: OutboxItem, frame: MessageSentFrame, bytes: Encrypted): void;
}

/** What survives a reload: unsent items of one user, with their bytes once encrypted. */
export interface StoredItem extends Omit<OutboxItem, 'state' | 'messageId'> {
  userId: string;
  state: 'pending' | 'failed';
  ciphertext?: number[];
  nonce?: number[];
}
