import type { Kysely, Transaction } from 'kysely';
import type { ChannelRole, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent, rotationRequired } from '../../platform/events/hub.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { type EffectiveRole, withInstanceRole } from '../permissions/roles.js';
import { forgetSenderKeys } from '../sender-keys/sender-keys.service.js';
import type { UserRecord } from '../users/users.present.js';
import { canChangeRole, canRemoveMember, hasModeratorLevel, hasOwnerLevel } from './channels.policy.js';
import { presentRemoval, presentRoleUpdate } from './channels.present.js';
import {
  deleteBan,
  findMember,
  findOwnerIds,
  insertBan,
  type MemberRecord,
  removeMember,
  setMemberRole,
} from './channels.repo.js';
import { channelFor } from './channels.service.js';

type Trx = Transaction<Schema>;

/** Channel roles, kicks, bans and ownership (rest-api.md §9, permissions.md §6, §9). */
export class ChannelModerationService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
  ) {}

  changeRole(actor: UserRecord, channelId: string, targetId: string, role: Exclude<ChannelRole, 'owner'>) {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { role: actorRole } = await channelFor(trx, actor, channelId, hasOwnerLevel);
      if (targetId === actor.id) throw new AppError('validation_error', 'cannot change your own role');
      const target = await memberOrNotFound(trx, channelId, targetId);
      if (!canChangeRole(actorRole, effectiveRole(target), target.role)) throw new AppError('forbidden');
      await setMemberRole(trx, channelId, targetId, role);
      emit(roleUpdated(channelId, targetId, role));
    });
  }

  kick(actor: UserRecord, channelId: string, targetId: string, origin: RequestOrigin): Promise<void> {
    return inTransaction(this.db, this.hub, (trx, emit) =>
      removeFromChannel(trx, emit, { actor, origin, channelId, targetId, ban: null }),
    );
  }

  /** A ban is a kick that also blocks joining again. */
  ban(actor: UserRecord, channelId: string, targetId: string, reason: string | null, origin: RequestOrigin) {
    return inTransaction(this.db, this.hub, (trx, emit) =>
      removeFromChannel(trx, emit, { actor, origin, channelId, targetId, ban: { reason } }),
    );
  }

  unban(actor: UserRecord, channelId: string, targetId: string, origin: RequestOrigin): Promise<void> {
    return this.db.transaction().execute(async (trx) => {
      await channelFor(trx, actor, channelId, hasModeratorLevel);
      if (!(await deleteBan(trx, channelId, targetId))) throw new AppError('not_found', 'ban not found');
      await recordAudit(trx, 'channel_unban', actorOf(actor.id, origin), {
        channel_id: channelId,
        target_id: targetId,
      });
    });
  }

  /**
   * The new owner must be a member. Whoever owned the channel becomes admin — the real owner, not the
   * caller, when instance staff hand over a channel they do not own — so there is always one owner.
   */
  transferOwnership(actor: UserRecord, channelId: string, newOwnerId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      await channelFor(trx, actor, channelId, hasOwnerLevel);
      const target = await findMember(trx, channelId, newOwnerId);
      if (!target) {
        throw new AppError('validation_error', 'target user must be a member of this channel');
      }
      if (target.role === 'owner') throw new AppError('validation_error', 'user already owns this channel');
      for (const ownerId of await findOwnerIds(trx, channelId)) {
        await setMemberRole(trx, channelId, ownerId, 'admin');
        emit(roleUpdated(channelId, ownerId, 'admin'));
      }
      await setMemberRole(trx, channelId, newOwnerId, 'owner');
      emit(roleUpdated(channelId, newOwnerId, 'owner'));
    });
  }
}

interface Removal {
  actor: UserRecord;
  origin: RequestOrigin;
  channelId: string;
  targetId: string;
  ban: { reason: string | null } | null;
}

/** Kick or ban: the target must be a member and strictly below the actor; they lose access after commit. */
async function removeFromChannel(trx: Trx, emit: Emit, removal: Removal): Promise<void> {
  const { actor, origin, channelId, targetId, ban } = removal;
  const { role } = await channelFor(trx, actor, channelId, hasModeratorLevel);
  const target = await memberOrNotFound(trx, channelId, targetId);
  if (!canRemoveMember(role, effectiveRole(target))) throw new AppError('forbidden');
  await removeMember(trx, channelId, targetId);
  await forgetSenderKeys(trx, targetId, [channelId]);
  if (ban) await insertBan(trx, { channelId, userId: targetId, bannedBy: actor.id, reason: ban.reason });
  await recordAudit(trx, ban ? 'channel_ban' : 'channel_kick', actorOf(actor.id, origin), {
    channel_id: channelId,
    target_id: targetId,
    ...(ban && { reason: ban.reason }),
  });
  emit(
    frameEvent({ kind: 'channel', channelId }, presentRemoval(channelId, targetId, actor.id, ban !== null)),
  );
  emit({ kind: 'access_revoked', userId: targetId, channelIds: [channelId] });
  emit(rotationRequired(channelId, 'member_removed'));
}

async function memberOrNotFound(trx: Trx, channelId: string, userId: string): Promise<MemberRecord> {
  const member = await findMember(trx, channelId, userId);
  if (!member) throw new AppError('not_found', 'member not found');
  return member;
}

function effectiveRole(member: MemberRecord): EffectiveRole {
  return withInstanceRole(member, member.role) ?? member.role;
}

function roleUpdated(channelId: string, userId: string, role: ChannelRole) {
  return frameEvent({ kind: 'channel', channelId }, presentRoleUpdate(channelId, userId, role));
}
