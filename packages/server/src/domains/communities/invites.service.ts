import {
  type AcceptCommunityInviteResponse,
  type CommunityInvite,
  type CommunityInvitePreview,
  type CreateCommunityInviteBody,
  inviteLimits,
  utf8Length,
} from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { AppError, invalid } from '../../platform/errors.js';
import {
  consumeInvite,
  deleteInvite,
  findInviteByCode,
  type InviteScope,
  insertInvite,
  inviteState,
  inviteStateMessage,
  listInvites,
  newInvite,
} from '../invites/invite-codes.js';
import { isCommunityBanned, storedCommunityRole } from '../permissions/access.js';
import { addCommunityMember } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import { anyMember, authorize, canManage, mayCreateInvite } from './communities.policy.js';
import { presentInvite } from './communities.present.js';
import { lockCommunity } from './communities.repo.js';
import { requireCommunity } from './communities.service.js';

const TABLE = 'community_invites';
const MAX_LISTED = 200;
const PRIVATE_NAME = 'Private Community';
const scope = (communityId: string): InviteScope => ({ column: 'community_id', id: communityId });

/** Invite codes into a community (rest-api.md §7): previewing, accepting and managing them. */
export class CommunityInvitesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  /** An undiscoverable community shows neither its name nor its description. */
  async preview(code: string): Promise<CommunityInvitePreview> {
    const { community } = await this.usable(this.db, code);
    return {
      community_name: community.discoverable ? community.name : PRIVATE_NAME,
      community_description: community.discoverable ? community.description : null,
      member_count: community.member_count,
      code,
    };
  }

  /** Joins as a member, and so every public group of the community; one use of the invite is spent. */
  async accept(user: UserRecord, code: string): Promise<AcceptCommunityInviteResponse> {
    return this.db.transaction().execute(async (trx) => {
      const { invite, community } = await this.usable(trx, code);
      await lockCommunity(trx, community.id);
      if (await isCommunityBanned(trx, community.id, user.id)) throw new AppError('forbidden');
      if ((await storedCommunityRole(trx, community.id, user.id)) !== null) {
        throw new AppError('conflict', 'already a member of this community');
      }
      if (!(await consumeInvite(trx, TABLE, { id: invite.id }, new Date(this.clock.now())))) {
        throw invalid(inviteStateMessage.used_up);
      }
      await addCommunityMember(trx, community.id, user.id, 'member');
      return { community_id: community.id, community_name: community.name };
    });
  }

  async list(user: UserRecord, communityId: string): Promise<CommunityInvite[]> {
    await authorize(this.db, user, communityId, canManage);
    return (await listInvites(this.db, TABLE, scope(communityId), MAX_LISTED)).map(presentInvite);
  }

  /** Who may create invites is the community's `who_can_create_invites` policy. */
  async create(
    user: UserRecord,
    communityId: string,
    body: CreateCommunityInviteBody,
  ): Promise<CommunityInvite> {
    const role = await authorize(this.db, user, communityId, anyMember);
    const community = await requireCommunity(this.db, communityId);
    if (!mayCreateInvite(role, community)) throw new AppError('forbidden');
    const fields = newInvite(this.clock, user.id, body);
    return presentInvite(await insertInvite(this.db, TABLE, { ...fields, community_id: communityId }));
  }

  async delete(user: UserRecord, communityId: string, inviteId: string): Promise<void> {
    await authorize(this.db, user, communityId, canManage);
    if (!(await deleteInvite(this.db, TABLE, scope(communityId), inviteId))) {
      throw new AppError('not_found', 'invite not found');
    }
  }

  /** The invite behind `code` if it can still be used now, with its community. */
  private async usable(db: Db, code: string) {
    if (utf8Length(code) > inviteLimits.codeMaxLength) throw invalid('invalid invite code');
    const invite = await findInviteByCode(db, TABLE, code);
    if (!invite) throw new AppError('not_found', 'invite not found');
    const state = inviteState(invite, this.clock.now());
    if (state !== 'valid') throw invalid(inviteStateMessage[state]);
    return { invite, community: await requireCommunity(db, invite.community_id) };
  }
}
