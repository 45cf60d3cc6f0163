import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { ChannelRole, ChannelsTable, Db, GroupsTable } from '../../platform/db/schema.js';
import type { MemberInfoRecord } from '../users/users.present.js';

export type ChannelRecord = Selectable<ChannelsTable>;
export type GroupRecord = Pick<Selectable<GroupsTable>, 'id' | 'community_id' | 'assigned_member_id'>;

/** A channel member with the instance flags that decide their effective role. */
export interface MemberRecord {
  role: ChannelRole;
  is_admin: boolean;
  is_owner: boolean;
}

export type MemberListRow = MemberInfoRecord<ChannelRole>;

/** With `lock`, the row stays locked until the transaction ends, which serialises role changes. */
export function findChannel(db: Db, id: string, lock = false): Promise<ChannelRecord | undefined> {
  const query = db.selectFrom('channels').selectAll().where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function listChannelsOf(db: Db, userId: string): Promise<ChannelRecord[]> {
  return db
    .selectFrom('channels')
    .innerJoin('channel_members', 'channel_members.channel_id', 'channels.id')
    .selectAll('channels')
    .where('channel_members.user_id', '=', userId)
    .where('channels.channel_type', '!=', 'dm')
    .orderBy('channels.created_at')
    .orderBy('channels.id')
    .execute();
}

export function insertChannel(db: Db, values: Insertable<ChannelsTable>): Promise<ChannelRecord> {
  return db.insertInto('channels').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateChannel(
  db: Db,
  id: string,
  changes: Updateable<ChannelsTable>,
): Promise<ChannelRecord> {
  return db
    .updateTable('channels')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findGroup(db: Db, groupId: string, lock = false): Promise<GroupRecord | undefined> {
  const query = db
    .selectFrom('groups')
    .select(['id', 'community_id', 'assigned_member_id'])
    .where('id', '=', groupId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function countGroupChannels(db: Db, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('channels')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every member of the group who is not banned from the channel becomes a plain channel member. */
export async function addGroupMembersToChannel(db: Db, channelId: string, groupId: string): Promise<void> {
  await db
    .insertInto('channel_members')
    .columns(['channel_id', 'user_id', 'role'])
    .expression(
      db
        .selectFrom('group_members')
        .select([
          sql<string>`${channelId}::uuid`.as('channel_id'),
          'user_id',
          sql<ChannelRole>`'member'`.as('role'),
        ])
        .where('group_id', '=', groupId)
        .where('user_id', 'not in', userIdsIn(db, 'channel_bans', channelId)),
    )
    .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
    .execute();
}

export async function isChannelBanned(db: Db, channelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('channel_bans')
    .select('user_id')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export function findMember(db: Db, channelId: string, userId: string): Promise<MemberRecord | undefined> {
  return db
    .selectFrom('channel_members')
    .innerJoin('users', 'users.id', 'channel_members.user_id')
    .select(['channel_members.role', 'users.is_admin', 'users.is_owner'])
    .where('channel_members.channel_id', '=', channelId)
    .where('channel_members.user_id', '=', userId)
    .executeTakeFirst();
}

/** False when the user was not a member. */
export async function removeMember(db: Db, channelId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('channel_members')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function setMemberRole(db: Db, channelId: string, userId: string, role: ChannelRole) {
  await db
    .updateTable('channel_members')
    .set({ role })
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .execute();
}

export async function findOwnerIds(db: Db, channelId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('channel_members')
    .select('user_id')
    .where('channel_id', '=', channelId)
    .where('role', '=', 'owner')
    .execute();
  return rows.map((row) => row.user_id);
}

export async function insertBan(
  db: Db,
  ban: { channelId: string; userId: string; bannedBy: string; reason: string | null },
): Promise<void> {
  await db
    .insertInto('channel_bans')
    .values({ channel_id: ban.channelId, user_id: ban.userId, banned_by: ban.bannedBy, reason: ban.reason })
    .onConflict((oc) =>
      oc.columns(['channel_id', 'user_id']).doUpdateSet({ banned_by: ban.bannedBy, reason: ban.reason }),
    )
    .execute();
}

/** False when there was no such ban. */
export async function deleteBan(db: Db, channelId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('channel_bans')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

const roleRank = sql<number>`case role when 'owner' then 0 when 'admin' then 1 when 'moderator' then 2 else 3 end`;

/**
 * Channel members, and with `groupId` also the group's members who have not joined (as `member`, never
 * anyone banned from the channel): owners first, then by role and joining time.
 */
export function listMembers(
  db: Db,
  channelId: string,
  groupId: string | null,
  page: { limit: number; offset: number },
): Promise<MemberListRow[]> {
  const explicit = db
    .selectFrom('channel_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.username', 'u.display_name', 'u.avatar_url', 'm.role', 'm.joined_at'])
    .where('m.channel_id', '=', channelId);
  const all =
    groupId === null
      ? explicit
      : explicit.unionAll(
          db
            .selectFrom('group_members as g')
            .innerJoin('users as u', 'u.id', 'g.user_id')
            .select(['g.user_id', 'u.username', 'u.display_name', 'u.avatar_url'])
            .select([sql<ChannelRole>`'member'`.as('role'), 'g.joined_at'])
            .where('g.group_id', '=', groupId)
            .where('g.user_id', 'not in', userIdsIn(db, 'channel_members', channelId))
            .where('g.user_id', 'not in', userIdsIn(db, 'channel_bans', channelId)),
        );
  return db
    .selectFrom(all.as('members'))
    .selectAll()
    .orderBy(roleRank)
    .orderBy('joined_at')
    .orderBy('user_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

function userIdsIn(db: Db, table: 'channel_members' | 'channel_bans', channelId: string) {
  return db.selectFrom(table).select('user_id').where('channel_id', '=', channelId);
}
