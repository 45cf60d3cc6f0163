import type { Channel, ChannelMember } from '@chatalot/protocol';
import { http } from './http';

/** The server's largest page of channel members. */
export const CHANNEL_MEMBERS_PAGE = 500;

/** The caller's channels, DMs excepted (`listDms` has those), by creation time. */
export function listChannels(): Promise<Channel[]> {
  return http.get<Channel[]>('/api/channels');
}

export interface NewChannel {
  name: string;
  topic?: string;
  /** Omitted: a standalone channel. A group's owner or admins may add one to the group. */
  group_id?: string;
  /** In a group: false keeps the group's members out until invited (default true). */
  discoverable?: boolean;
}

/** A text channel owned by the caller. */
export function createChannel(body: NewChannel): Promise<Channel> {
  return http.post<Channel>('/api/channels', { ...body, channel_type: 'text' });
}

/** Renames a channel (its owner); the channel hears `channel_updated`. */
export function renameChannel(channelId: string, name: string): Promise<Channel> {
  return http.patch<Channel>(`/api/channels/${channelId}`, { name });
}

/** One page of members, owners first. */
export function listChannelMembers(
  channelId: string,
  { limit = CHANNEL_MEMBERS_PAGE, offset = 0 }: { limit?: number; offset?: number } = {},
): Promise<ChannelMember[]> {
  return http.get<ChannelMember[]>(`/api/channels/${channelId}/members`, { limit, offset });
}
