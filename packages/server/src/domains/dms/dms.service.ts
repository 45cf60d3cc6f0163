import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { blockedEitherWay } from '../permissions/blocks.js';
import { addChannelMembers, shareCommunity } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import { dmRefusal } from './dms.policy.js';
import type { Dm } from './dms.present.js';
import {
  type ChannelRecord,
  deleteChannel,
  findPairChannel,
  findUser,
  findUsers,
  insertDmChannel,
  insertPair,
  listDmChannels,
  orderedPair,
  type Pair,
} from './dms.repo.js';

/** Direct-message channels (rest-api.md §15). Creating one emits nothing; the first message does. */
export class DmsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(user: UserRecord): Promise<Dm[]> {
    const rows = await listDmChannels(this.db, user.id);
    const otherIds = [...new Set(rows.map((row) => row.other_id))];
    const others = new Map((await findUsers(this.db, otherIds)).map((other) => [other.id, other]));
    return rows.flatMap((channel) => {
      const other = others.get(channel.other_id);
      return other ? [{ channel, other }] : [];
    });
  }

  /** Create-or-get: the pair's one channel, with both users (back) in it. */
  async open(user: UserRecord, targetId: string): Promise<Dm> {
    if (targetId === user.id) throw new AppError('validation_error', 'cannot DM yourself');
    const other = await findUser(this.db, targetId);
    if (!other) throw new AppError('not_found', 'user not found');
    const refusal = dmRefusal(user, {
      blocked: await blockedEitherWay(this.db, user.id, other.id),
      shareCommunity: await shareCommunity(this.db, user.id, other.id),
    });
    if (refusal === 'blocked') throw new AppError('validation_error', 'cannot create DM with this user');
    if (refusal !== null) throw new AppError('forbidden');
    const channel = await this.db.transaction().execute(async (trx) => {
      const pair = orderedPair(user.id, other.id);
      const found = (await findPairChannel(trx, pair)) ?? (await createPairChannel(trx, pair, user.id));
      for (const memberId of [user.id, other.id])
        await addChannelMembers(trx, [found.id], memberId, 'member');
      return found;
    });
    return { channel, other };
  }
}

/**
 * Two requests for the same new pair may race: the loser's pair insert waits for the winner's commit,
 * then finds the pair taken, drops its own channel and takes the winner's.
 */
async function createPairChannel(
  trx: Transaction<Schema>,
  pair: Pair,
  creatorId: string,
): Promise<ChannelRecord> {
  const created = await insertDmChannel(trx, uuidv7(), creatorId);
  if (await insertPair(trx, pair, created.id)) return created;
  await deleteChannel(trx, created.id);
  const existing = await findPairChannel(trx, pair);
  if (!existing) throw new Error('DM pair vanished while it was being created');
  return existing;
}
