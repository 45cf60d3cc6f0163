import type { Selectable } from 'kysely';
import type { ChannelRole, CommunityRole, Db, GroupRole, UsersTable } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { canModerateCommunity, type EffectiveRole, withInstanceRole } from './roles.js';

type User = Pick<Selectable<UsersTable>, 'id' | 'is_owner' | 'is_admin'>;

/** Read-only membership lookups that every domain's policy builds on. */
export async function storedCommunityRole(
  db: Db,
  communityId: string,
  userId: string,
): Promise<CommunityRole | null> {
  const row = await db
    .selectFrom('community_members')
    .select('role')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function isCommunityBanned(db: Db, communityId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('community_bans')
    .select('user_id')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The community gate (rest-api.md §1.2): instance staff pass with their instance role; everyone else
 * must be a member and not banned, else 403 — also for a community that does not exist, so that ids
 * cannot be probed.
 */
export async function communityGate(db: Db, user: User, communityId: string): Promise<EffectiveRole> {
  const instanceRole = withInstanceRole(user, null);
  if (instanceRole !== null) return instanceRole;
  if (await isCommunityBanned(db, communityId, user.id)) throw new AppError('forbidden');
  const role = await storedCommunityRole(db, communityId, user.id);
  if (role === null) throw new AppError('forbidden');
  return role;
}

export async function storedGroupRole(db: Db, groupId: string, userId: string): Promise<GroupRole | null> {
  const row = await db
    .selectFrom('group_members')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** What a user's effective group role depends on, read fresh for each request. */
export interface GroupStanding {
  isInstanceOwner: boolean;
  /** Stored roles; null when the user has no row. */
  groupRole: GroupRole | null;
  communityRole: CommunityRole | null;
  communityBanned: boolean;
}

/** The user's standing in a community and, unless `groupId` is null, in one of its groups. */
export async function loadGroupStanding(
  db: Db,
  user: User,
  communityId: string,
  groupId: string | null,
): Promise<GroupStanding> {
  return {
    isInstanceOwner: user.is_owner,
    groupRole: groupId === null ? null : await storedGroupRole(db, groupId, user.id),
    communityRole: await storedCommunityRole(db, communityId, user.id),
    communityBanned: await isCommunityBanned(db, communityId, user.id),
  };
}

/**
 * Effective group role (permissions.md §5): the instance owner is at least `admin`; otherwise the stored
 * role; community moderators and up are `admin` of personal groups. A community ban cancels everything
 * but the first. Instance admins get nothing here.
 */
export function effectiveGroupRole(
  group: { assigned_member_id: string | null },
  standing: GroupStanding,
): GroupRole | null {
  if (standing.isInstanceOwner) return standing.groupRole === 'owner' ? 'owner' : 'admin';
  if (standing.communityBanned) return null;
  if (standing.groupRole !== null) return standing.groupRole;
  const personal = group.assigned_member_id !== null;
  return personal && canModerateCommunity(standing.communityRole) ? 'admin' : null;
}

export async function storedChannelRole(
  db: Db,
  channelId: string,
  userId: string,
): Promise<ChannelRole | null> {
  const row = await db
    .selectFrom('channel_members')
    .select('role')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** Effective channel role: instance staff first, then the stored channel role; null for non-members. */
export async function effectiveChannelRole(
  db: Db,
  user: User,
  channelId: string,
): Promise<EffectiveRole | null> {
  return withInstanceRole(user, await storedChannelRole(db, channelId, user.id));
}
