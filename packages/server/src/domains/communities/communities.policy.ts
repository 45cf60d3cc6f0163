import type { Selectable, Transaction } from 'kysely';
import type { CommunityPolicy, CommunityRole, Db, Schema, UsersTable } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { communityGate } from '../permissions/access.js';
import {
  canManageCommunity,
  canModerateCommunity,
  type EffectiveRole,
  meetsPolicy,
  outranks,
  roleLevel,
} from '../permissions/roles.js';
import { findCommunity, lockCommunity } from './communities.repo.js';

/**
 * Who may do what in a community (permissions.md §8.2), judged on the caller's role from the community
 * gate and the target's *stored* community role. Unlike the reference (§13), nobody acts on the community
 * owner — not instance staff either — except through an ownership transfer.
 */

type User = Pick<Selectable<UsersTable>, 'id' | 'is_owner' | 'is_admin'>;
export type Predicate = (role: EffectiveRole) => boolean;

/**
 * The community gate, then `allowed`: 403 for non-members, banned users and missing communities alike;
 * only instance staff, who pass the gate anywhere, learn that a community does not exist (404).
 */
export async function authorize(db: Db, user: User, communityId: string, allowed: Predicate) {
  const role = await communityGate(db, user, communityId);
  if (!allowed(role)) throw new AppError('forbidden');
  if (roleLevel(role) > roleLevel('owner') && !(await findCommunity(db, communityId))) {
    throw new AppError('not_found', 'community not found');
  }
  return role;
}

/** `authorize` inside a writing transaction, behind the community's row lock. */
export async function lockAndAuthorize(
  trx: Transaction<Schema>,
  user: User,
  communityId: string,
  allowed: Predicate,
) {
  await lockCommunity(trx, communityId);
  return authorize(trx, user, communityId, allowed);
}

/** COMMUNITY_CREATION_MODE: `open` lets anyone create one, `admin_only` only instance staff. */
export function mayCreateCommunity(user: User, mode: 'open' | 'admin_only'): boolean {
  return mode === 'open' || user.is_admin || user.is_owner;
}

export const anyMember: Predicate = () => true;
export const canManage: Predicate = canManageCommunity;
export const canModerate: Predicate = canModerateCommunity;
/** `is_owner` of the reference: the community owner or instance staff. */
export const ownerLevel: Predicate = (role) => roleLevel(role) >= roleLevel('owner');
export function mayCreateInvite(role: EffectiveRole, community: { who_can_create_invites: CommunityPolicy }) {
  return meetsPolicy(role, community.who_can_create_invites);
}

/** Kick, ban, time out, warn, rename: strictly above the target, who is never the owner. */
export function mayActOn(actor: EffectiveRole, target: CommunityRole | null): boolean {
  return target !== 'owner' && outranks(actor, target);
}

/** Member and moderator need a manager above the target; admin also needs owner level. */
export function mayAssignRole(actor: EffectiveRole, target: CommunityRole, role: CommunityRole): boolean {
  return canManageCommunity(actor) && mayActOn(actor, target) && (role !== 'admin' || ownerLevel(actor));
}

/** Anyone their own; a manager someone they outrank. */
export function mayRename(
  actor: EffectiveRole,
  actorId: string,
  targetId: string,
  target: CommunityRole | null,
) {
  return actorId === targetId || (canManageCommunity(actor) && mayActOn(actor, target));
}
