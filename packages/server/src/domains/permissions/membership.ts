import { type Kysely, sql, type Transaction } from 'kysely';
import type { ChannelRole, CommunityRole, GroupRole, Schema } from '../../platform/db/schema.js';
import { forgetSenderKeys } from '../sender-keys/sender-keys.service.js';

type Trx = Transaction<Schema>;

/**
 * Membership changes that cascade across scopes (permissions.md §1, rules 4), in one place so that
 * every route that adds or removes a member follows the same rules. Call inside a transaction.
 */

/** Adds a community member and joins them to every public group of the community (discoverable channels). */
export async function addCommunityMember(trx: Trx, communityId: string, userId: string, role: CommunityRole) {
  await trx
    .insertInto('community_members')
    .values({ community_id: communityId, user_id: userId, role })
    .execute();
  const publicGroups = await trx
    .selectFrom('groups')
    .select('id')
    .where('community_id', '=', communityId)
    .where('visibility', '=', 'public')
    .execute();
  await joinGroups(
    trx,
    publicGroups.map((group) => group.id),
    userId,
    'member',
    { discoverableOnly: true },
  );
}

/**
 * Adds a group member and makes them a member of the group's channels — never of a channel they are
 * banned from (the reference let a channel ban be undone by leaving and re-joining the group).
 */
export function addGroupMember(
  trx: Trx,
  groupId: string,
  userId: string,
  role: GroupRole,
  options: { discoverableOnly?: boolean } = {},
): Promise<void> {
  return joinGroups(trx, [groupId], userId, role, options);
}

async function joinGroups(
  trx: Trx,
  groupIds: string[],
  userId: string,
  role: GroupRole,
  options: { discoverableOnly?: boolean },
): Promise<void> {
  if (groupIds.length === 0) return;
  await trx
    .insertInto('group_members')
    .values(groupIds.map((groupId) => ({ group_id: groupId, user_id: userId, role })))
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .execute();
  let channels = trx
    .selectFrom('channels')
    .select('channels.id')
    .where('channels.group_id', 'in', groupIds)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('channel_bans')
            .select('channel_bans.user_id')
            .whereRef('channel_bans.channel_id', '=', 'channels.id')
            .where('channel_bans.user_id', '=', userId),
        ),
      ),
    );
  if (options.discoverableOnly) channels = channels.where('channels.discoverable', '=', true);
  const ids = (await channels.execute()).map((channel) => channel.id);
  await addChannelMembers(trx, ids, userId, 'member');
}

export async function addChannelMembers(trx: Trx, channelIds: string[], userId: string, role: ChannelRole) {
  if (channelIds.length === 0) return;
  await trx
    .insertInto('channel_members')
    .values(channelIds.map((channelId) => ({ channel_id: channelId, user_id: userId, role })))
    .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
    .execute();
}

/** Removes a user from a group and from its channels; returns the channels they lost. */
export function removeGroupMember(trx: Trx, groupId: string, userId: string): Promise<string[]> {
  return leaveGroups(trx, userId, { groupId });
}

/** Removes a user from a community, its groups and their channels; returns the channels they lost. */
export async function removeCommunityMember(
  trx: Trx,
  communityId: string,
  userId: string,
): Promise<string[]> {
  const channelIds = await leaveGroups(trx, userId, { communityId });
  await trx
    .deleteFrom('community_members')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .execute();
  return channelIds;
}

/**
 * Leaves one group, or every group of a community, with their channels and the user's sender-key
 * distributions there; returns the channels left.
 */
async function leaveGroups(
  trx: Trx,
  userId: string,
  scope: { groupId: string } | { communityId: string },
): Promise<string[]> {
  const groups = trx.selectFrom('groups').select('id');
  const groupIds =
    'groupId' in scope
      ? groups.where('id', '=', scope.groupId)
      : groups.where('community_id', '=', scope.communityId);
  const left = await trx
    .deleteFrom('channel_members')
    .where('user_id', '=', userId)
    .where('channel_id', 'in', trx.selectFrom('channels').select('id').where('group_id', 'in', groupIds))
    .returning('channel_id')
    .execute();
  const channelIds = left.map((row) => row.channel_id);
  await forgetSenderKeys(trx, userId, channelIds);
  await trx
    .deleteFrom('group_members')
    .where('user_id', '=', userId)
    .where('group_id', 'in', groupIds)
    .execute();
  return channelIds;
}

/** Whether two users share at least one community (DMs and profile visibility depend on it). */
export async function shareCommunity(db: Trx | Kysely<Schema>, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('community_members as x')
    .innerJoin('community_members as y', 'y.community_id', 'x.community_id')
    .select(sql<number>`1`.as('one'))
    .where('x.user_id', '=', a)
    .where('y.user_id', '=', b)
    .executeTakeFirst();
  return row !== undefined;
}
