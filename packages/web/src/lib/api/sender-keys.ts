import type { SenderKeyDistribution } from '@chatalot/protocol';
import { http } from './http';

/** Sender-key distributions (rest-api.md §18): opaque to the server, encrypted per member by the client. */

export function uploadSenderKey(
  channelId: string,
  body: { chain_id: number; distribution: unknown },
): Promise<SenderKeyDistribution> {
  return http.post<SenderKeyDistribution>(`/api/channels/${encodeURIComponent(channelId)}/sender-keys`, body);
}

/** Every member's current distribution for the channel, oldest first. */
export function listSenderKeys(channelId: string): Promise<SenderKeyDistribution[]> {
  return http.get<SenderKeyDistribution[]>(`/api/channels/${encodeURIComponent(channelId)}/sender-keys`);
}
