import { z } from 'zod';
import { canonicalUuid, intBetween, optional, pageQuery, text, trimmedText } from './common.js';
import { isImageUrl } from './profile.js';
import { memberInfo } from './users.js';

/** Channel limits (server-behaviour.md §5.3); text lengths are UTF-8 bytes, as the reference counts them. */
export const channelLimits = {
  name: 64,
  topic: 512,
  slowModeSeconds: 86_400,
  messageTtlSeconds: 2_592_000,
  banReason: 500,
  channelsPerGroup: 100,
  membersDefault: 200,
  membersMax: 500,
} as const;

const channelName = trimmedText(
  1,
  channelLimits.name,
  `channel name must be 1-${channelLimits.name} characters`,
);
/** Trimmed; blank means "no topic". */
const topic = trimmedText(0, channelLimits.topic, `topic must be at most ${channelLimits.topic} characters`);

export const creatableChannelType = z.enum(['text', 'voice', 'gallery'], { error: 'invalid channel type' });

export const createChannelRequest = z.object({
  name: channelName,
  channel_type: creatableChannelType,
  topic: optional(topic),
  group_id: optional(canonicalUuid),
  discoverable: optional(z.boolean()),
});
export type CreateChannelRequest = z.input<typeof createChannelRequest>;
export type CreateChannelBody = z.output<typeof createChannelRequest>;

/** Absent or null leaves a field alone; `topic: ""` and `voice_background: ""` clear, TTL 0 turns it off. */
export const updateChannelRequest = z.object({
  name: optional(channelName),
  topic: optional(topic),
  read_only: optional(z.boolean()),
  slow_mode_seconds: optional(intBetween(0, channelLimits.slowModeSeconds)),
  message_ttl_seconds: optional(intBetween(0, channelLimits.messageTtlSeconds)),
  discoverable: optional(z.boolean()),
  archived: optional(z.boolean()),
  voice_background: optional(
    text(2048).refine(
      (value) => value === '' || isImageUrl(value),
      'voice background URL must start with http://, https:// or /api/ and contain no spaces, quotes, brackets or backslashes',
    ),
  ),
});
export type UpdateChannelRequest = z.input<typeof updateChannelRequest>;
export type UpdateChannelBody = z.output<typeof updateChannelRequest>;

export const assignableChannelRole = z.enum(['admin', 'moderator', 'member'], {
  error: "role must be 'admin', 'moderator' or 'member'",
});
export const updateChannelRoleRequest = z.object({ role: assignableChannelRole });
export type UpdateChannelRoleRequest = z.input<typeof updateChannelRoleRequest>;

export const banChannelMemberRequest = z.object({
  reason: optional(
    trimmedText(0, channelLimits.banReason, `reason must be at most ${channelLimits.banReason} characters`),
  ),
});
export type BanChannelMemberRequest = z.input<typeof banChannelMemberRequest>;

export const transferChannelOwnershipRequest = z.object({ new_owner_id: canonicalUuid });
export type TransferChannelOwnershipRequest = z.input<typeof transferChannelOwnershipRequest>;

export const channelMembersQuery = pageQuery(channelLimits.membersDefault, channelLimits.membersMax);

export const channelType = z.enum(['text', 'voice', 'gallery', 'dm']);
export const channelRole = z.enum(['owner', 'admin', 'moderator', 'member']);

/**
 * Channel (rest-api.md §1.11). `message_ttl_seconds` is an addition of the `/api/channels` routes: the
 * reference stores it but never returns it, so a client could not show the setting it had made. The group
 * routes leave it out, as the reference does.
 */
export const channel = z.object({
  id: z.string(),
  name: z.string().nullable(),
  channel_type: channelType,
  topic: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  group_id: z.string().nullable(),
  read_only: z.boolean(),
  slow_mode_seconds: z.number().int(),
  message_ttl_seconds: z.number().int().nullable().optional(),
  discoverable: z.boolean(),
  archived: z.boolean(),
  voice_background: z.string().optional(),
});
export type Channel = z.infer<typeof channel>;

export const channelMember = memberInfo(channelRole);
export type ChannelMember = z.infer<typeof channelMember>;
