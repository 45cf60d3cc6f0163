import { type CreateGroupBody, groupLimits, type UpdateGroupBody } from '@chatalot/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Db, GroupRole, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent, rotationRequired } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { openChannel } from '../channels/channels.service.js';
import {
  effectiveGroupRole,
  isCommunityBanned,
  loadGroupStanding,
  storedCommunityRole,
  storedGroupRole,
} from '../permissions/access.js';
import { addGroupMember, removeGroupMember } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import {
  canCreateGroup,
  canCreatePersonalGroup,
  canDeleteGroup,
  canJoinGroup,
  canManageGroup,
  canSetAllowInvites,
  canTransferGroup,
  canViewGroup,
  type GroupActor,
  isPersonal,
} from './groups.policy.js';
import { groupUpdatedFrame } from './groups.present.js';
import {
  addCommunityToGroup,
  audienceOf,
  countCommunityMembers,
  countGroups,
  deleteGroup,
  findGroup,
  type GroupMemberRecord,
  type GroupRecord,
  getGroup,
  groupChannelIds,
  insertGroup,
  listAllGroups,
  listDiscoverable,
  listGroupsOf,
  listMembers,
  listVisibleIn,
  lockCommunity,
  membershipsByUser,
  setGroupRole,
  updateGroup,
} from './groups.repo.js';

export interface GroupAccess {
  group: GroupRecord;
  actor: GroupActor;
  role: GroupRole | null;
}

export async function loadActor(
  db: Db,
  user: UserRecord,
  communityId: string,
  groupId: string | null,
): Promise<GroupActor> {
  return { userId: user.id, ...(await loadGroupStanding(db, user, communityId, groupId)) };
}

/** The group, or 404. */
export async function requireGroup(db: Db, groupId: string): Promise<GroupRecord> {
  const group = await findGroup(db, groupId);
  if (!group) throw new AppError('not_found', 'group not found');
  return group;
}

/** The group and the caller's standing in it; 404 when there is no such group. */
export async function loadGroupAccess(db: Db, user: UserRecord, groupId: string): Promise<GroupAccess> {
  const group = await requireGroup(db, groupId);
  const actor = await loadActor(db, user, group.community_id, group.id);
  return { group, actor, role: effectiveGroupRole(group, actor) };
}

/** Like `loadGroupAccess`, then 403 unless the caller's effective role passes `allowed`. */
export async function requireGroupRole(
  db: Db,
  user: UserRecord,
  groupId: string,
  allowed: (role: GroupRole | null) => boolean,
): Promise<GroupAccess> {
  const access = await loadGroupAccess(db, user, groupId);
  if (!allowed(access.role)) throw new AppError('forbidden');
  return access;
}

/** `GET /api/communities/{cid}/groups`: the community's groups the user is in or may discover. */
export function visibleGroupsIn(db: Db, communityId: string, userId: string): Promise<GroupRecord[]> {
  return listVisibleIn(db, communityId, userId);
}

/** Group CRUD and membership (rest-api.md §8.1); every decision is asked of `groups.policy.ts`. */
export class GroupsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
  ) {}

  listMine(user: UserRecord): Promise<GroupRecord[]> {
    return listGroupsOf(this.db, user.id);
  }

  discover(user: UserRecord): Promise<GroupRecord[]> {
    return user.is_owner
      ? listAllGroups(this.db, groupLimits.discoverListed)
      : listDiscoverable(this.db, user.id, groupLimits.discoverListed);
  }

  async get(user: UserRecord, groupId: string): Promise<GroupRecord> {
    return (await requireGroupRole(this.db, user, groupId, canViewGroup)).group;
  }

  create(user: UserRecord, body: CreateGroupBody): Promise<GroupRecord> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const plan = await planGroup(trx, user, body);
      const groupId = uuidv7();
      await insertGroup(trx, {
        id: groupId,
        name: body.name,
        description: body.description || null,
        owner_id: user.id,
        community_id: plan.communityId,
        visibility: plan.visibility,
        assigned_member_id: plan.assignedId,
        // Personal groups stay out of discovery and redact their invite previews.
        ...(plan.assignedId !== null && { discoverable: false }),
      });
      await populateGroup(trx, groupId, user, plan);
      return getGroup(trx, groupId);
    });
  }

  update(user: UserRecord, groupId: string, body: UpdateGroupBody): Promise<GroupRecord> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { group, actor } = await requireGroupRole(trx, user, groupId, canManageGroup);
      if (body.allow_invites !== undefined && !canSetAllowInvites(actor)) throw new AppError('forbidden');
      if (isPersonal(group) && body.visibility === 'public') {
        throw new AppError('validation_error', 'personal groups are always private');
      }
      // The body's fields are the columns' names; Kysely leaves out the ones that are undefined.
      await updateGroup(trx, group.id, body);
      const updated = await getGroup(trx, group.id);
      emit(frameEvent({ kind: 'community', communityId: group.community_id }, groupUpdatedFrame(updated)));
      return updated;
    });
  }

  delete(user: UserRecord, groupId: string, origin: RequestOrigin): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { group, actor } = await loadGroupAccess(trx, user, groupId);
      if (!canDeleteGroup(group, actor)) throw new AppError('forbidden');
      const channelIds = await groupChannelIds(trx, group.id);
      const audience = await audienceOf(trx, group.community_id, channelIds);
      const lost = await membershipsByUser(trx, channelIds);
      await deleteGroup(trx, group.id);
      await recordAudit(trx, 'group_deleted', actorOf(user.id, origin), {
        group_id: group.id,
        name: group.name,
      });
      emit(frameEvent({ kind: 'users', userIds: audience }, { type: 'group_deleted', group_id: group.id }));
      revokeAll(emit, lost);
    });
  }

  transferOwnership(user: UserRecord, groupId: string, newOwnerId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const { group, actor } = await loadGroupAccess(trx, user, groupId);
      if (!canTransferGroup(actor)) throw new AppError('forbidden');
      if (isPersonal(group)) {
        throw new AppError('validation_error', 'cannot transfer ownership of a personal group');
      }
      if ((await storedGroupRole(trx, group.id, newOwnerId)) === null) {
        throw new AppError('validation_error', 'target user must be a member of this group');
      }
      await setGroupRole(trx, group.id, user.id, 'admin');
      await setGroupRole(trx, group.id, newOwnerId, 'owner');
      await updateGroup(trx, group.id, { owner_id: newOwnerId });
    });
  }

  /** Idempotent; joins every channel of the group the caller is not banned from. */
  join(user: UserRecord, groupId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const { group, actor } = await loadGroupAccess(trx, user, groupId);
      if (!canJoinGroup(group, actor)) throw new AppError('forbidden');
      await addGroupMember(trx, group.id, user.id, 'member');
    });
  }

  leave(user: UserRecord, groupId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { group, actor } = await loadGroupAccess(trx, user, groupId);
      if (actor.groupRole === null) throw new AppError('forbidden');
      if (actor.groupRole === 'owner') {
        throw new AppError(
          'validation_error',
          'owner cannot leave; transfer ownership or delete the group instead',
        );
      }
      const channelIds = await removeGroupMember(trx, group.id, user.id);
      emit({ kind: 'access_revoked', userId: user.id, channelIds });
      for (const channelId of channelIds) emit(rotationRequired(channelId, 'member_left'));
    });
  }

  async members(
    user: UserRecord,
    groupId: string,
    page: { limit: number; offset: number },
  ): Promise<GroupMemberRecord[]> {
    const { group } = await requireGroupRole(this.db, user, groupId, canViewGroup);
    return listMembers(this.db, group.id, page.limit, page.offset);
  }
}

/** Each former member hears which channels they can no longer see. */
export function revokeAll(emit: Emit, lost: Map<string, string[]>): void {
  for (const [userId, channelIds] of lost) emit({ kind: 'access_revoked', userId, channelIds });
}

interface GroupPlan {
  communityId: string;
  communityOwnerId: string | null;
  assignedId: string | null;
  visibility: 'public' | 'private';
}

/** Every check `POST /api/groups` makes before writing anything (rest-api.md §8.1, fixed per §30.3). */
async function planGroup(
  trx: Transaction<Schema>,
  user: UserRecord,
  body: CreateGroupBody,
): Promise<GroupPlan> {
  const community = await lockCommunity(trx, body.community_id);
  const actor = await loadActor(trx, user, body.community_id, null);
  if (!community || !canCreateGroup(actor, community.who_can_create_groups)) throw new AppError('forbidden');
  const assignedId = body.assigned_member_id ?? null;
  if (assignedId !== null) {
    if (!canCreatePersonalGroup(actor)) throw new AppError('forbidden');
    const role = await storedCommunityRole(trx, community.id, assignedId);
    if (role === null || (await isCommunityBanned(trx, community.id, assignedId))) {
      throw new AppError('validation_error', 'assigned member must be a member of this community');
    }
  }
  const { groupsPerCommunity, publicAutoJoinMembers } = groupLimits;
  if ((await countGroups(trx, community.id)) >= groupsPerCommunity) {
    throw new AppError('validation_error', `maximum of ${groupsPerCommunity} groups per community`);
  }
  const visibility = assignedId === null ? (body.visibility ?? 'public') : 'private';
  if (visibility === 'public' && (await countCommunityMembers(trx, community.id)) > publicAutoJoinMembers) {
    throw new AppError(
      'validation_error',
      `public groups are limited to communities of at most ${publicAutoJoinMembers} members`,
    );
  }
  return { communityId: community.id, communityOwnerId: community.owner_id, assignedId, visibility };
}

/**
 * The owner (the assigned member of a personal group, else the creator) and `#general`, which they own;
 * then everyone for a public group, or the community owner for a private one.
 */
async function populateGroup(trx: Transaction<Schema>, groupId: string, user: UserRecord, plan: GroupPlan) {
  const ownerId = plan.assignedId ?? user.id;
  await addGroupMember(trx, groupId, ownerId, 'owner');
  const general = await openChannel(trx, ownerId, {
    name: 'general',
    channel_type: 'text',
    group_id: groupId,
  });
  if (plan.visibility === 'public') {
    await addCommunityToGroup(trx, plan.communityId, groupId, general.id);
  } else if (
    plan.assignedId === null &&
    plan.communityOwnerId !== null &&
    plan.communityOwnerId !== user.id
  ) {
    await addGroupMember(trx, groupId, plan.communityOwnerId, 'member');
  }
}
