import type { MessagePinnedFrame, MessageUnpinnedFrame, PinnedMessage } from '@chatalot/protocol';
import { presentMessage } from '../messages/messages.present.js';
import type { PinnedMessageRecord } from './pins.repo.js';

/** PinnedMessage (rest-api.md §1.11): the message's core fields only, so no thread id. */
export function presentPinnedMessage(record: PinnedMessageRecord): PinnedMessage {
  const { thread_id: _threadId, ...core } = presentMessage(record);
  return { ...core, pinned_by: record.pinned_by, pinned_at: record.pinned_at.toISOString() };
}

export interface NewPin {
  message_id: string;
  channel_id: string;
  pinned_by: string;
  pinned_at: Date;
}

export function presentPinned(pin: NewPin): MessagePinnedFrame {
  return { type: 'message_pinned', ...pin, pinned_at: pin.pinned_at.toISOString() };
}

export function presentUnpinned(channelId: string, messageId: string): MessageUnpinnedFrame {
  return { type: 'message_unpinned', message_id: messageId, channel_id: channelId };
}
