import type { UploadSenderKeyBody } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { storedChannelRole } from '../permissions/access.js';
import type { UserRecord } from '../users/users.present.js';
import { presentUpdated } from './sender-keys.present.js';
import {
  type DistributionRecord,
  deleteDistributions,
  listDistributions,
  lockMembership,
  upsertDistribution,
} from './sender-keys.repo.js';

/**
 * Sender-key distributions (rest-api.md §18): each member's current group-encryption chain per channel, opaque
 * to the server and readable by the channel's members only (instance staff included: roles grant no reading).
 */
export class SenderKeysService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  /** Replaces the caller's distribution and tells the channel, the caller's other connections included. */
  upload(user: UserRecord, channelId: string, body: UploadSenderKeyBody): Promise<DistributionRecord> {
    const now = this.clock.now();
    const record: DistributionRecord = {
      id: uuidv7(now),
      channel_id: channelId,
      user_id: user.id,
      chain_id: body.chain_id,
      distribution: body.distribution,
      created_at: new Date(now),
    };
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!(await lockMembership(trx, channelId, user.id))) throw new AppError('forbidden');
      await upsertDistribution(trx, { ...record, distribution: JSON.stringify(record.distribution) });
      emit(frameEvent({ kind: 'channel', channelId }, presentUpdated(record)));
      return record;
    });
  }

  /** One per member who uploaded, oldest first. */
  async list(user: UserRecord, channelId: string): Promise<DistributionRecord[]> {
    if ((await storedChannelRole(this.db, channelId, user.id)) === null) throw new AppError('forbidden');
    return listDistributions(this.db, channelId);
  }
}

/**
 * Forgets a user's distributions for channels they no longer belong to. Call in the transaction that removes
 * them, before any `sender_key_rotation_required`, so that members never fetch a departed member's chain.
 */
export function forgetSenderKeys(trx: Db, userId: string, channelIds: readonly string[]): Promise<void> {
  return deleteDistributions(trx, userId, channelIds);
}
