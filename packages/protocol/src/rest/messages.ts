import { z } from 'zod';
import { canonicalUuid, MAX_INT32, optional } from './common.js';

const queryInteger = optional(z.coerce.number().int('must be an integer'));
const clampedLimit = (fallback: number, max: number) =>
  queryInteger.transform((value) => Math.min(Math.max(value ?? fallback, 1), Math.min(max, MAX_INT32)));
const queryBoolean = optional(z.enum(['true', 'false'])).transform((value) => value === 'true');

/** `GET /api/channels/{id}/messages` (rest-api.md §10): newest first, before a message id. */
export const historyQuery = z.object({
  before: optional(canonicalUuid),
  limit: clampedLimit(50, 100),
  root_only: queryBoolean,
});
export type HistoryQuery = z.infer<typeof historyQuery>;

/** `GET /api/channels/{id}/threads/{msg_id}`: oldest first. */
export const threadQuery = z.object({
  before: optional(canonicalUuid),
  limit: clampedLimit(50, 100),
});
export type ThreadQuery = z.infer<typeof threadQuery>;

export type MessageType = 'text' | 'file' | 'system' | 'webhook';

/** Message (rest-api.md §1.11). */
export interface Message {
  id: string;
  channel_id: string;
  sender_id: string | null;
  ciphertext: number[];
  nonce: number[];
  message_type: MessageType;
  reply_to_id: string | null;
  sender_key_id: string | null;
  edited_at: string | null;
  created_at: string;
  reactions?: Array<{ emoji: string; user_ids: string[] }>;
  thread_id?: string;
  thread_reply_count?: number;
  thread_last_reply_at?: string;
}

export interface MessageEdit {
  id: string;
  old_ciphertext: number[];
  old_nonce: number[];
  edited_at: string;
}

export interface UnreadCount {
  channel_id: string;
  unread_count: number;
}

export interface ReadCursor {
  user_id: string;
  last_read_message_id: string | null;
  last_read_at: string;
}
