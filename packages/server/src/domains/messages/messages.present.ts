import type {
  Message,
  MessageEditedFrame,
  MessageSentFrame,
  NewDmChannelFrame,
  NewMessageFrame,
} from '@chatalot/protocol';
import type { MessageRecord } from './messages.repo.js';

export const bytes = (buffer: Buffer): number[] => [...buffer];

export function presentNewMessage(message: MessageRecord): NewMessageFrame {
  return {
    type: 'new_message',
    id: message.id,
    channel_id: message.channel_id,
    sender_id: message.sender_id ?? '',
    ciphertext: bytes(message.ciphertext),
    nonce: bytes(message.nonce),
    message_type: message.message_type,
    reply_to: message.reply_to_id,
    sender_key_id: message.sender_key_id,
    created_at: message.created_at.toISOString(),
    ...(message.thread_id !== null && { thread_id: message.thread_id }),
  };
}

export function presentSent(message: MessageRecord): MessageSentFrame {
  return {
    type: 'message_sent',
    id: message.id,
    channel_id: message.channel_id,
    created_at: message.created_at.toISOString(),
    ...(message.thread_id !== null && { thread_id: message.thread_id }),
    ...(message.client_id !== null && { client_id: message.client_id }),
  };
}

export function presentEdited(message: MessageRecord, editedAt: Date): MessageEditedFrame {
  return {
    type: 'message_edited',
    message_id: message.id,
    channel_id: message.channel_id,
    sender_id: message.sender_id ?? '',
    ciphertext: bytes(message.ciphertext),
    nonce: bytes(message.nonce),
    edited_at: editedAt.toISOString(),
  };
}

export interface DmSender {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
}

export function presentNewDmChannel(
  message: MessageRecord,
  channelCreatedAt: Date,
  sender: DmSender,
): NewDmChannelFrame {
  return {
    type: 'new_dm_channel',
    channel_id: message.channel_id,
    channel_name: null,
    created_at: channelCreatedAt.toISOString(),
    other_user_id: sender.id,
    other_user_username: sender.username,
    other_user_display_name: sender.display_name,
    other_user_avatar_url: sender.avatar_url,
  };
}

export interface MessageExtras {
  reactions?: Array<{ emoji: string; user_ids: string[] }>;
  threadReplyCount?: number;
  threadLastReplyAt?: Date;
}

/** Message (rest-api.md §1.11): `reactions` and the thread counters only when there are any. */
export function presentMessage(message: MessageRecord, extras: MessageExtras = {}): Message {
  return {
    id: message.id,
    channel_id: message.channel_id,
    sender_id: message.sender_id,
    ciphertext: bytes(message.ciphertext),
    nonce: bytes(message.nonce),
    message_type: message.message_type,
    reply_to_id: message.reply_to_id,
    sender_key_id: message.sender_key_id,
    edited_at: message.edited_at?.toISOString() ?? null,
    created_at: message.created_at.toISOString(),
    ...(extras.reactions && extras.reactions.length > 0 && { reactions: extras.reactions }),
    ...(message.thread_id !== null && { thread_id: message.thread_id }),
    ...(extras.threadReplyCount && { thread_reply_count: extras.threadReplyCount }),
    ...(extras.threadReplyCount &&
      extras.threadLastReplyAt && {
        thread_last_reply_at: extras.threadLastReplyAt.toISOString(),
      }),
  };
}
