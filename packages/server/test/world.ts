import type { FastifyInstance } from 'fastify';
import type { Database } from '../src/platform/db/database.js';
import type { CommunityRole } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { registerUser, type TestUser } from './factories.js';

/** Everyone an authorisation test may act as (issue 4's actor list). */
export const actorNames = [
  'outsider',
  'member',
  'moderator',
  'communityAdmin',
  'communityOwner',
  'instanceAdmin',
  'instanceOwner',
  'banned',
  'timedOut',
] as const;
export type ActorName = (typeof actorNames)[number];

export interface World {
  actors: Record<ActorName, TestUser>;
  communityId: string;
  /** A public group owned by the community owner, with every community member in it. */
  groupId: string;
  /** A text channel of that group: the community owner owns it, every group member belongs to it. */
  channelId: string;
}

const communityRoles: Partial<Record<ActorName, CommunityRole>> = {
  member: 'member',
  moderator: 'moderator',
  communityAdmin: 'admin',
  communityOwner: 'owner',
  timedOut: 'member',
};

/**
 * A community with one actor of each kind, set up straight in the database so that tests of any
 * endpoint can start from the same ground. Must be called on an app with no users yet: the first
 * registration becomes the instance owner.
 */
export async function buildWorld(app: FastifyInstance, database: Database): Promise<World> {
  const instanceOwner = await registerUser(app, { username: `owner_${uuidv7().slice(-8)}` });
  const others = Object.fromEntries(
    await Promise.all(
      actorNames
        .filter((name) => name !== 'instanceOwner')
        .map(async (name) => [name, await registerUser(app)] as const),
    ),
  ) as Record<Exclude<ActorName, 'instanceOwner'>, TestUser>;
  const actors: Record<ActorName, TestUser> = { ...others, instanceOwner };
  const { db } = database;
  await db
    .updateTable('users')
    .set({ is_admin: true })
    .where('id', '=', actors.instanceAdmin.user.id)
    .execute();

  const communityId = uuidv7();
  const groupId = uuidv7();
  const channelId = uuidv7();
  const owner = actors.communityOwner.user.id;
  await db
    .insertInto('communities')
    .values({ id: communityId, name: 'Test Community', owner_id: owner })
    .execute();
  const members = Object.entries(communityRoles) as Array<[ActorName, CommunityRole]>;
  await db
    .insertInto('community_members')
    .values(
      members.map(([name, role]) => ({ community_id: communityId, user_id: actors[name].user.id, role })),
    )
    .execute();
  await db
    .insertInto('community_bans')
    .values({ community_id: communityId, user_id: actors.banned.user.id, banned_by: owner, reason: 'test' })
    .execute();
  await db
    .insertInto('groups')
    .values({
      id: groupId,
      name: 'General',
      owner_id: owner,
      community_id: communityId,
      visibility: 'public',
    })
    .execute();
  await db
    .insertInto('group_members')
    .values(
      members.map(([name]) => ({
        group_id: groupId,
        user_id: actors[name].user.id,
        role: name === 'communityOwner' ? ('owner' as const) : ('member' as const),
      })),
    )
    .execute();
  await db
    .insertInto('channels')
    .values({ id: channelId, name: 'general', channel_type: 'text', created_by: owner, group_id: groupId })
    .execute();
  await db
    .insertInto('channel_members')
    .values(
      members.map(([name]) => ({
        channel_id: channelId,
        user_id: actors[name].user.id,
        role: name === 'communityOwner' ? ('owner' as const) : ('member' as const),
      })),
    )
    .execute();
  await db
    .insertInto('user_timeouts')
    .values({
      id: uuidv7(),
      user_id: actors.timedOut.user.id,
      channel_id: channelId,
      issued_by: owner,
      expires_at: new Date(Date.now() + 24 * 3600_000),
    })
    .execute();
  return { actors, communityId, groupId, channelId };
}
