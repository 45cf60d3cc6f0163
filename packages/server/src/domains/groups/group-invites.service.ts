import { type CreateInviteBody, groupLimits, inviteLimits } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import type { EventHub } from '../../platform/events/hub.js';
import {
  consumeInvite,
  deleteInvite,
  findInviteByCode,
  type InviteRecord,
  type InviteScope,
  insertInvite,
  inviteState,
  inviteStateMessage,
  listInvites,
  newInvite,
} from '../invites/invite-codes.js';
import { storedGroupRole } from '../permissions/access.js';
import { addGroupMember } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import { canManageGroup, inCommunity, invitesDisabledFor } from './groups.policy.js';
import type { GroupRecord } from './groups.repo.js';
import { loadActor, requireGroup, requireGroupRole } from './groups.service.js';

const TABLE = 'group_invites';
/** Codes are ours, so anything else cannot be one; checking first also keeps odd bytes away from SQL. */
const plausibleCode = new RegExp(`^[A-Za-z0-9]{1,${inviteLimits.codeMaxLength}}$`);
const scope = (groupId: string): InviteScope => ({ column: 'group_id', id: groupId });

type GroupInviteRecord = InviteRecord<typeof TABLE>;

/** Group invites (rest-api.md §8.3): managed by the group's effective owners and admins. */
export class GroupInvitesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  async list(user: UserRecord, groupId: string): Promise<GroupInviteRecord[]> {
    const { group } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    return listInvites(this.db, TABLE, scope(group.id), groupLimits.invitesListed);
  }

  async create(user: UserRecord, groupId: string, body: CreateInviteBody): Promise<GroupInviteRecord> {
    const { group, actor } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    if (invitesDisabledFor(group, actor)) {
      throw new AppError('validation_error', 'invites are disabled for this personal group');
    }
    return insertInvite(this.db, TABLE, { ...newInvite(this.clock, user.id, body), group_id: group.id });
  }

  async delete(user: UserRecord, groupId: string, inviteId: string): Promise<void> {
    const { group } = await requireGroupRole(this.db, user, groupId, canManageGroup);
    if (!(await deleteInvite(this.db, TABLE, scope(group.id), inviteId))) {
      throw new AppError('not_found', 'invite not found');
    }
  }

  /** Anyone signed in who holds a live code may look; expired and used-up codes are simply not found. */
  async preview(code: string): Promise<{ group: GroupRecord; invite: GroupInviteRecord }> {
    const invite = await this.findInvite(this.db, code);
    const state = inviteState(invite, this.clock.now());
    if (state !== 'valid') throw new AppError('not_found', inviteStateMessage[state]);
    return { group: await requireGroup(this.db, invite.group_id), invite };
  }

  /**
   * Joins the invite's group: only members of its community who are not banned from it. The use is taken
   * before the membership check, so that two concurrent accepts by one user cannot both count.
   */
  accept(user: UserRecord, code: string): Promise<GroupRecord> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const invite = await this.findInvite(trx, code);
      const state = inviteState(invite, this.clock.now());
      if (state !== 'valid') throw new AppError('validation_error', inviteStateMessage[state]);
      const group = await requireGroup(trx, invite.group_id);
      const actor = await loadActor(trx, user, group.community_id, null);
      if (actor.communityBanned) throw new AppError('forbidden');
      if (!inCommunity(actor)) {
        throw new AppError('validation_error', 'you must be a member of this community to join this group');
      }
      if (!(await consumeInvite(trx, TABLE, { id: invite.id }, new Date(this.clock.now())))) {
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
    const invite = plausibleCode.test(code) ? await findInviteByCode(db, TABLE, code) : undefined;
    if (!invite) throw new AppError('not_found', 'invite not found');
    return invite;
  }
}
