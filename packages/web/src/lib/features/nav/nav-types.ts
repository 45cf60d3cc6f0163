import type {
  Channel,
  ChannelMember,
  DmChannel,
  Group,
  NewDmChannelFrame,
  UserPublic,
} from '@chatalot/protocol';

export type ChannelKind = 'text' | 'voice' | 'gallery' | 'dm';

/** A user as navigation shows one: a DM peer, a search result. */
export interface NavUser {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

/** The record `nav.channel(id)` returns; for a DM, `name` is the peer's display name. */
export interface NavChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  /** The group's community; null for DMs and standalone channels, which belong to no community. */
  communityId: string | null;
  groupId: string | null;
  peer?: NavUser;
  topic: string | null;
  readOnly: boolean;
  slowModeSeconds: number;
  archived: boolean;
  discoverable: boolean;
  createdBy: string | null;
  createdAt: string;
}

export interface NavMember {
  userId: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  role: ChannelMember['role'];
}

export function toNavUser(user: UserPublic): NavUser {
  return { id: user.id, username: user.username, displayName: user.display_name, avatarUrl: user.avatar_url };
}

/** `groups` resolves a group channel's community. */
export function toNavChannel(channel: Channel, groups: ReadonlyMap<string, Group>): NavChannel {
  const groupId = channel.group_id;
  return {
    id: channel.id,
    name: channel.name ?? '',
    kind: channel.channel_type,
    communityId: groupId === null ? null : (groups.get(groupId)?.community_id ?? null),
    groupId,
    topic: channel.topic,
    readOnly: channel.read_only,
    slowModeSeconds: channel.slow_mode_seconds,
    archived: channel.archived,
    discoverable: channel.discoverable,
    createdBy: channel.created_by,
    createdAt: channel.created_at,
  };
}

export function dmToNavChannel({ channel, other_user }: DmChannel): NavChannel {
  const peer = toNavUser(other_user);
  return { ...toNavChannel(channel, new Map()), kind: 'dm', name: peer.displayName, peer };
}

/** The DM a peer's first message opened (`new_dm_channel`). */
export function dmFromFrame(frame: NewDmChannelFrame): NavChannel {
  const peer: NavUser = {
    id: frame.other_user_id,
    username: frame.other_user_username,
    displayName: frame.other_user_display_name,
    avatarUrl: frame.other_user_avatar_url,
  };
  return {
    id: frame.channel_id,
    name: peer.displayName,
    kind: 'dm',
    communityId: null,
    groupId: null,
    peer,
    topic: null,
    readOnly: false,
    slowModeSeconds: 0,
    archived: false,
    discoverable: true,
    createdBy: null,
    createdAt: frame.created_at,
  };
}

export function toNavMember(member: ChannelMember): NavMember {
  return {
    userId: member.user_id,
    username: member.username,
    displayName: member.display_name,
    avatarUrl: member.avatar_url,
    role: member.role,
  };
}
