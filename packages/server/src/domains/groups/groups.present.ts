import type {
  ChannelUpdatedFrame,
  Group,
  GroupChannel,
  GroupInvite,
  GroupInvitePreview,
  GroupMemberInfo,
  GroupUpdatedFrame,
} from '@chatalot/protocol';
import type { ChannelRecord, GroupInviteRecord, GroupMemberRecord, GroupRecord } from './groups.repo.js';

export function presentGroup(group: GroupRecord): Group {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    owner_id: group.owner_id,
    community_id: group.community_id,
    created_at: group.created_at.toISOString(),
    member_count: group.member_count,
    visibility: group.visibility,
    discoverable: group.discoverable,
    assigned_member_id: group.assigned_member_id,
    allow_invites: group.allow_invites,
    icon_url: group.icon_url,
    banner_url: group.banner_url,
    accent_color: group.accent_color,
  };
}

/** Channel (rest-api.md §1.11): `message_ttl_seconds` is never returned, `voice_background` only when set. */
export function presentGroupChannel(channel: ChannelRecord): GroupChannel {
  return {
    id: channel.id,
    name: channel.name,
    channel_type: channel.channel_type,
    topic: channel.topic,
    created_by: channel.created_by,
    created_at: channel.created_at.toISOString(),
    group_id: channel.group_id,
    read_only: channel.read_only,
    slow_mode_seconds: channel.slow_mode_seconds,
    discoverable: channel.discoverable,
    archived: channel.archived,
    ...(channel.voice_background && { voice_background: channel.voice_background }),
  };
}

export function presentGroupMember(member: GroupMemberRecord): GroupMemberInfo {
  return {
    user_id: member.user_id,
    username: member.username,
    display_name: member.display_name,
    avatar_url: member.avatar_url,
    role: member.role,
    joined_at: member.joined_at.toISOString(),
  };
}

export function presentGroupInvite(invite: GroupInviteRecord): GroupInvite {
  return {
    id: invite.id,
    code: invite.code,
    group_id: invite.group_id,
    max_uses: invite.max_uses,
    used_count: invite.used_count,
    expires_at: invite.expires_at?.toISOString() ?? null,
    created_at: invite.created_at.toISOString(),
  };
}

/** What an invite shows before accepting; a group that is not discoverable keeps its name to itself. */
export function presentInvitePreview(group: GroupRecord, code: string): GroupInvitePreview {
  return {
    group_name: group.discoverable ? group.name : 'Private Group',
    group_description: group.discoverable ? group.description : null,
    member_count: group.member_count,
    code,
  };
}

export function groupUpdatedFrame(group: GroupRecord): GroupUpdatedFrame {
  return {
    type: 'group_updated',
    group_id: group.id,
    name: group.name,
    description: group.description,
    icon_url: group.icon_url,
    banner_url: group.banner_url,
    accent_color: group.accent_color,
    visibility: group.visibility,
  };
}

/** The group route changes the same settings as `PATCH /api/channels/{id}`, so it tells the channel too. */
export function groupChannelUpdatedFrame(channel: ChannelRecord): ChannelUpdatedFrame {
  return {
    type: 'channel_updated',
    channel_id: channel.id,
    name: channel.name,
    topic: channel.topic,
    read_only: channel.read_only,
    slow_mode_seconds: channel.slow_mode_seconds,
    archived: channel.archived,
    voice_background: channel.voice_background,
  };
}
