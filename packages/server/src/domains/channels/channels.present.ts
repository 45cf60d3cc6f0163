import type {
  Channel,
  ChannelUpdatedFrame,
  MemberBannedFrame,
  MemberKickedFrame,
  MemberRoleUpdatedFrame,
} from '@chatalot/protocol';
import type { ChannelRole } from '../../platform/db/schema.js';
import type { ChannelRecord } from './channels.repo.js';

/** Channel (rest-api.md §1.11); `voice_background` only when set. */
export function presentChannel(channel: ChannelRecord): Channel {
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
    message_ttl_seconds: channel.message_ttl_seconds,
    discoverable: channel.discoverable,
    archived: channel.archived,
    ...(channel.voice_background && { voice_background: channel.voice_background }),
  };
}

export function presentChannelUpdate(channel: ChannelRecord): ChannelUpdatedFrame {
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

export function presentRoleUpdate(
  channelId: string,
  userId: string,
  role: ChannelRole,
): MemberRoleUpdatedFrame {
  return { type: 'member_role_updated', channel_id: channelId, user_id: userId, role };
}

/** `member_kicked`, or `member_banned` when the removal came with a ban. */
export function presentRemoval(
  channelId: string,
  userId: string,
  by: string,
  banned: boolean,
): MemberKickedFrame | MemberBannedFrame {
  return banned
    ? { type: 'member_banned', channel_id: channelId, user_id: userId, banned_by: by }
    : { type: 'member_kicked', channel_id: channelId, user_id: userId, kicked_by: by };
}
