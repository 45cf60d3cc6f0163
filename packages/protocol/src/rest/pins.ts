import type { Message } from './messages.js';

/** `max_pins_per_channel` (server-behaviour.md §5): the default and the range an admin may set. */
export const pinLimits = {
  perChannelDefault: 50,
  perChannelMin: 1,
  perChannelMax: 200,
} as const;

type MessageCore = Omit<Message, 'reactions' | 'thread_id' | 'thread_reply_count' | 'thread_last_reply_at'>;

/**
 * PinnedMessage (rest-api.md §1.11): the message's core fields and who pinned it when. `pinned_by` is null
 * once that account is gone.
 */
export interface PinnedMessage extends MessageCore {
  pinned_by: string | null;
  pinned_at: string;
}
