import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import { sql } from 'kysely';
import type {
  CommunitiesTable,
  CommunityBansTable,
  CommunityMembersTable,
  Db,
  Schema,
  UserTimeoutsTable,
  WarningsTable,
} from '../../platform/db/schema.js';

export type CommunityRecord = Selectable<CommunitiesTable> & { member_count: number };
export type TimeoutRecord = Selectable<UserTimeoutsTable>;
export type WarningRecord = Selectable<WarningsTable>;
export type MemberRecord = Awaited<ReturnType<typeof listMembers>>[number];
export type BanRecord = Awaited<ReturnType<typeof listBans>>[number];

const memberCount = sql<number>`(select count(*) from community_members m where m.community_id = communities.id)`;

function communitiesWithCount(db: Db) {
  return db.selectFrom('communities').selectAll('communities').select(memberCount.as('member_count'));
}

export function findCommunity(db: Db, id: string): Promise<CommunityRecord | undefined> {
  return communitiesWithCount(db).where('communities.id', '=', id).executeTakeFirst();
}

/** Serialises every change to a community, so that rules checked first still hold at write. */
export async function lockCommunity(trx: Transaction<Schema>, id: string): Promise<void> {
  await trx.selectFrom('communities').select('id').where('id', '=', id).forUpdate().execute();
}

export function listCommunitiesOf(db: Db, userId: string, limit: number, offset: number) {
  const mine = db.selectFrom('community_members').select('community_id').where('user_id', '=', userId);
  return communitiesWithCount(db)
    .where('communities.id', 'in', mine)
    .orderBy('communities.name')
    .orderBy('communities.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function insertCommunity(db: Db, community: Insertable<CommunitiesTable>): Promise<void> {
  await db.insertInto('communities').values(community).execute();
}

export async function updateCommunity(db: Db, id: string, changes: Updateable<CommunitiesTable>) {
  await db
    .updateTable('communities')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function deleteCommunity(db: Db, id: string): Promise<void> {
  await db.deleteFrom('communities').where('id', '=', id).execute();
}

/** Every channel membership inside the community's groups: what its deletion takes away from whom. */
export function channelMembershipsIn(db: Db, communityId: string) {
  return db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .innerJoin('groups', 'groups.id', 'channels.group_id')
    .select(['channel_members.user_id', 'channel_members.channel_id'])
    .where('groups.community_id', '=', communityId)
    .execute();
}

export function listMembers(db: Db, communityId: string, limit: number, offset: number) {
  return db
    .selectFrom('community_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.user_id',
      'u.username',
      'u.display_name',
      'u.avatar_url',
      'm.role',
      'm.nickname',
      'm.joined_at',
    ])
    .where('m.community_id', '=', communityId)
    .orderBy(sql`case m.role when 'owner' then 0 when 'admin' then 1 when 'moderator' then 2 else 3 end`)
    .orderBy('m.joined_at')
    .orderBy('m.user_id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function updateMember(
  db: Db,
  communityId: string,
  userId: string,
  changes: Updateable<CommunityMembersTable>,
): Promise<void> {
  await db
    .updateTable('community_members')
    .set(changes)
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .execute();
}

/** The current owner rows, whoever holds them, become admins. */
export async function demoteOwners(db: Db, communityId: string): Promise<void> {
  await db
    .updateTable('community_members')
    .set({ role: 'admin' })
    .where('community_id', '=', communityId)
    .where('role', '=', 'owner')
    .execute();
}

export async function userExists(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export function listBans(db: Db, communityId: string, limit: number) {
  return db
    .selectFrom('community_bans as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .select(['b.user_id', 'u.username', 'u.display_name', 'b.reason', 'b.created_at'])
    .where('b.community_id', '=', communityId)
    .orderBy('b.created_at', 'desc')
    .orderBy('b.user_id')
    .limit(limit)
    .execute();
}

/** A second ban of the same user keeps the first one's reason. */
export async function insertBan(db: Db, ban: Insertable<CommunityBansTable>): Promise<void> {
  await db
    .insertInto('community_bans')
    .values(ban)
    .onConflict((conflict) => conflict.columns(['community_id', 'user_id']).doNothing())
    .execute();
}

export async function deleteBan(db: Db, communityId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('community_bans')
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A channel of one of the community's groups (DMs and standalone channels belong to none). */
export async function channelInCommunity(db: Db, communityId: string, channelId: string): Promise<boolean> {
  const row = await db
    .selectFrom('channels')
    .innerJoin('groups', 'groups.id', 'channels.group_id')
    .select('channels.id')
    .where('channels.id', '=', channelId)
    .where('groups.community_id', '=', communityId)
    .executeTakeFirst();
  return row !== undefined;
}

/** One timeout per user and channel: a new one replaces the old. */
export function upsertTimeout(db: Db, timeout: Insertable<UserTimeoutsTable>): Promise<TimeoutRecord> {
  return db
    .insertInto('user_timeouts')
    .values(timeout)
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'channel_id']).doUpdateSet((eb) => ({
        id: eb.ref('excluded.id'),
        issued_by: eb.ref('excluded.issued_by'),
        reason: eb.ref('excluded.reason'),
        expires_at: eb.ref('excluded.expires_at'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Removes the user's timeout in the channel; false when none was still running at `now`. */
export async function deleteTimeout(db: Db, channelId: string, userId: string, now: Date): Promise<boolean> {
  const rows = await db
    .deleteFrom('user_timeouts')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .returning('expires_at')
    .execute();
  return rows.some((row) => row.expires_at > now);
}

/** The new warning, and how many the user now has in the channel. */
export async function insertWarning(db: Db, warning: Insertable<WarningsTable>) {
  const created = await db.insertInto('warnings').values(warning).returningAll().executeTakeFirstOrThrow();
  const { count } = await db
    .selectFrom('warnings')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('channel_id', '=', created.channel_id)
    .where('user_id', '=', created.user_id)
    .executeTakeFirstOrThrow();
  return { warning: created, count };
}

export function listWarnings(db: Db, channelId: string, userId: string, limit: number) {
  return db
    .selectFrom('warnings')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
