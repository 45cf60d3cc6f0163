import { z } from 'zod';
import { optional, text, uuid } from './common.js';
import { isImageUrl, profileLimits, utf8Length } from './profile.js';

/** Limits of groups, their channels and invites (server-behaviour.md §5.3–5.4); lengths are UTF-8 bytes. */
export const groupLimits = {
  name: 64,
  description: 2048,
  channelName: 64,
  topic: 512,
  groupsPerCommunity: 200,
  channelsPerGroup: 100,
  publicAutoJoinMembers: 5000,
  discoverListed: 200,
  invitesListed: 100,
  inviteHours: 8760,
  inviteCodeMaxLength: 100,
  membersDefault: 200,
  membersMax: 500,
  slowModeMaxSeconds: 86_400,
} as const;

/** Largest value of the `integer` column `max_uses`. */
const MAX_INT32 = 2_147_483_647;

/** Trimmed, then counted in bytes; the message says "characters" as the reference's do. */
function trimmedText(min: number, max: number) {
  const message = min === 0 ? `must be at most ${max} characters` : `must be ${min}-${max} characters`;
  return text(4 * max)
    .transform((value) => value.trim())
    .refine((value) => utf8Length(value) >= min && utf8Length(value) <= max, message);
}

/** Absent leaves a field unchanged; `null` or `""` clears it (rest-api.md §30.3). */
function clearable(schema: z.ZodType<string, string>) {
  return z
    .preprocess((value) => (value === '' ? null : value), schema.nullish())
    .transform((value) => (value === '' ? null : value));
}

const imageUrl = text(profileLimits.imageUrl).refine(
  isImageUrl,
  'must start with http://, https:// or /api/ and contain no spaces, quotes, brackets or backslashes',
);

/** CSS hex colours only (#rgb, #rgba, #rrggbb, #rrggbbaa), so the value always fits the column. */
const accentColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, 'must be a hex colour such as #ff8800');

const visibility = z.enum(['public', 'private'], { error: 'must be public or private' });

export const createGroupRequest = z.object({
  community_id: uuid,
  name: trimmedText(1, groupLimits.name),
  description: optional(trimmedText(0, groupLimits.description)),
  visibility: optional(visibility),
  assigned_member_id: optional(uuid),
});
export type CreateGroupRequest = z.input<typeof createGroupRequest>;
export type CreateGroupBody = z.output<typeof createGroupRequest>;

export const updateGroupRequest = z.object({
  name: optional(trimmedText(1, groupLimits.name)),
  description: clearable(trimmedText(0, groupLimits.description)),
  visibility: optional(visibility),
  discoverable: optional(z.boolean()),
  allow_invites: optional(z.boolean()),
  icon_url: clearable(imageUrl),
  banner_url: clearable(imageUrl),
  accent_color: clearable(accentColor),
});
export type UpdateGroupRequest = z.input<typeof updateGroupRequest>;
export type UpdateGroupBody = z.output<typeof updateGroupRequest>;

export const transferGroupOwnershipRequest = z.object({ new_owner_id: uuid });

/** `limit` and `offset` are clamped by the server; only non-numbers are refused. */
export const groupMembersQuery = z.object({
  limit: optional(z.coerce.number().int('must be an integer')),
  offset: optional(z.coerce.number().int('must be an integer')),
});

export const groupChannelType = z.enum(['text', 'voice', 'gallery'], { error: 'invalid channel type' });

/** `group_id` and `discoverable` in the body are ignored: group channels start discoverable. */
export const createGroupChannelRequest = z.object({
  name: trimmedText(1, groupLimits.channelName),
  channel_type: groupChannelType,
  topic: optional(trimmedText(0, groupLimits.topic)),
});
export type CreateGroupChannelBody = z.output<typeof createGroupChannelRequest>;

/** `message_ttl_seconds` is ignored on the group route (rest-api.md §8.2). */
export const updateGroupChannelRequest = z.object({
  name: optional(trimmedText(1, groupLimits.channelName)),
  topic: clearable(trimmedText(0, groupLimits.topic)),
  read_only: optional(z.boolean()),
  slow_mode_seconds: optional(
    z
      .number()
      .int('must be an integer')
      .min(0, `must be between 0 and ${groupLimits.slowModeMaxSeconds}`)
      .max(groupLimits.slowModeMaxSeconds, `must be between 0 and ${groupLimits.slowModeMaxSeconds}`),
  ),
  discoverable: optional(z.boolean()),
  archived: optional(z.boolean()),
  voice_background: clearable(imageUrl),
});
export type UpdateGroupChannelBody = z.output<typeof updateGroupChannelRequest>;

export const createGroupInviteRequest = z.object({
  max_uses: optional(
    z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(MAX_INT32, `must be at most ${MAX_INT32}`),
  ),
  expires_in_hours: optional(
    z
      .number()
      .int('must be an integer')
      .min(1, `must be between 1 and ${groupLimits.inviteHours}`)
      .max(groupLimits.inviteHours, `must be between 1 and ${groupLimits.inviteHours}`),
  ),
});
export type CreateGroupInviteBody = z.output<typeof createGroupInviteRequest>;

/** Group (rest-api.md §1.11); a non-null `assigned_member_id` marks a personal group. */
export const group = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  owner_id: z.string().nullable(),
  community_id: z.string(),
  created_at: z.string(),
  member_count: z.number().int(),
  visibility: visibility,
  discoverable: z.boolean(),
  assigned_member_id: z.string().nullable(),
  allow_invites: z.boolean(),
  icon_url: z.string().nullable(),
  banner_url: z.string().nullable(),
  accent_color: z.string().nullable(),
});
export type Group = z.infer<typeof group>;

/** Channel (rest-api.md §1.11) as the group routes return it. */
export const groupChannel = z.object({
  id: z.string(),
  name: z.string().nullable(),
  channel_type: z.enum(['text', 'voice', 'gallery', 'dm']),
  topic: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  group_id: z.string().nullable(),
  read_only: z.boolean(),
  slow_mode_seconds: z.number().int(),
  discoverable: z.boolean(),
  archived: z.boolean(),
  voice_background: z.string().optional(),
});
export type GroupChannel = z.infer<typeof groupChannel>;

/** MemberInfo (rest-api.md §1.11) of a group member. */
export const groupMemberInfo = z.object({
  user_id: z.string(),
  username: z.string(),
  display_name: z.string(),
  avatar_url: z.string().nullable(),
  role: z.enum(['owner', 'admin', 'member']),
  joined_at: z.string(),
});
export type GroupMemberInfo = z.infer<typeof groupMemberInfo>;

export const groupInvite = z.object({
  id: z.string(),
  code: z.string(),
  group_id: z.string(),
  max_uses: z.number().int().nullable(),
  used_count: z.number().int(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
});
export type GroupInvite = z.infer<typeof groupInvite>;

/** `GET /api/invites/{code}`: a group that is not discoverable shows as "Private Group". */
export const groupInvitePreview = z.object({
  group_name: z.string(),
  group_description: z.string().nullable(),
  member_count: z.number().int(),
  code: z.string(),
});
export type GroupInvitePreview = z.infer<typeof groupInvitePreview>;

export const acceptGroupInviteResponse = z.object({ group_id: z.string(), group_name: z.string() });
export type AcceptGroupInviteResponse = z.infer<typeof acceptGroupInviteResponse>;
