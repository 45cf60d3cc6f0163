import type { CommunityBan, TimeoutBody, UserTimeout, UserWarning, WarnBody } from '@chatalot/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { storedChannelRole, storedCommunityRole } from '../permissions/access.js';
import { removeCommunityMember } from '../permissions/membership.js';
import type { EffectiveRole } from '../permissions/roles.js';
import type { UserRecord } from '../users/users.present.js';
import { authorize, canModerate, lockAndAuthorize, mayActOn } from './communities.policy.js';
import {
  presentBan,
  presentTimedOut,
  presentTimeout,
  presentWarned,
  presentWarning,
} from './communities.present.js';
import {
  channelInCommunity,
  deleteBan,
  deleteTimeout,
  insertBan,
  insertWarning,
  listBans,
  listWarnings,
  upsertTimeout,
  userExists,
} from './communities.repo.js';

type Trx = Transaction<Schema>;

const MAX_BANS_LISTED = 500;
const MAX_WARNINGS_LISTED = 500;

/** Kicks, bans, and per-channel timeouts and warnings by community moderators (permissions.md §9). */
export class ModerationService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  /** Out of the community, its groups and their channels; a new invite lets them back. */
  async kick(user: UserRecord, communityId: string, targetId: string, origin: RequestOrigin): Promise<void> {
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      const actor = await lockAndAuthorize(trx, user, communityId, canModerate);
      if (targetId === user.id) throw invalid('you cannot kick yourself; use leave instead');
      const target = await storedCommunityRole(trx, communityId, targetId);
      if (target === null) throw new AppError('not_found', 'member not found');
      if (!mayActOn(actor, target)) throw new AppError('forbidden');
      const channelIds = await removeCommunityMember(trx, communityId, targetId);
      await recordAudit(trx, 'community_kick', actorOf(user.id, origin), {
        community_id: communityId,
        target_id: targetId,
      });
      emit({ kind: 'access_revoked', userId: targetId, channelIds });
    });
  }

  /** Members are removed as by a kick; anyone else can be banned in advance. Banning twice keeps the first. */
  async ban(
    user: UserRecord,
    communityId: string,
    targetId: string,
    reason: string | undefined,
    origin: RequestOrigin,
  ): Promise<void> {
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      const actor = await lockAndAuthorize(trx, user, communityId, canModerate);
      if (targetId === user.id) throw invalid('you cannot ban yourself');
      if (!(await userExists(trx, targetId))) throw new AppError('not_found', 'user not found');
      const target = await storedCommunityRole(trx, communityId, targetId);
      if (!mayActOn(actor, target)) throw new AppError('forbidden');
      await insertBan(trx, {
        community_id: communityId,
        user_id: targetId,
        banned_by: user.id,
        reason: reason || null,
      });
      await recordAudit(trx, 'community_ban', actorOf(user.id, origin), {
        community_id: communityId,
        target_id: targetId,
        reason: reason || null,
      });
      if (target === null) return;
      const channelIds = await removeCommunityMember(trx, communityId, targetId);
      emit({ kind: 'access_revoked', userId: targetId, channelIds });
    });
  }

  async unban(user: UserRecord, communityId: string, targetId: string, origin: RequestOrigin): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await authorize(trx, user, communityId, canModerate);
      if (!(await deleteBan(trx, communityId, targetId))) throw new AppError('not_found', 'ban not found');
      await recordAudit(trx, 'community_unban', actorOf(user.id, origin), {
        community_id: communityId,
        target_id: targetId,
      });
    });
  }

  async bans(user: UserRecord, communityId: string): Promise<CommunityBan[]> {
    await authorize(this.db, user, communityId, canModerate);
    return (await listBans(this.db, communityId, MAX_BANS_LISTED)).map(presentBan);
  }

  /** Replaces any timeout the user has in the channel; the channel hears of it (`user_timed_out`). */
  async timeout(
    user: UserRecord,
    communityId: string,
    channelId: string,
    body: TimeoutBody,
  ): Promise<UserTimeout> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const actor = await authorize(trx, user, communityId, canModerate);
      await checkTarget(trx, { actor, user, communityId, channelId, targetId: body.user_id }, 'time out');
      const timeout = await upsertTimeout(trx, {
        id: uuidv7(),
        user_id: body.user_id,
        channel_id: channelId,
        issued_by: user.id,
        reason: body.reason || null,
        expires_at: new Date(this.clock.now() + body.duration_seconds * 1000),
      });
      emit(frameEvent({ kind: 'channel', channelId }, presentTimedOut(timeout)));
      return presentTimeout(timeout);
    });
  }

  async removeTimeout(
    user: UserRecord,
    communityId: string,
    channelId: string,
    targetId: string,
    origin: RequestOrigin,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await authorize(trx, user, communityId, canModerate);
      await requireChannel(trx, communityId, channelId);
      if (!(await deleteTimeout(trx, channelId, targetId, new Date(this.clock.now())))) {
        throw new AppError('not_found', 'no active timeout found');
      }
      await recordAudit(trx, 'timeout_removed', actorOf(user.id, origin), {
        channel_id: channelId,
        target_id: targetId,
      });
    });
  }

  /** The channel hears of it with the user's warning count there (`user_warned`). */
  async warn(user: UserRecord, communityId: string, channelId: string, body: WarnBody): Promise<UserWarning> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const actor = await authorize(trx, user, communityId, canModerate);
      await checkTarget(trx, { actor, user, communityId, channelId, targetId: body.user_id }, 'warn');
      const { warning, count } = await insertWarning(trx, {
        id: uuidv7(),
        user_id: body.user_id,
        channel_id: channelId,
        issued_by: user.id,
        reason: body.reason,
      });
      emit(frameEvent({ kind: 'channel', channelId }, presentWarned(warning, count)));
      return presentWarning(warning);
    });
  }

  async warnings(
    user: UserRecord,
    communityId: string,
    channelId: string,
    targetId: string,
  ): Promise<UserWarning[]> {
    await authorize(this.db, user, communityId, canModerate);
    await requireChannel(this.db, communityId, channelId);
    return (await listWarnings(this.db, channelId, targetId, MAX_WARNINGS_LISTED)).map(presentWarning);
  }
}

async function requireChannel(db: Kysely<Schema> | Trx, communityId: string, channelId: string) {
  if (!(await channelInCommunity(db, communityId, channelId))) {
    throw new AppError('not_found', 'channel not found in this community');
  }
}

interface Target {
  actor: EffectiveRole;
  user: UserRecord;
  communityId: string;
  channelId: string;
  targetId: string;
}

/** A channel of this community, someone else, below the actor in the community, and in the channel. */
async function checkTarget(trx: Trx, target: Target, verb: string): Promise<void> {
  const { actor, user, communityId, channelId, targetId } = target;
  await requireChannel(trx, communityId, channelId);
  if (targetId === user.id) throw invalid(`you cannot ${verb} yourself`);
  if (!mayActOn(actor, await storedCommunityRole(trx, communityId, targetId)))
    throw new AppError('forbidden');
  if ((await storedChannelRole(trx, channelId, targetId)) === null) {
    throw invalid('user is not a member of this channel');
  }
}
