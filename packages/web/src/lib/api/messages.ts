import type { Message, MessageEdit, ReadCursor } from '@chatalot/protocol';
import { http } from './http';

/** Messages the history endpoint returns per page unless asked otherwise (and its maximum is 100). */
export const HISTORY_PAGE_SIZE = 50;

/**
 * A page of a channel's main timeline, newest first, strictly older than `before` when given. Thread replies
 * are left out: they belong to their thread, not to the channel's timeline.
 */
export function fetchHistory(
  channelId: string,
  { before, limit = HISTORY_PAGE_SIZE }: { before?: string; limit?: number } = {},
): Promise<Message[]> {
  return http.get<Message[]>(`/api/channels/${channelId}/messages`, { before, limit, root_only: true });
}

/** Earlier versions of an edited message, oldest first. */
export function fetchEditHistory(channelId: string, messageId: string): Promise<MessageEdit[]> {
  return http.get<MessageEdit[]>(`/api/channels/${channelId}/messages/${messageId}/history`);
}

/** Where each member who has read the channel stopped reading it. */
export function fetchReadCursors(channelId: string): Promise<ReadCursor[]> {
  return http.get<ReadCursor[]>(`/api/channels/${channelId}/read-cursors`);
}
