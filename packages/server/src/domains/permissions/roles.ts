import type { CommunityPolicy, CommunityRole } from '../../platform/db/schema.js';

/** A role in some scope, with the instance roles on top (permissions.md §2). */
export type EffectiveRole = 'instance_owner' | 'instance_admin' | 'owner' | 'admin' | 'moderator' | 'member';

const levels: Readonly<Record<EffectiveRole, number>> = {
  instance_owner: 5,
  instance_admin: 4,
  owner: 3,
  admin: 2,
  moderator: 1,
  member: 0,
};

export function roleLevel(role: EffectiveRole | null): number {
  return role === null ? -1 : levels[role];
}

/** Strictly higher: nobody acts on an equal. */
export function outranks(actor: EffectiveRole, target: EffectiveRole | null): boolean {
  return roleLevel(actor) > roleLevel(target);
}

export interface InstanceFlags {
  is_owner: boolean;
  is_admin: boolean;
}

/** Instance owner and admins stand above every scope's stored role. */
export function withInstanceRole<R extends EffectiveRole>(
  user: InstanceFlags,
  stored: R | null,
): EffectiveRole | null {
  if (user.is_owner) return 'instance_owner';
  if (user.is_admin) return 'instance_admin';
  return stored;
}

/** Community owner or admin, or instance staff. */
export function canManageCommunity(role: EffectiveRole | null): boolean {
  return roleLevel(role) >= levels.admin;
}

/** Community moderator and up, or instance staff. */
export function canModerateCommunity(role: EffectiveRole | null): boolean {
  return roleLevel(role) >= levels.moderator;
}

/** `who_can_create_groups` / `who_can_create_invites`: owner and instance staff always qualify. */
export function meetsPolicy(role: EffectiveRole | null, policy: CommunityPolicy): boolean {
  const required =
    policy === 'everyone' ? levels.member : policy === 'moderator' ? levels.moderator : levels.admin;
  return role !== null && roleLevel(role) >= required;
}

export function isCommunityRole(role: string): role is CommunityRole {
  return role === 'owner' || role === 'admin' || role === 'moderator' || role === 'member';
}
