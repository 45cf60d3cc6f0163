import type {
  Community,
  CommunityMember,
  CreateCommunityBody,
  Group,
  UpdateCommunityBody,
} from '@chatalot/protocol';
import type { Kysely, Updateable } from 'kysely';
import type { Config } from '../../config.js';
import type { CommunitiesTable, CommunityRole, Db, Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { presentGroup } from '../groups/groups.present.js';
import { visibleGroupsIn } from '../groups/groups.service.js';
import { storedCommunityRole } from '../permissions/access.js';
import { addCommunityMember, removeCommunityMember } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import {
  anyMember,
  authorize,
  canManage,
  lockAndAuthorize,
  mayAssignRole,
  mayCreateCommunity,
  mayRename,
  ownerLevel,
} from './communities.policy.js';
import { presentCommunity, presentCommunityUpdate, presentMember } from './communities.present.js';
import {
  channelMembershipsIn,
  deleteCommunity,
  demoteOwners,
  findCommunity,
  insertCommunity,
  listCommunitiesOf,
  listMembers,
  updateCommunity,
  updateMember,
} from './communities.repo.js';
import { normaliseTheme } from './theme.js';

interface Page {
  limit: number;
  offset: number;
}

/** The community, or 404. */
export async function requireCommunity(db: Db, communityId: string) {
  const community = await findCommunity(db, communityId);
  if (!community) throw new AppError('not_found', 'community not found');
  return community;
}

/** Communities, their settings and their members (rest-api.md §7). */
export class CommunitiesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly config: Readonly<Config>,
  ) {}

  /** The caller's communities, by name. */
  async list(user: UserRecord, page: Page): Promise<Community[]> {
    return (await listCommunitiesOf(this.db, user.id, page.limit, page.offset)).map(presentCommunity);
  }

  async create(user: UserRecord, body: CreateCommunityBody): Promise<Community> {
    if (!mayCreateCommunity(user, this.config.communityCreationMode)) throw new AppError('forbidden');
    const id = uuidv7();
    return this.db.transaction().execute(async (trx) => {
      await insertCommunity(trx, {
        id,
        name: body.name,
        description: body.description || null,
        owner_id: user.id,
      });
      await addCommunityMember(trx, id, user.id, 'owner');
      return presentCommunity(await requireCommunity(trx, id));
    });
  }

  async get(user: UserRecord, communityId: string): Promise<Community> {
    await authorize(this.db, user, communityId, anyMember);
    return presentCommunity(await requireCommunity(this.db, communityId));
  }

  /** Every member's sessions hear of a change (`community_updated`). */
  async update(user: UserRecord, communityId: string, body: UpdateCommunityBody): Promise<Community> {
    const changes = communityChanges(body);
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockAndAuthorize(trx, user, communityId, canManage);
      if (Object.keys(changes).length === 0)
        return presentCommunity(await requireCommunity(trx, communityId));
      await updateCommunity(trx, communityId, changes);
      const community = await requireCommunity(trx, communityId);
      emit(frameEvent({ kind: 'community', communityId }, presentCommunityUpdate(community)));
      return presentCommunity(community);
    });
  }

  /** The foreign keys take the groups, channels, memberships, invites and bans with it. */
  async delete(user: UserRecord, communityId: string): Promise<void> {
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockAndAuthorize(trx, user, communityId, ownerLevel);
      const lost = new Map<string, string[]>();
      for (const row of await channelMembershipsIn(trx, communityId)) {
        lost.set(row.user_id, [...(lost.get(row.user_id) ?? []), row.channel_id]);
      }
      await deleteCommunity(trx, communityId);
      for (const [userId, channelIds] of lost) emit({ kind: 'access_revoked', userId, channelIds });
    });
  }

  /**
   * Whoever holds ownership becomes an admin, also when instance staff make the transfer (the reference
   * demoted the caller instead and left two owners).
   */
  async transferOwnership(user: UserRecord, communityId: string, newOwnerId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockAndAuthorize(trx, user, communityId, ownerLevel);
      const target = await storedCommunityRole(trx, communityId, newOwnerId);
      if (target === null) throw invalid('target user must be a member of this community');
      if (target === 'owner') throw invalid('that member already owns this community');
      await demoteOwners(trx, communityId);
      await updateMember(trx, communityId, newOwnerId, { role: 'owner' });
      await updateCommunity(trx, communityId, { owner_id: newOwnerId });
    });
  }

  async leave(user: UserRecord, communityId: string): Promise<void> {
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockAndAuthorize(trx, user, communityId, anyMember);
      const role = await storedCommunityRole(trx, communityId, user.id);
      if (role === 'owner') {
        throw invalid('owner cannot leave; transfer ownership or delete the community instead');
      }
      if (role === null) throw invalid('you are not a member of this community');
      const channelIds = await removeCommunityMember(trx, communityId, user.id);
      emit({ kind: 'access_revoked', userId: user.id, channelIds });
    });
  }

  /** Owner, admins, moderators, members; each by join date. */
  async members(user: UserRecord, communityId: string, page: Page): Promise<CommunityMember[]> {
    await authorize(this.db, user, communityId, anyMember);
    return (await listMembers(this.db, communityId, page.limit, page.offset)).map(presentMember);
  }

  async setRole(user: UserRecord, communityId: string, targetId: string, role: CommunityRole): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const actor = await lockAndAuthorize(trx, user, communityId, canManage);
      if (targetId === user.id) throw invalid('you cannot change your own role');
      const target = await storedCommunityRole(trx, communityId, targetId);
      if (target === null) throw new AppError('not_found', 'member not found');
      if (target === 'owner') throw invalid("the owner's role changes only by transferring ownership");
      if (!mayAssignRole(actor, target, role)) throw new AppError('forbidden');
      await updateMember(trx, communityId, targetId, { role });
    });
  }

  /** Setting a nickname for someone who is not a member changes nothing, as in the reference. */
  async setNickname(user: UserRecord, communityId: string, targetId: string, nickname: string | undefined) {
    const actor = await authorize(this.db, user, communityId, anyMember);
    const target = await storedCommunityRole(this.db, communityId, targetId);
    if (!mayRename(actor, user.id, targetId, target)) throw new AppError('forbidden');
    await updateMember(this.db, communityId, targetId, { nickname: nickname || null });
  }

  /** The groups the caller is in, and the public discoverable ones. */
  async groups(user: UserRecord, communityId: string): Promise<Group[]> {
    await authorize(this.db, user, communityId, anyMember);
    return (await visibleGroupsIn(this.db, communityId, user.id)).map(presentGroup);
  }
}

/** Absent fields stay; "" clears the nullable ones; the theme is checked and sanitised here. */
function communityChanges(body: UpdateCommunityBody): Updateable<CommunitiesTable> {
  const theme = body.community_theme === undefined ? undefined : normaliseTheme(body.community_theme);
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.description !== undefined && { description: body.description || null }),
    ...(body.icon_url !== undefined && { icon_url: body.icon_url || null }),
    ...(body.banner_url !== undefined && { banner_url: body.banner_url || null }),
    ...(body.who_can_create_groups !== undefined && { who_can_create_groups: body.who_can_create_groups }),
    ...(body.who_can_create_invites !== undefined && { who_can_create_invites: body.who_can_create_invites }),
    ...(body.discoverable !== undefined && { discoverable: body.discoverable }),
    ...(body.welcome_message !== undefined && { welcome_message: body.welcome_message || null }),
    ...(theme !== undefined && { community_theme: theme && JSON.stringify(theme) }),
  };
}
