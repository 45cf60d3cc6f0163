import type { Insertable, Selectable } from 'kysely';
import type { Db, SenderKeyDistributionsTable } from '../../platform/db/schema.js';

export type DistributionRecord = Selectable<SenderKeyDistributionsTable>;

/**
 * Whether the user is a member of the channel, holding the membership row until the transaction ends: a kick
 * racing an upload then deletes the uploaded distribution instead of missing it.
 */
export async function lockMembership(db: Db, channelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('channel_members')
    .select('user_id')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces the member's distribution for the channel (id and time included) or stores the first one. */
export async function upsertDistribution(
  db: Db,
  distribution: Insertable<SenderKeyDistributionsTable>,
): Promise<void> {
  await db
    .insertInto('sender_key_distributions')
    .values(distribution)
    .onConflict((oc) =>
      oc.columns(['channel_id', 'user_id']).doUpdateSet((eb) => ({
        id: eb.ref('excluded.id'),
        chain_id: eb.ref('excluded.chain_id'),
        distribution: eb.ref('excluded.distribution'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

/** Oldest first. */
export function listDistributions(db: Db, channelId: string): Promise<DistributionRecord[]> {
  return db
    .selectFrom('sender_key_distributions')
    .selectAll()
    .where('channel_id', '=', channelId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function deleteDistributions(
  db: Db,
  userId: string,
  channelIds: readonly string[],
): Promise<void> {
  if (channelIds.length === 0) return;
  await db
    .deleteFrom('sender_key_distributions')
    .where('user_id', '=', userId)
    .where('channel_id', 'in', channelIds)
    .execute();
}
