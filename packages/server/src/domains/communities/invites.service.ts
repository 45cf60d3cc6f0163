import {
  type AcceptCommunityInviteResponse,
  type CommunityInvite,
  type CommunityInvitePreview,
  type CreateCommunityInviteBody,
  communityLimits,
  utf8Length,
} from '@chatalot/protocol';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema, UsersTable } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { alphanumeric, randomCode, uuidv7 } from '../../platform/ids.js';
import { isCommunityBanned, storedCommunityRole } from '../permissions/access.js';
import { addCommunityMember } from '../permissions/membership.js';
import { anyMember, authorize, canManage, mayCreateInvite } from './communities.policy.js';
import { presentInvite } from './communities.present.js';
import {
  consumeInvite,
  deleteInvite,
  findCommunity,
  findInviteByCode,
  insertInvite,
  listInvites,
  lockCommunity,
} from './communities.repo.js';

type Caller = Selectable<UsersTable>;
type Db = Kysely<Schema> | Transaction<Schema>;

const CODE_LENGTH = 12;
const MAX_LISTED = 200;
const HOUR_MS = 3_600_000;
const PRIVATE_NAME = 'Private Community';
const invalid = (message: string) => new AppError('validation_error', message);

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
  async accept(user: Caller, code: string): Promise<AcceptCommunityInviteResponse> {
    return this.db.transaction().execute(async (trx) => {
      const { invite, community } = await this.usable(trx, code);
      await lockCommunity(trx, community.id);
      if (await isCommunityBanned(trx, community.id, user.id)) throw new AppError('forbidden');
      if ((await storedCommunityRole(trx, community.id, user.id)) !== null) {
        throw new AppError('conflict', 'already a member of this community');
      }
      if (!(await consumeInvite(trx, invite.id, new Date(this.clock.now())))) {
        throw invalid('invite fully used');
      }
      await addCommunityMember(trx, community.id, user.id, 'member');
      return { community_id: community.id, community_name: community.name };
    });
  }

  async list(user: Caller, communityId: string): Promise<CommunityInvite[]> {
    await authorize(this.db, user, communityId, canManage);
    return (await listInvites(this.db, communityId, MAX_LISTED)).map(presentInvite);
  }

  /** Who may create invites is the community's `who_can_create_invites` policy. */
  async create(user: Caller, communityId: string, body: CreateCommunityInviteBody): Promise<CommunityInvite> {
    const role = await authorize(this.db, user, communityId, anyMember);
    const community = await findCommunity(this.db, communityId);
    if (!community) throw new AppError('not_found', 'community not found');
    if (!mayCreateInvite(role, community)) throw new AppError('forbidden');
    const hours = body.expires_in_hours;
    const invite = await insertInvite(this.db, {
      id: uuidv7(),
      community_id: communityId,
      code: randomCode(CODE_LENGTH, alphanumeric),
      created_by: user.id,
      max_uses: body.max_uses ?? null,
      expires_at: hours === undefined ? null : new Date(this.clock.now() + hours * HOUR_MS),
    });
    return presentInvite(invite);
  }

  async delete(user: Caller, communityId: string, inviteId: string): Promise<void> {
    await authorize(this.db, user, communityId, canManage);
    if (!(await deleteInvite(this.db, communityId, inviteId))) {
      throw new AppError('not_found', 'invite not found');
    }
  }

  /** The invite behind `code` if it can still be used now, with its community. */
  private async usable(db: Db, code: string) {
    if (utf8Length(code) > communityLimits.inviteCode) throw invalid('invalid invite code');
    const invite = await findInviteByCode(db, code);
    if (!invite) throw new AppError('not_found', 'invite not found');
    if (invite.expires_at !== null && invite.expires_at.getTime() <= this.clock.now()) {
      throw invalid('invite expired');
    }
    if (invite.max_uses !== null && invite.used_count >= invite.max_uses) throw invalid('invite fully used');
    const community = await findCommunity(db, invite.community_id);
    if (!community) throw new AppError('not_found', 'community not found');
    return { invite, community };
  }
}
