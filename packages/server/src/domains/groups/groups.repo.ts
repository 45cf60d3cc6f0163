import {
  type ExpressionBuilder,
  type Insertable,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { ChannelsTable, Db, GroupRole, GroupsTable, Schema } from '../../platform/db/schema.js';

type Trx = Transaction<Schema>;

export type GroupRecord = Selectable<GroupsTable> & { member_count: number };
export type ChannelRecord = Selectable<ChannelsTable>;
export type GroupMemberRecord = Awaited<ReturnType<typeof listMembers>>[number];

function groupsWithCount(db: Db) {
  return db
    .selectFrom('groups')
    .selectAll('groups')
    .select(
      sql<number>`(select count(*) from group_members m where m.group_id = groups.id)`.as('member_count'),
    );
}

export function findGroup(db: Db, id: string): Promise<GroupRecord | undefined> {
  return groupsWithCount(db).where('groups.id', '=', id).executeTakeFirst();
}

export function getGroup(db: Db, id: string): Promise<GroupRecord> {
  return groupsWithCount(db).where('groups.id', '=', id).executeTakeFirstOrThrow();
}

/** Serialises writers that count a group's channels. */
export async function lockGroup(trx: Trx, id: string): Promise<void> {
  await trx.selectFrom('groups').select('id').where('id', '=', id).forUpdate().execute();
}

export function listGroupsOf(db: Db, userId: string): Promise<GroupRecord[]> {
  return groupsWithCount(db)
    .where('groups.id', 'in', db.selectFrom('group_members').select('group_id').where('user_id', '=', userId))
    .orderBy('groups.name')
    .orderBy('groups.id')
    .execute();
}

/** Public and discoverable, or the user is in it. */
const visibleTo = (userId: string) => (eb: ExpressionBuilder<Schema, 'groups'>) =>
  eb.or([
    eb.and([eb('groups.visibility', '=', 'public'), eb('groups.discoverable', '=', true)]),
    eb('groups.id', 'in', eb.selectFrom('group_members').select('group_id').where('user_id', '=', userId)),
  ]);

/** Groups of the user's communities that are public and discoverable, or that the user is in. */
export function listDiscoverable(db: Db, userId: string, limit: number): Promise<GroupRecord[]> {
  return groupsWithCount(db)
    .where(
      'groups.community_id',
      'in',
      db.selectFrom('community_members').select('community_id').where('user_id', '=', userId),
    )
    .where(visibleTo(userId))
    .orderBy('groups.name')
    .orderBy('groups.id')
    .limit(limit)
    .execute();
}

/** Groups of the community that are public and discoverable, or that the user is in. */
export function listVisibleIn(db: Db, communityId: string, userId: string): Promise<GroupRecord[]> {
  return groupsWithCount(db)
    .where('groups.community_id', '=', communityId)
    .where(visibleTo(userId))
    .orderBy('groups.name')
    .orderBy('groups.id')
    .execute();
}

export function listAllGroups(db: Db, limit: number): Promise<GroupRecord[]> {
  return groupsWithCount(db).orderBy('groups.name').orderBy('groups.id').limit(limit).execute();
}

/** The community row, locked so that concurrent group creations count groups one at a time. */
export function lockCommunity(trx: Trx, id: string) {
  return trx
    .selectFrom('communities')
    .select(['id', 'owner_id', 'who_can_create_groups'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function countGroups(db: Db, communityId: string): Promise<number> {
  const row = await db
    .selectFrom('groups')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('community_id', '=', communityId)
    .executeTakeFirstOrThrow();
  return row.count;
}

export async function countCommunityMembers(db: Db, communityId: string): Promise<number> {
  const row = await db
    .selectFrom('community_members')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('community_id', '=', communityId)
    .executeTakeFirstOrThrow();
  return row.count;
}

export async function insertGroup(trx: Trx, group: Insertable<GroupsTable>): Promise<void> {
  await trx.insertInto('groups').values(group).execute();
}

export async function updateGroup(trx: Trx, id: string, changes: Updateable<GroupsTable>): Promise<void> {
  await trx
    .updateTable('groups')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function deleteGroup(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('groups').where('id', '=', id).execute();
}

/** Every member of the community joins the group and the given channel; existing rows are kept. */
export async function addCommunityToGroup(trx: Trx, communityId: string, groupId: string, channelId: string) {
  const members = trx.selectFrom('community_members').where('community_id', '=', communityId);
  await trx
    .insertInto('group_members')
    .columns(['group_id', 'user_id', 'role'])
    .expression(members.select([uuidLiteral(groupId).as('group_id'), 'user_id', memberRole]))
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .execute();
  await trx
    .insertInto('channel_members')
    .columns(['channel_id', 'user_id', 'role'])
    .expression(members.select([uuidLiteral(channelId).as('channel_id'), 'user_id', memberRole]))
    .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
    .execute();
}

/** A bound id typed for INSERT … SELECT, where an untyped parameter would be text. */
const uuidLiteral = (id: string) => sql<string>`${id}::uuid`;
const memberRole = sql<GroupRole>`'member'`.as('role');

export async function setGroupRole(trx: Trx, groupId: string, userId: string, role: GroupRole) {
  await trx
    .updateTable('group_members')
    .set({ role })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .execute();
}

/** Owner first, then admins, then members; each by join time. */
export function listMembers(db: Db, groupId: string, limit: number, offset: number) {
  return db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.username', 'u.display_name', 'u.avatar_url', 'm.role', 'm.joined_at'])
    .where('m.group_id', '=', groupId)
    .orderBy(sql`case m.role when 'owner' then 0 when 'admin' then 1 else 2 end`)
    .orderBy('m.joined_at')
    .orderBy('m.user_id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Who hears that something of a community went away: its members and whoever was in the channels. */
export async function audienceOf(trx: Trx, communityId: string, channelIds: string[]): Promise<string[]> {
  let query = trx.selectFrom('community_members').select('user_id').where('community_id', '=', communityId);
  if (channelIds.length > 0)
    query = query.union(
      trx.selectFrom('channel_members').select('user_id').where('channel_id', 'in', channelIds),
    );
  return (await query.execute()).map((row) => row.user_id);
}

/** Channel memberships per user, for telling each one what they lost. */
export async function membershipsByUser(trx: Trx, channelIds: string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  if (channelIds.length === 0) return byUser;
  const rows = await trx
    .selectFrom('channel_members')
    .select(['user_id', 'channel_id'])
    .where('channel_id', 'in', channelIds)
    .execute();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.channel_id]);
  return byUser;
}

export async function groupChannelIds(db: Db, groupId: string): Promise<string[]> {
  const rows = await db.selectFrom('channels').select('id').where('group_id', '=', groupId).execute();
  return rows.map((row) => row.id);
}

/** The group's channels the user may see: discoverable ones and those they belong to, oldest first. */
export function listGroupChannels(db: Db, groupId: string, userId: string): Promise<ChannelRecord[]> {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('group_id', '=', groupId)
    .where((eb) =>
      eb.or([
        eb('discoverable', '=', true),
        eb('id', 'in', eb.selectFrom('channel_members').select('channel_id').where('user_id', '=', userId)),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function findGroupChannel(db: Db, groupId: string, channelId: string) {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('id', '=', channelId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
}

export async function deleteChannel(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('channels').where('id', '=', id).execute();
}
