import type {
  Community,
  CommunityGroupEntry,
  CommunityMember,
  CreateCommunityBody,
  UpdateCommunityBody,
} from '@chatalot/protocol';
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Config } from '../../config.js';
import type { CommunitiesTable, CommunityRole, Schema, UsersTable } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { storedCommunityRole } from '../permissions/access.js';
import { addCommunityMember, removeCommunityMember } from '../permissions/membership.js';
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
import {
  presentCommunity,
  presentCommunityUpdate,
  presentGroup,
  presentMember,
} from './communities.present.js';
import {
  channelMembershipsIn,
  deleteCommunity,
  demoteOwners,
  findCommunity,
  insertCommunity,
  listCommunitiesOf,
  listMembers,
  listVisibleGroups,
  updateCommunity,
  updateMember,
} from './communities.repo.js';
import { normaliseTheme } from './theme.js';

type Caller = Selectable<UsersTable>;
type Db = Kysely<Schema> | Transaction<Schema>;
interface Page {
  limit: number;
  offset: number;
}

const invalid = (message: string) => new AppError('validation_error', message);

async function mustFind(db: Db, communityId: string) {
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
  async list(user: Caller, page: Page): Promise<Community[]> {
    return (await listCommunitiesOf(this.db, user.id, page.limit, page.offset)).map(presentCommunity);
  }

  async create(user: Caller, body: CreateCommunityBody): Promise<Community> {
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
      return presentCommunity(await mustFind(trx, id));
    });
  }

  async get(user: Caller, communityId: string): Promise<Community> {
    await authorize(this.db, user, communityId, anyMember);
    return presentCommunity(await mustFind(this.db, communityId));
  }

  /** Every member's sessions hear of a change (`community_updated`). */
  async update(user: Caller, communityId: string, body: UpdateCommunityBody): Promise<Community> {
    const changes = communityChanges(body);
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockAndAuthorize(trx, user, communityId, canManage);
      if (Object.keys(changes).length === 0) return presentCommunity(await mustFind(trx, communityId));
      await updateCommunity(trx, communityId, changes);
      const community = await mustFind(trx, communityId);
      emit(frameEvent({ kind: 'community', communityId }, presentCommunityUpdate(community)));
      return presentCommunity(community);
    });
  }

  /** The foreign keys take the groups, channels, memberships, invites and bans with it. */
  async delete(user: Caller, communityId: string): Promise<void> {
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
  async transferOwnership(user: Caller, communityId: string, newOwnerId: string): Promise<void> {
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

  async leave(user: Caller, communityId: string): Promise<void> {
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
  async members(user: Caller, communityId: string, page: Page): Promise<CommunityMember[]> {
    await authorize(this.db, user, communityId, anyMember);
    return (await listMembers(this.db, communityId, page.limit, page.offset)).map(presentMember);
  }

  async setRole(user: Caller, communityId: string, targetId: string, role: CommunityRole): Promise<void> {
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
  async setNickname(user: Caller, communityId: string, targetId: string, nickname: string | undefined) {
    const actor = await authorize(this.db, user, communityId, anyMember);
    const target = await storedCommunityRole(this.db, communityId, targetId);
    if (!mayRename(actor, user.id, targetId, target)) throw new AppError('forbidden');
    await updateMember(this.db, communityId, targetId, { nickname: nickname || null });
  }

  /** The groups the caller is in, and the public discoverable ones. */
  async groups(user: Caller, communityId: string): Promise<CommunityGroupEntry[]> {
    await authorize(this.db, user, communityId, anyMember);
    return (await listVisibleGroups(this.db, communityId, user.id)).map(presentGroup);
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
