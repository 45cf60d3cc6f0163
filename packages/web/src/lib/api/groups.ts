import type {
  AcceptGroupInviteResponse,
  Channel,
  CreateGroupRequest,
  Group,
  GroupInvitePreview,
  GroupMemberInfo,
} from '@chatalot/protocol';
import { http } from './http';

/** The groups the caller belongs to, in every community, by name. */
export function listGroups(): Promise<Group[]> {
  return http.get<Group[]>('/api/groups');
}

/** Public discoverable groups of the caller's communities, plus the caller's own. */
export function discoverGroups(): Promise<Group[]> {
  return http.get<Group[]>('/api/groups/discover');
}

/** Creates a group; a public one takes in every member of the community, with a `general` channel. */
export function createGroup(body: CreateGroupRequest): Promise<Group> {
  return http.post<Group>('/api/groups', body);
}

/** Renames a group (its owner and admins); members of the community hear `group_updated`. */
export function renameGroup(groupId: string, name: string): Promise<Group> {
  return http.patch<Group>(`/api/groups/${groupId}`, { name });
}

/** Renames a group's channel (the group's owner and admins); the channel hears `channel_updated`. */
export function renameGroupChannel(groupId: string, channelId: string, name: string): Promise<Channel> {
  return http.patch<Channel>(`/api/groups/${groupId}/channels/${channelId}`, { name });
}

/** Joins a public group and all of its channels. */
export async function joinGroup(groupId: string): Promise<void> {
  await http.post<undefined>(`/api/groups/${groupId}/join`);
}

/** One page of members: owner first, then admins, then members, each by join date. */
export function listGroupMembers(
  groupId: string,
  { limit = 500, offset = 0 }: { limit?: number; offset?: number } = {},
): Promise<GroupMemberInfo[]> {
  return http.get<GroupMemberInfo[]>(`/api/groups/${groupId}/members`, { limit, offset });
}

/** A text channel in a group, for the group's owner and admins; every group member joins it. */
export function createGroupChannel(
  groupId: string,
  body: { name: string; topic?: string },
): Promise<Channel> {
  return http.post<Channel>(`/api/groups/${groupId}/channels`, { ...body, channel_type: 'text' });
}

export function previewGroupInvite(code: string): Promise<GroupInvitePreview> {
  return http.get<GroupInvitePreview>(`/api/invites/${encodeURIComponent(code)}`);
}

export function acceptGroupInvite(code: string): Promise<AcceptGroupInviteResponse> {
  return http.post<AcceptGroupInviteResponse>(`/api/invites/${encodeURIComponent(code)}/accept`);
}
