import type { BlockedUser, UserPublic } from '@chatalot/protocol';
import { http } from './http';

/** The server refuses shorter queries. */
export const USER_SEARCH_MIN_LENGTH = 2;

/** Up to 20 users who share a community with the caller, by username or display name. */
export function searchUsers(query: string): Promise<UserPublic[]> {
  return http.get<UserPublic[]>('/api/users/search', { q: query });
}

/** One user's public profile; its `status` is always "offline" (live presence comes over the socket). */
export function getUser(userId: string): Promise<UserPublic> {
  return http.get<UserPublic>(`/api/users/${userId}`);
}

/** The ids of the users the caller blocked. */
export async function fetchBlockedUserIds(): Promise<string[]> {
  const blocked = await http.get<BlockedUser[]>('/api/users/blocked');
  return blocked.map((entry) => entry.blocked_id);
}
