import type { MessageType } from '@chatalot/protocol';

/** How a message's text was obtained, for the lock / warning next to it (E2E-04). */
export type E2eStatus = 'encrypted' | 'failed' | 'plaintext' | 'unencrypted_warning';

export interface Reaction {
  emoji: string;
  userIds: string[];
}

/** Where a message is on its way to the server; only the client's own unsent messages are not `sent`. */
export type Delivery = 'sent' | 'pending' | 'failed';

/** A message as the timeline shows it: decrypted, with its reactions and delivery state. */
export interface ChatMessage {
  /** The server's id; for a message still in the outbox, its client id. */
  id: string;
  /** Set while the message came from this device's outbox, so its row keeps its identity once sent. */
  clientId?: string;
  channelId: string;
  senderId: string | null;
  type: MessageType;
  text: string;
  e2e: E2eStatus;
  /** Why a `failed` message cannot be read. */
  reason?: string;
  /** A DM message no session decrypts: a session reset may fix what comes next. */
  canReset?: boolean;
  /** A session-reset envelope: shown as a notice, never as a message. */
  control?: boolean;
  createdAt: string;
  editedAt: string | null;
  replyTo: string | null;
  reactions: Reaction[];
  delivery: Delivery;
  /** Why a failed message was refused. */
  error?: string;
}

/** One row of the message list. */
export type TimelineItem =
  | { kind: 'date'; key: string; label: string }
  | { kind: 'unread'; key: 'unread' }
  | {
      kind: 'message';
      key: string;
      message: ChatMessage;
      /** Same sender as the row above, within 5 minutes: no header (MSG-12). */
      grouped: boolean;
      /** The last row of its sender's run, where read receipts sit (MSG-25). */
      runEnd: boolean;
    };
