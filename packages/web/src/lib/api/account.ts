import type { UserPublic } from '@chatalot/protocol';
import { http } from './http';

export function fetchMe(): Promise<UserPublic> {
  return http.get<UserPublic>('/account/me');
}

/** Ends one session on the server; `accessToken` is passed because the caller is already signing out. */
export function revokeSession(sessionId: string, accessToken: string): Promise<void> {
  return http.delete<void>(`/account/sessions/${encodeURIComponent(sessionId)}`, undefined, {
    token: accessToken,
  });
}
