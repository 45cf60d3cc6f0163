import type { UnreadCount } from '@chatalot/protocol';
import { http } from './http';

/** Unread messages per channel, for channels with at least one (read cursors move over the socket). */
export function fetchUnread(): Promise<UnreadCount[]> {
  return http.get<UnreadCount[]>('/api/channels/unread');
}
