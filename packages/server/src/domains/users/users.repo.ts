import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db, UsersTable } from '../../platform/db/schema.js';
import type { UserRecord } from './users.present.js';

export function findUserById(db: Db, id: string): Promise<UserRecord | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Usernames are unique regardless of case, so this finds at most one account. */
export function findUserByUsername(db: Db, username: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await findUserByUsername(db, username)) !== undefined;
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

export function insertUser(db: Db, user: Insertable<UsersTable>): Promise<UserRecord> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function updateUser(db: Db, id: string, changes: Updateable<UsersTable>): Promise<UserRecord> {
  return db
    .updateTable('users')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

/**
 * Ids of the accounts `viewerId` may look up without instance-wide rights: their own and everyone who
 * shares a community with them. Every visibility check goes through here.
 */
function visibleUserIds(db: Db, viewerId: string) {
  return db
    .selectFrom('community_members as mine')
    .innerJoin('community_members as mate', 'mate.community_id', 'mine.community_id')
    .select('mate.user_id as id')
    .where('mine.user_id', '=', viewerId)
    .union(db.selectFrom('users as me').select('me.id').where('me.id', '=', viewerId));
}

export function findVisibleUser(db: Db, viewerId: string, userId: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('id', 'in', visibleUserIds(db, viewerId))
    .executeTakeFirst();
}

/** `%`, `_` and `\` match literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

function usersMatching(db: Db, text: string, limit: number) {
  const pattern = containsPattern(text);
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('username', 'ilike', pattern), eb('display_name', 'ilike', pattern)]))
    .orderBy('username')
    .limit(limit);
}

/** Every account whose username or display name contains `text`, ignoring case. */
export function searchAllUsers(db: Db, text: string, limit: number): Promise<UserRecord[]> {
  return usersMatching(db, text, limit).execute();
}

/** Like `searchAllUsers`, among the accounts `viewerId` may see, without the viewer. */
export function searchVisibleUsers(
  db: Db,
  viewerId: string,
  text: string,
  limit: number,
): Promise<UserRecord[]> {
  return usersMatching(db, text, limit)
    .where('id', 'in', visibleUserIds(db, viewerId))
    .where('id', '!=', viewerId)
    .execute();
}

export async function insertBlock(db: Db, blockerId: string, blockedId: string): Promise<void> {
  await db
    .insertInto('user_blocks')
    .values({ blocker_id: blockerId, blocked_id: blockedId })
    .onConflict((conflict) => conflict.columns(['blocker_id', 'blocked_id']).doNothing())
    .execute();
}

/** False when there was no such block. */
export async function deleteBlock(db: Db, blockerId: string, blockedId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('user_blocks')
    .where('blocker_id', '=', blockerId)
    .where('blocked_id', '=', blockedId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function listBlocks(
  db: Db,
  blockerId: string,
): Promise<Array<{ blocked_id: string; created_at: Date }>> {
  return db
    .selectFrom('user_blocks')
    .select(['blocked_id', 'created_at'])
    .where('blocker_id', '=', blockerId)
    .orderBy('created_at', 'desc')
    .orderBy('blocked_id')
    .execute();
}
