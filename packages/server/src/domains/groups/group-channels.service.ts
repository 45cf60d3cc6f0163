import { type CreateGroupChannelBody, channelLimits, type UpdateGroupChannelBody } from '@chatalot/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { changeChannel, openChannel } from '../channels/channels.service.js';
import type { UserRecord } from '../users/users.present.js';
import { canManageGroup, canViewGroup } from './groups.policy.js';
import {
  audienceOf,
  type ChannelRecord,
  deleteChannel,
  findGroupChannel,
  type GroupRecord,
  groupChannelIds,
  listGroupChannels,
  lockGroup,
  membershipsByUser,
} from './groups.repo.js';
import { requireGroupRole, revokeAll } from './groups.service.js';

/** Channels managed through their group (rest-api.md §8.2): effective group owner or admin. */
export class GroupChannelsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
  ) {}

  async list(user: UserRecord, groupId: string): Promise<ChannelRecord[]> {
    const { group } = await requireGroupRole(this.db, user, groupId, canViewGroup);
    return listGroupChannels(this.db, group.id, user.id);
  }

  /** The caller owns the new channel and every group member joins it; it starts discoverable. */
  create(user: UserRecord, groupId: string, body: CreateGroupChannelBody): Promise<ChannelRecord> {
    return inTransaction(this.db, this.hub, async (trx) => {
      const { group } = await requireGroupRole(trx, user, groupId, canManageGroup);
      await lockGroup(trx, group.id);
      if ((await groupChannelIds(trx, group.id)).length >= channelLimits.channelsPerGroup) {
        throw new AppError(
          'validation_error',
          `maximum of ${channelLimits.channelsPerGroup} channels per group`,
        );
      }
      return openChannel(trx, user.id, { ...body, group_id: group.id });
    });
  }

  update(
    user: UserRecord,
    groupId: string,
    channelId: string,
    body: UpdateGroupChannelBody,
  ): Promise<ChannelRecord> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { channel } = await this.requireChannel(trx, user, groupId, channelId);
      // The body's fields are the columns' names; Kysely leaves out the ones that are undefined.
      return changeChannel(trx, emit, channel.id, body);
    });
  }

  delete(user: UserRecord, groupId: string, channelId: string, origin: RequestOrigin): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const { group, channel } = await this.requireChannel(trx, user, groupId, channelId);
      const audience = await audienceOf(trx, group.community_id, [channel.id]);
      const lost = await membershipsByUser(trx, [channel.id]);
      await deleteChannel(trx, channel.id);
      await recordAudit(trx, 'channel_deleted', actorOf(user.id, origin), {
        channel_id: channel.id,
        name: channel.name,
      });
      emit(
        frameEvent({ kind: 'users', userIds: audience }, { type: 'channel_deleted', channel_id: channel.id }),
      );
      revokeAll(emit, lost);
    });
  }

  /** 403 before 404, so that only the group's managers learn which channels exist. */
  private async requireChannel(
    trx: Transaction<Schema>,
    user: UserRecord,
    groupId: string,
    channelId: string,
  ): Promise<{ group: GroupRecord; channel: ChannelRecord }> {
    const { group } = await requireGroupRole(trx, user, groupId, canManageGroup);
    const channel = await findGroupChannel(trx, group.id, channelId);
    if (!channel) throw new AppError('not_found', 'channel not found');
    return { group, channel };
  }
}
