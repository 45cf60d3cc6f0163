import type { CommunityPolicy, GroupRole } from '../../platform/db/schema.js';
import type { GroupStanding } from '../permissions/access.js';
import { canModerateCommunity, meetsPolicy } from '../permissions/roles.js';

/** What the group rules need to know about a caller, read fresh for each request. */
export interface GroupActor extends GroupStanding {
  userId: string;
}

/** The parts of a group its rules depend on. */
export interface GroupFacts {
  owner_id: string | null;
  assigned_member_id: string | null;
  visibility: 'public' | 'private';
  allow_invites: boolean;
}

export const isPersonal = (group: GroupFacts) => group.assigned_member_id !== null;

/** A member of the community and not banned from it. Applies to the instance owner too. */
export function inCommunity(actor: GroupActor): boolean {
  return actor.communityRole !== null && !actor.communityBanned;
}

/** Community moderator and up, or the instance owner; instance admins get nothing here (permissions.md §5). */
export function isCommunityStaff(actor: GroupActor): boolean {
  return actor.isInstanceOwner || (!actor.communityBanned && canModerateCommunity(actor.communityRole));
}

export function canViewGroup(role: GroupRole | null): boolean {
  return role !== null;
}

/** Settings, channels and invites: effective owner or admin. */
export function canManageGroup(role: GroupRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

/** `allow_invites` is the community staff's switch, on top of managing the group. */
export const canSetAllowInvites = isCommunityStaff;

/**
 * Personal groups: their creator or community staff. Other groups: only the stored owner, with no
 * instance bypass.
 */
export function canDeleteGroup(group: GroupFacts, actor: GroupActor): boolean {
  if (!isPersonal(group)) return actor.groupRole === 'owner';
  return (group.owner_id === actor.userId && inCommunity(actor)) || isCommunityStaff(actor);
}

export function canTransferGroup(actor: GroupActor): boolean {
  return actor.groupRole === 'owner';
}

/**
 * Self-service join: public, non-personal groups, for members of the community. Private groups are
 * joined by invite only (rest-api.md §30.4 item 6), and nobody skips community membership.
 */
export function canJoinGroup(group: GroupFacts, actor: GroupActor): boolean {
  return !isPersonal(group) && group.visibility === 'public' && inCommunity(actor);
}

/** `who_can_create_groups`; the instance owner counts as top level but must still be a member. */
export function canCreateGroup(actor: GroupActor, policy: CommunityPolicy): boolean {
  if (!inCommunity(actor)) return false;
  return meetsPolicy(actor.isInstanceOwner ? 'instance_owner' : actor.communityRole, policy);
}

export const canCreatePersonalGroup = isCommunityStaff;

/** While a personal group's `allow_invites` is off, only community staff may invite into it. */
export function invitesDisabledFor(group: GroupFacts, actor: GroupActor): boolean {
  return isPersonal(group) && !group.allow_invites && !isCommunityStaff(actor);
}
