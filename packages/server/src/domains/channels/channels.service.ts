import { type CreateChannelBody, channelLimits, type UpdateChannelBody } from '@chatalot/protocol';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { ChannelsTable, ChannelType, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import {
  effectiveChannelRole,
  effectiveGroupRole,
  loadGroupStanding,
  storedChannelRole,
  storedGroupRole,
} from '../permissions/access.js';
import { addChannelMembers } from '../permissions/membership.js';
import type { EffectiveRole } from '../permissions/roles.js';
import { forgetSenderKeys } from '../sender-keys/sender-keys.service.js';
import type { UserRecord } from '../users/users.present.js';
import {
  canCreateInGroup,
  canJoin,
  canLeave,
  canListMembers,
  canViewChannel,
  hasOwnerLevel,
  isManageable,
} from './channels.policy.js';
import { presentChannelUpdate } from './channels.present.js';
import {
  addGroupMembersToChannel,
  type ChannelRecord,
  countGroupChannels,
  findChannel,
  findGroup,
  type GroupRecord,
  insertChannel,
  isChannelBanned,
  listChannelsOf,
  listMembers,
  type MemberListRow,
  removeMember,
  updateChannel,
} from './channels.repo.js';

/**
 * Loads a channel for an action that needs `permits(role)`. The role is checked before existence, so
 * that only people with standing anywhere (instance staff) can tell a missing channel from a hidden one.
 * Inside a transaction the channel row stays locked, which serialises concurrent role changes.
 */
export async function channelFor(
  db: Transaction<Schema>,
  user: UserRecord,
  channelId: string,
  permits: (role: EffectiveRole) => boolean,
): Promise<{ channel: ChannelRecord; role: EffectiveRole }> {
  const channel = await findChannel(db, channelId, true);
  const role = await effectiveChannelRole(db, user, channelId);
  if (role === null || !permits(role)) throw new AppError('forbidden');
  if (!channel) throw new AppError('not_found', 'channel not found');
  if (!isManageable(channel)) throw new AppError('forbidden');
  return { channel, role };
}

export interface NewChannel {
  name: string;
  channel_type: ChannelType;
  topic?: string | undefined;
  group_id: string | null;
  discoverable?: boolean | undefined;
}

/** Creates a channel that `creatorId` owns; a discoverable group channel takes in the group's members. */
export async function openChannel(
  trx: Transaction<Schema>,
  creatorId: string,
  spec: NewChannel,
): Promise<ChannelRecord> {
  const channel = await insertChannel(trx, {
    id: uuidv7(),
    name: spec.name,
    channel_type: spec.channel_type,
    topic: spec.topic || null,
    created_by: creatorId,
    group_id: spec.group_id,
    discoverable: spec.discoverable ?? true,
  });
  await addChannelMembers(trx, [channel.id], creatorId, 'owner');
  if (channel.group_id !== null && channel.discoverable) {
    await addGroupMembersToChannel(trx, channel.id, channel.group_id);
  }
  return channel;
}

/** Applies `changes` and tells the channel (`channel_updated`). */
export async function changeChannel(
  trx: Transaction<Schema>,
  emit: Emit,
  channelId: string,
  changes: Updateable<ChannelsTable>,
): Promise<ChannelRecord> {
  const updated = await updateChannel(trx, channelId, changes);
  emit(frameEvent({ kind: 'channel', channelId }, presentChannelUpdate(updated)));
  return updated;
}

/** Channels and membership (rest-api.md §9); moderation lives in `channel-moderation.service.ts`. */
export class ChannelsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
  ) {}

  /** The caller's channels without DMs, which `GET /api/dms` lists. */
  list(user: UserRecord): Promise<ChannelRecord[]> {
    return listChannelsOf(this.db, user.id);
  }

  /** Non-members get 403 whether or not the channel exists. */
  async get(user: UserRecord, channelId: string): Promise<ChannelRecord> {
    if (!canViewChannel(await storedChannelRole(this.db, channelId, user.id)))
      throw new AppError('forbidden');
    return this.existing(channelId);
  }

  /**
   * Without `group_id`, a standalone channel anyone may create. With one, only the group's owner or
   * admins may (the reference let any community member add channels to any group).
   */
  async create(user: UserRecord, body: CreateChannelBody): Promise<ChannelRecord> {
    const groupId = body.group_id ?? null;
    if (groupId !== null) {
      const group = await findGroup(this.db, groupId);
      if (!group) throw new AppError('not_found', 'group not found');
      const { effectiveGroupRole: role } = await this.groupRoles(user, group);
      if (!canCreateInGroup(role)) throw new AppError('forbidden');
    }
    return this.db.transaction().execute(async (trx) => {
      if (groupId !== null) await reserveGroupSlot(trx, groupId);
      return openChannel(trx, user.id, { ...body, group_id: groupId });
    });
  }

  update(user: UserRecord, channelId: string, body: UpdateChannelBody): Promise<ChannelRecord> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      await channelFor(trx, user, channelId, hasOwnerLevel);
      return changeChannel(trx, emit, channelId, channelChanges(body));
    });
  }

  /** Joining twice changes nothing; see `canJoin` for who may. */
  async join(user: UserRecord, channelId: string): Promise<void> {
    const channel = await this.existing(channelId);
    if ((await storedChannelRole(this.db, channelId, user.id)) !== null) return;
    const groupRoles = await this.groupRolesFor(user, channel);
    const banned = await isChannelBanned(this.db, channelId, user.id);
    if (!canJoin(channel, { user, banned, ...groupRoles })) throw new AppError('forbidden');
    await this.db.transaction().execute((trx) => addChannelMembers(trx, [channelId], user.id, 'member'));
  }

  /** Leaving a channel one is not in changes nothing; the owner must hand the channel over first. */
  leave(user: UserRecord, channelId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!canLeave(await storedChannelRole(trx, channelId, user.id))) {
        throw new AppError(
          'validation_error',
          'owner cannot leave; transfer ownership or delete the channel instead',
        );
      }
      if (await removeMember(trx, channelId, user.id)) {
        await forgetSenderKeys(trx, user.id, [channelId]);
        emit({ kind: 'access_revoked', userId: user.id, channelIds: [channelId] });
      }
    });
  }

  async members(
    user: UserRecord,
    channelId: string,
    page: { limit: number; offset: number },
  ): Promise<MemberListRow[]> {
    const channel = await this.existing(channelId);
    const stored = await storedChannelRole(this.db, channelId, user.id);
    const groupRole =
      channel.group_id === null ? null : await storedGroupRole(this.db, channel.group_id, user.id);
    if (!canListMembers(stored, channel, groupRole)) throw new AppError('forbidden');
    return listMembers(this.db, channelId, channel.discoverable ? channel.group_id : null, page);
  }

  private async existing(channelId: string): Promise<ChannelRecord> {
    const channel = await findChannel(this.db, channelId);
    if (!channel) throw new AppError('not_found', 'channel not found');
    return channel;
  }

  private async groupRolesFor(user: UserRecord, channel: ChannelRecord) {
    const group = channel.group_id === null ? undefined : await findGroup(this.db, channel.group_id);
    return group ? this.groupRoles(user, group) : { groupRole: null, effectiveGroupRole: null };
  }

  private async groupRoles(user: UserRecord, group: GroupRecord) {
    const standing = await loadGroupStanding(this.db, user, group.community_id, group.id);
    return { groupRole: standing.groupRole, effectiveGroupRole: effectiveGroupRole(group, standing) };
  }
}

/** Locks the group so that concurrent creations cannot pass the per-group cap together. */
async function reserveGroupSlot(trx: Transaction<Schema>, groupId: string): Promise<void> {
  if (!(await findGroup(trx, groupId, true))) throw new AppError('not_found', 'group not found');
  if ((await countGroupChannels(trx, groupId)) >= channelLimits.channelsPerGroup) {
    throw new AppError(
      'validation_error',
      `a group can have at most ${channelLimits.channelsPerGroup} channels`,
    );
  }
}

function channelChanges(body: UpdateChannelBody): Updateable<ChannelsTable> {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.topic !== undefined && { topic: body.topic || null }),
    ...(body.read_only !== undefined && { read_only: body.read_only }),
    ...(body.slow_mode_seconds !== undefined && { slow_mode_seconds: body.slow_mode_seconds }),
    ...(body.message_ttl_seconds !== undefined && { message_ttl_seconds: body.message_ttl_seconds || null }),
    ...(body.discoverable !== undefined && { discoverable: body.discoverable }),
    ...(body.archived !== undefined && { archived: body.archived }),
    ...(body.voice_background !== undefined && { voice_background: body.voice_background || null }),
  };
}
