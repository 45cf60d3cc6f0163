import type { DmChannel } from '@chatalot/protocol';
import { http } from './http';

/** Every DM of the caller, newest pair first. */
export function listDms(): Promise<DmChannel[]> {
  return http.get<DmChannel[]>('/api/dms');
}

/** The DM with that user, created when there is none yet. */
export function openDm(userId: string): Promise<DmChannel> {
  return http.post<DmChannel>('/api/dms', { target_user_id: userId });
}
