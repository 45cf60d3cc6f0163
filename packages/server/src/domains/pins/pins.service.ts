import { pinLimits } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { hasModeratorLevel } from '../channels/channels.policy.js';
import type { MessagesService } from '../messages/messages.service.js';
import { effectiveChannelRole } from '../permissions/access.js';
import type { UserRecord } from '../users/users.present.js';
import { type NewPin, presentPinned, presentUnpinned } from './pins.present.js';
import {
  countPins,
  deletePin,
  findPinCapSetting,
  insertPin,
  isPinned,
  listPins,
  lockChannel,
  type PinnedMessageRecord,
} from './pins.repo.js';

/**
 * Pinned messages (rest-api.md §10). Members read the pins; moderators and up (instance staff included)
 * pin and unpin, and an unpin only touches a pin of the channel in the path, unlike the reference.
 */
export class PinsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
  ) {}

  async list(user: UserRecord, channelId: string): Promise<PinnedMessageRecord[]> {
    if (!(await this.messages.isMember(channelId, user.id))) throw new AppError('forbidden');
    return listPins(this.db, channelId, new Date(this.clock.now()));
  }

  async pin(user: UserRecord, channelId: string, messageId: string): Promise<void> {
    await this.requireModerator(user, channelId);
    const message = await this.messages.find(messageId);
    if (!message) throw new AppError('not_found', 'message not found');
    if (message.channel_id !== channelId) throw invalid('message does not belong to this channel');
    if (message.deleted_at !== null) throw invalid('cannot pin a deleted message');
    const cap = pinCap(await findPinCapSetting(this.db));
    const pin: NewPin = {
      message_id: messageId,
      channel_id: channelId,
      pinned_by: user.id,
      pinned_at: new Date(this.clock.now()),
    };
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await lockChannel(trx, channelId);
      if (await isPinned(trx, messageId)) throw new AppError('conflict', 'message is already pinned');
      if ((await countPins(trx, channelId, pin.pinned_at)) >= cap) {
        throw invalid(`maximum of ${cap} pins per channel`);
      }
      await insertPin(trx, pin);
      emit(frameEvent({ kind: 'channel', channelId }, presentPinned(pin)));
    });
  }

  async unpin(user: UserRecord, channelId: string, messageId: string): Promise<void> {
    await this.requireModerator(user, channelId);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!(await deletePin(trx, channelId, messageId))) throw new AppError('not_found', 'pin not found');
      emit(frameEvent({ kind: 'channel', channelId }, presentUnpinned(channelId, messageId)));
    });
  }

  private async requireModerator(user: UserRecord, channelId: string): Promise<void> {
    if (!hasModeratorLevel(await effectiveChannelRole(this.db, user, channelId))) {
      throw new AppError('forbidden');
    }
  }
}

/** The admin setting (stored as a JSON number or numeric string), kept to its valid range. */
function pinCap(stored: unknown): number {
  const value = typeof stored === 'number' || typeof stored === 'string' ? Number(stored) : Number.NaN;
  if (!Number.isInteger(value)) return pinLimits.perChannelDefault;
  return Math.min(Math.max(value, pinLimits.perChannelMin), pinLimits.perChannelMax);
}
