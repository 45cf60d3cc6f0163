import type { BlockedUser } from '@chatalot/protocol';
import { http } from '$lib/api/http';

/** The ids of the users the caller blocked (`GET /api/users/blocked`; `api/users.ts` has no call for it). */
export async function fetchBlockedUserIds(): Promise<string[]> {
  const blocked = await http.get<BlockedUser[]>('/api/users/blocked');
  return blocked.map((entry) => entry.blocked_id);
}
