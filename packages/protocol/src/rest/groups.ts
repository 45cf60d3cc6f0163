import { z } from 'zod';
import { channelLimits, creatableChannelType } from './channels.js';
import { intBetween, optional, pageQuery, text, trimmedText, uuid } from './common.js';
import { invite } from './invites.js';
import { isImageUrl, profileLimits } from './profile.js';
import { memberInfo } from './users.js';

/** Limits of groups and their invites (server-behaviour.md §5.3–5.4); lengths are UTF-8 bytes. */
export const groupLimits = {
  name: 64,
  description: 2048,
  groupsPerCommunity: 200,
  publicAutoJoinMembers: 5000,
  discoverListed: 200,
  invitesListed: 100,
  membersDefault: 200,
  membersMax: 500,
} as const;

/** Trimmed, then counted in bytes; the message says "characters" as the reference's do. */
function groupText(min: number, max: number) {
  const message = min === 0 ? `must be at most ${max} characters` : `must be ${min}-${max} characters`;
  return trimmedText(min, max, message, 4 * max);
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
  name: groupText(1, groupLimits.name),
  description: optional(groupText(0, groupLimits.description)),
  visibility: optional(visibility),
  assigned_member_id: optional(uuid),
});
export type CreateGroupRequest = z.input<typeof createGroupRequest>;
export type CreateGroupBody = z.output<typeof createGroupRequest>;

export const updateGroupRequest = z.object({
  name: optional(groupText(1, groupLimits.name)),
  description: clearable(groupText(0, groupLimits.description)),
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

export const groupMembersQuery = pageQuery(groupLimits.membersDefault, groupLimits.membersMax);

/** `group_id` and `discoverable` in the body are ignored: group channels start discoverable. */
export const createGroupChannelRequest = z.object({
  name: groupText(1, channelLimits.name),
  channel_type: creatableChannelType,
  topic: optional(groupText(0, channelLimits.topic)),
});
export type CreateGroupChannelBody = z.output<typeof createGroupChannelRequest>;

/** `message_ttl_seconds` is ignored on the group route (rest-api.md §8.2). */
export const updateGroupChannelRequest = z.object({
  name: optional(groupText(1, channelLimits.name)),
  topic: clearable(groupText(0, channelLimits.topic)),
  read_only: optional(z.boolean()),
  slow_mode_seconds: optional(intBetween(0, channelLimits.slowModeSeconds)),
  discoverable: optional(z.boolean()),
  archived: optional(z.boolean()),
  voice_background: clearable(imageUrl),
});
export type UpdateGroupChannelBody = z.output<typeof updateGroupChannelRequest>;

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

export const groupMemberInfo = memberInfo(z.enum(['owner', 'admin', 'member']));
export type GroupMemberInfo = z.infer<typeof groupMemberInfo>;

export const groupInvite = invite.extend({ group_id: z.string() });
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
