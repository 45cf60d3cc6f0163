import type { Channel, Group, GroupInvite, GroupInvitePreview, GroupUpdatedFrame } from '@chatalot/protocol';
import { presentChannel } from '../channels/channels.present.js';
import type { InviteRecord } from '../invites/invite-codes.js';
import { presentInviteWith } from '../invites/invites.present.js';
import type { ChannelRecord, GroupRecord } from './groups.repo.js';

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

/** The group routes leave out `message_ttl_seconds`, which the reference never returns (rest-api.md §8.2). */
export function presentGroupChannel(record: ChannelRecord): Channel {
  const { message_ttl_seconds: _ttl, ...channel } = presentChannel(record);
  return channel;
}

export function presentGroupInvite(invite: InviteRecord<'group_invites'>): GroupInvite {
  return presentInviteWith(invite, { group_id: invite.group_id });
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
