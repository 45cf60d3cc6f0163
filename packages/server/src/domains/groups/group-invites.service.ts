import { type CreateGroupInviteBody, groupLimits } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import type { EventHub } from '../../platform/events/hub.js';
import { alphanumeric, randomCode, uuidv7 } from '../../platform/ids.js';
import { storedGroupRole } from '../permissions/access.js';
import { addGroupMember } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import { canManageGroup, inCommunity, invitesDisabledFor } from './groups.policy.js';
import {
  consumeInvite,
  deleteInvite,
  findGroup,
  findInviteByCode,
  type GroupInviteRecord,
  type GroupRecord,
  insertInvite,
  listInvites,
} from './groups.repo.js';
import { loadActor, requireGroupRole } from './groups.service.js';

const CODE_LENGTH = 12;
const HOUR_MS = 3_600_000;
/** Codes are ours, so anything else cannot be one; checking first also keeps odd bytes away from SQL. */
const plausibleCode = new RegExp(`^[A-Za-z0-9]{1,${groupLimits.inviteCodeMaxLength}}$`);

type InviteState = 'valid' | 'expired' | 'used_up';

/** Group invites (rest-api.md §8.3): managed by the group's effective owners and admins. */
export class GroupInvitesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  async list(user: UserRecord, groupId: string): Promise<GroupInviteRecord[]> {
    const { group } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    return listInvites(this.db, group.id, groupLimits.invitesListed);
  }

  async create(user: UserRecord, groupId: string, body: CreateGroupInviteBody): Promise<GroupInviteRecord> {
    const { group, actor } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    if (invitesDisabledFor(group, actor)) {
      throw new AppError('validation_error', 'invites are disabled for this personal group');
    }
    const hours = body.expires_in_hours;
    return insertInvite(this.db, {
      id: uuidv7(),
      group_id: group.id,
      created_by: user.id,
      code: randomCode(CODE_LENGTH, alphanumeric),
      max_uses: body.max_uses ?? null,
      expires_at: hours === undefined ? null : new Date(this.clock.now() + hours * HOUR_MS),
    });
  }

  async delete(user: UserRecord, groupId: string, inviteId: string): Promise<void> {
    const { group } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    if (!(await deleteInvite(this.db, group.id, inviteId))) {
      throw new AppError('not_found', 'invite not found');
    }
  }

  /** Anyone signed in who holds a live code may look; expired and used-up codes are simply not found. */
  async preview(code: string): Promise<{ group: GroupRecord; invite: GroupInviteRecord }> {
    const invite = await this.findInvite(this.db, code);
    const state = this.stateOf(invite);
    if (state !== 'valid') throw new AppError('not_found', inviteStateMessage[state]);
    const group = await findGroup(this.db, invite.group_id);
    if (!group) throw new AppError('not_found', 'group not found');
    return { group, invite };
  }

  /**
   * Joins the invite's group: only members of its community who are not banned from it. The use is taken
   * before the membership check, so that two concurrent accepts by one user cannot both count.
   */
  accept(user: UserRecord, code: string): Promise<GroupRecord> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const invite = await this.findInvite(trx, code);
      const state = this.stateOf(invite);
      if (state !== 'valid') throw new AppError('validation_error', inviteStateMessage[state]);
      const group = await findGroup(trx, invite.group_id);
      if (!group) throw new AppError('not_found', 'group not found');
      const actor = await loadActor(trx, user, group.community_id, null);
      if (actor.communityBanned) throw new AppError('forbidden');
      if (!inCommunity(actor)) {
        throw new AppError('validation_error', 'you must be a member of this community to join this group');
      }
      if (!(await consumeInvite(trx, invite.id, new Date(this.clock.now())))) {
        throw new AppError('validation_error', inviteStateMessage.used_up);
      }
      if ((await storedGroupRole(trx, group.id, user.id)) !== null) {
        throw new AppError('conflict', 'already a member of this group');
      }
      await addGroupMember(trx, group.id, user.id, 'member');
      return group;
    });
  }

  private async findInvite(db: Kysely<Schema>, code: string): Promise<GroupInviteRecord> {
    const invite = plausibleCode.test(code) ? await findInviteByCode(db, code) : undefined;
    if (!invite) throw new AppError('not_found', 'invite not found');
    return invite;
  }

  private stateOf(invite: GroupInviteRecord): InviteState {
    if (invite.expires_at !== null && invite.expires_at.getTime() <= this.clock.now()) return 'expired';
    if (invite.max_uses !== null && invite.used_count >= invite.max_uses) return 'used_up';
    return 'valid';
  }
}

const inviteStateMessage: Readonly<Record<Exclude<InviteState, 'valid'>, string>> = {
  expired: 'invite expired',
  used_up: 'invite fully used',
};
