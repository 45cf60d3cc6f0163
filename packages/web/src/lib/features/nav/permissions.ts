import type { Community, Group } from '@chatalot/protocol';
import type { CommunityRole, GroupRole } from './roles.svelte';

/** The instance flags the client knows from the signed-in user. */
export interface InstanceUser {
  id: string;
  is_admin: boolean;
  is_owner: boolean;
}

const rank: Record<CommunityRole, number> = { member: 0, moderator: 1, admin: 2, owner: 3 };
const policyRank = { everyone: 0, moderator: 1, admin: 2 } as const;

/**
 * These mirror the server's rules (packages/server/src/domains/*.policy.ts) only to decide what to offer;
 * the server still checks every request.
 */

/** NAV-05: "Create a Community" is for instance admins. */
export function canCreateCommunity(user: InstanceUser | null): boolean {
  return user !== null && (user.is_admin || user.is_owner);
}

/** `who_can_create_groups`; the instance owner counts as top level. */
export function canCreateGroup(community: Community, role: CommunityRole | undefined, user: InstanceUser) {
  if (user.is_owner) return true;
  return role !== undefined && rank[role] >= policyRank[community.who_can_create_groups];
}

/** Community moderators and up (or the instance owner) may assign personal groups. */
export function isCommunityStaff(role: CommunityRole | undefined, user: InstanceUser): boolean {
  return user.is_owner || (role !== undefined && rank[role] >= rank.moderator);
}

/** NAV-16: the group's owner and admins add channels; community staff manage personal groups. */
export function canManageGroup(
  group: Group,
  groupRole: GroupRole | undefined,
  communityRole: CommunityRole | undefined,
  user: InstanceUser,
): boolean {
  if (user.is_owner || groupRole === 'owner' || groupRole === 'admin') return true;
  return group.assigned_member_id !== null && isCommunityStaff(communityRole, user);
}
