import type { ChannelRole, GroupRole } from '../../platform/db/schema.js';
import { type EffectiveRole, type InstanceFlags, outranks, roleLevel } from '../permissions/roles.js';
import type { ChannelRecord } from './channels.repo.js';

/**
 * Channel permission predicates (permissions.md §6, §8.4), with the reference's holes closed (§13):
 * DMs are never joined by id, group channels only by group members, and nobody acts on an equal.
 */

const OWNER_LEVEL = roleLevel('owner');
const MODERATOR_LEVEL = roleLevel('moderator');

const isDm = (channel: ChannelRecord) => channel.channel_type === 'dm';

/** Reading a channel and its settings takes a membership row; instance roles do not grant one. */
export function canViewChannel(stored: ChannelRole | null): boolean {
  return stored !== null;
}

/** Owner-level (channel owner or instance staff): the role needed before the channel is even looked up. */
export function hasOwnerLevel(role: EffectiveRole | null): boolean {
  return roleLevel(role) >= OWNER_LEVEL;
}

/** Moderator-level: unbanning, and the least anyone needs to kick or ban. */
export function hasModeratorLevel(role: EffectiveRole | null): boolean {
  return roleLevel(role) >= MODERATOR_LEVEL;
}

/** Settings, roles and moderation apply to group and standalone channels; a DM has no one in charge. */
export function isManageable(channel: ChannelRecord): boolean {
  return !isDm(channel);
}

/** Kick or ban: strictly above the target's effective role, so nobody removes an equal or a superior. */
export function canRemoveMember(actor: EffectiveRole, target: EffectiveRole): boolean {
  return outranks(actor, target);
}

/**
 * Role changes: owner-level, strictly above the target, and never on an owner — ownership moves only by
 * transfer, so no channel is left without one.
 */
export function canChangeRole(actor: EffectiveRole, target: EffectiveRole, stored: ChannelRole): boolean {
  return hasOwnerLevel(actor) && outranks(actor, target) && stored !== 'owner';
}

export function canLeave(stored: ChannelRole | null): boolean {
  return stored !== 'owner';
}

/** Member list: channel members, and group members for a discoverable group channel. */
export function canListMembers(
  stored: ChannelRole | null,
  channel: ChannelRecord,
  groupRole: GroupRole | null,
): boolean {
  if (stored !== null) return true;
  return channel.group_id !== null && channel.discoverable && groupRole !== null;
}

export interface JoinContext {
  user: InstanceFlags;
  banned: boolean;
  /** Stored group membership; null for standalone channels and for outsiders of the group. */
  groupRole: GroupRole | null;
  /** Effective group role (with the instance owner and personal-group rules). */
  effectiveGroupRole: GroupRole | null;
}

/**
 * Joining by id. DMs: never. Standalone channels: when discoverable, or for instance staff. Group
 * channels: only members of the group, and a non-discoverable one only its group owner/admin.
 */
export function canJoin(channel: ChannelRecord, context: JoinContext): boolean {
  if (isDm(channel) || context.banned) return false;
  if (channel.group_id === null)
    return channel.discoverable || context.user.is_admin || context.user.is_owner;
  if (context.groupRole === null) return false;
  return channel.discoverable || isGroupManager(context.effectiveGroupRole);
}

/** Creating a channel inside a group takes group owner/admin rights, as the groups route does. */
export function canCreateInGroup(effectiveGroupRole: GroupRole | null): boolean {
  return isGroupManager(effectiveGroupRole);
}

function isGroupManager(role: GroupRole | null): boolean {
  return role === 'owner' || role === 'admin';
}
