import { describe, expect, it } from 'vitest';
import type { CommunityRole } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call } from './factories.js';
import { createTestApp } from './harness.js';
import { type ActorName, actorNames, buildWorld } from './world.js';

/**
 * Every community endpoint against every actor of the test world. Each attempt gets a community of its
 * own, with the world's actors in the same roles, so that one actor's success cannot spoil the next.
 * A number is the expected status; 'noop' is a 200 that changes nothing. Refused calls must change
 * nothing and publish nothing.
 */

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const idOf = (actor: ActorName) => world.actors[actor].user.id;

type Cell = number | 'noop';
interface Attempt {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: object;
  /** What the call may change, read before and after it. */
  state?: () => Promise<unknown>;
}
interface Row {
  name: string;
  expected: Record<ActorName, Cell>;
  attempt: (actor: ActorName) => Promise<Attempt>;
}

const worldRoles: Partial<Record<ActorName, CommunityRole>> = {
  member: 'member',
  moderator: 'moderator',
  communityAdmin: 'admin',
  communityOwner: 'owner',
  timedOut: 'member',
};

interface Place {
  cid: string;
  groupId: string;
  channelId: string;
}

async function newUser(): Promise<string> {
  const id = uuidv7();
  const name = `u${id.replaceAll('-', '').slice(-16)}`;
  await db
    .insertInto('users')
    .values({ id, username: name, display_name: name, email: `${name}@example.org`, password_hash: 'x' })
    .execute();
  return id;
}

async function addMember(place: Place, userId: string, role: CommunityRole): Promise<string> {
  await db
    .insertInto('community_members')
    .values({ community_id: place.cid, user_id: userId, role })
    .execute();
  await db.insertInto('group_members').values({ group_id: place.groupId, user_id: userId }).execute();
  await db.insertInto('channel_members').values({ channel_id: place.channelId, user_id: userId }).execute();
  return userId;
}

/** A copy of the world's community: same members and roles, the same ban and the same timeout. */
async function freshCommunity(): Promise<Place> {
  const place = { cid: uuidv7(), groupId: uuidv7(), channelId: uuidv7() };
  const owner = idOf('communityOwner');
  await db.insertInto('communities').values({ id: place.cid, name: 'Copy', owner_id: owner }).execute();
  await db
    .insertInto('groups')
    .values({ id: place.groupId, name: 'General', owner_id: owner, community_id: place.cid })
    .execute();
  await db
    .insertInto('channels')
    .values({ id: place.channelId, name: 'general', channel_type: 'text', group_id: place.groupId })
    .execute();
  for (const [actor, role] of Object.entries(worldRoles) as Array<[ActorName, CommunityRole]>) {
    await addMember(place, idOf(actor), role);
  }
  await db
    .insertInto('community_bans')
    .values({ community_id: place.cid, user_id: idOf('banned') })
    .execute();
  await timeOut(place, idOf('timedOut'));
  return place;
}

async function timeOut(place: Place, userId: string): Promise<void> {
  await db
    .insertInto('user_timeouts')
    .values({
      id: uuidv7(),
      user_id: userId,
      channel_id: place.channelId,
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
}

async function newInvite(place: Place): Promise<{ id: string; code: string }> {
  const invite = { id: uuidv7(), code: uuidv7().replaceAll('-', '').slice(-12) };
  await db
    .insertInto('community_invites')
    .values({ ...invite, community_id: place.cid })
    .execute();
  return invite;
}

const member = (place: Place, userId: string) =>
  db
    .selectFrom('community_members')
    .select(['role', 'nickname'])
    .where('community_id', '=', place.cid)
    .where('user_id', '=', userId)
    .executeTakeFirst();
const count = (
  table: 'communities' | 'community_invites' | 'user_timeouts' | 'warnings' | 'community_bans',
) =>
  db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

function expecting(
  allowed: readonly ActorName[],
  cell: Cell = 200,
  others: Partial<Record<ActorName, Cell>> = {},
) {
  const expected = Object.fromEntries(actorNames.map((actor) => [actor, 403])) as Record<ActorName, Cell>;
  for (const actor of allowed) expected[actor] = cell;
  return { ...expected, ...others };
}
const viewers = [
  'member',
  'moderator',
  'communityAdmin',
  'communityOwner',
  'instanceAdmin',
  'instanceOwner',
  'timedOut',
] as const;
const moderators = [
  'moderator',
  'communityAdmin',
  'communityOwner',
  'instanceAdmin',
  'instanceOwner',
] as const;
const managers = ['communityAdmin', 'communityOwner', 'instanceAdmin', 'instanceOwner'] as const;
const ownerLevel = ['communityOwner', 'instanceAdmin', 'instanceOwner'] as const;
/** Acting on the community owner: refused to all, instance staff included; the owner may not act on themself. */
const onOwner = expecting([], 403, { communityOwner: 400 });

/** A fresh community, a fresh member of it in `role`, and an attempt on them. */
function onNewMember(role: CommunityRole, make: (place: Place, target: string) => Attempt) {
  return async () => {
    const place = await freshCommunity();
    return make(place, await addMember(place, await newUser(), role));
  };
}
function inFreshCommunity(make: (place: Place, actor: ActorName) => Attempt | Promise<Attempt>) {
  return async (actor: ActorName) => make(await freshCommunity(), actor);
}

const rows: Row[] = [
  {
    name: 'GET /api/communities',
    expected: expecting(actorNames),
    attempt: async () => ({ method: 'GET', url: '/api/communities' }),
  },
  {
    name: 'POST /api/communities (admin_only)',
    expected: expecting(['instanceAdmin', 'instanceOwner']),
    attempt: async () => ({
      method: 'POST',
      url: '/api/communities',
      payload: { name: 'Created' },
      state: () => count('communities'),
    }),
  },
  {
    name: 'GET /api/community-invites/:code',
    expected: expecting(actorNames),
    attempt: inFreshCommunity(async (place) => ({
      method: 'GET',
      url: `/api/community-invites/${(await newInvite(place)).code}`,
    })),
  },
  {
    name: 'POST /api/community-invites/:code/accept',
    expected: expecting(viewers, 409, { outsider: 200, instanceAdmin: 200, instanceOwner: 200 }),
    attempt: inFreshCommunity(async (place, actor) => ({
      method: 'POST',
      url: `/api/community-invites/${(await newInvite(place)).code}/accept`,
      state: () => member(place, idOf(actor)),
    })),
  },
  {
    name: 'GET /api/communities/:cid',
    expected: expecting(viewers),
    attempt: inFreshCommunity((place) => ({ method: 'GET', url: `/api/communities/${place.cid}` })),
  },
  {
    name: 'PATCH /api/communities/:cid',
    expected: expecting(managers),
    attempt: inFreshCommunity((place, actor) => ({
      method: 'PATCH',
      url: `/api/communities/${place.cid}`,
      payload: { name: `Renamed by ${actor}`, community_theme: { accent: '#123456' } },
      state: () => db.selectFrom('communities').selectAll().where('id', '=', place.cid).executeTakeFirst(),
    })),
  },
  {
    name: 'DELETE /api/communities/:cid',
    expected: expecting(ownerLevel),
    attempt: inFreshCommunity((place) => ({
      method: 'DELETE',
      url: `/api/communities/${place.cid}`,
      state: () => db.selectFrom('communities').select('id').where('id', '=', place.cid).executeTakeFirst(),
    })),
  },
  {
    name: 'POST /api/communities/:cid/transfer-ownership',
    expected: expecting(ownerLevel),
    attempt: onNewMember('member', (place, target) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/transfer-ownership`,
      payload: { new_owner_id: target },
      state: async () => [
        await db.selectFrom('communities').select('owner_id').where('id', '=', place.cid).executeTakeFirst(),
        await member(place, target),
        await member(place, idOf('communityOwner')),
      ],
    })),
  },
  {
    name: 'POST /api/communities/:cid/leave',
    expected: expecting(viewers, 200, { communityOwner: 400, instanceAdmin: 400, instanceOwner: 400 }),
    attempt: inFreshCommunity((place, actor) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/leave`,
      state: () => member(place, idOf(actor)),
    })),
  },
  {
    name: 'GET /api/communities/:cid/members',
    expected: expecting(viewers),
    attempt: inFreshCommunity((place) => ({ method: 'GET', url: `/api/communities/${place.cid}/members` })),
  },
  ...(['moderator', 'admin'] as const).map(
    (role): Row => ({
      name: `PUT /api/communities/:cid/members/:uid/role to ${role}`,
      expected: expecting(role === 'admin' ? ownerLevel : managers, 200, {
        communityAdmin: role === 'admin' ? 403 : 200,
      }),
      attempt: onNewMember('member', (place, target) => ({
        method: 'PUT',
        url: `/api/communities/${place.cid}/members/${target}/role`,
        payload: { role },
        state: () => member(place, target),
      })),
    }),
  ),
  {
    name: 'PUT /api/communities/:cid/members/:uid/role of the owner',
    expected: expecting(managers, 400),
    attempt: inFreshCommunity((place) => ({
      method: 'PUT',
      url: `/api/communities/${place.cid}/members/${idOf('communityOwner')}/role`,
      payload: { role: 'member' },
      state: () => member(place, idOf('communityOwner')),
    })),
  },
  {
    name: 'PUT /api/communities/:cid/members/:uid/nickname of oneself',
    expected: expecting(viewers, 200, { instanceAdmin: 'noop', instanceOwner: 'noop' }),
    attempt: inFreshCommunity((place, actor) => ({
      method: 'PUT',
      url: `/api/communities/${place.cid}/members/${idOf(actor)}/nickname`,
      payload: { nickname: 'Me' },
      state: () => member(place, idOf(actor)),
    })),
  },
  {
    name: 'PUT /api/communities/:cid/members/:uid/nickname of a member',
    expected: expecting(managers),
    attempt: onNewMember('member', (place, target) => ({
      method: 'PUT',
      url: `/api/communities/${place.cid}/members/${target}/nickname`,
      payload: { nickname: 'Renamed' },
      state: () => member(place, target),
    })),
  },
  {
    name: 'PUT /api/communities/:cid/members/:uid/nickname of the owner',
    expected: expecting(['communityOwner']),
    attempt: inFreshCommunity((place) => ({
      method: 'PUT',
      url: `/api/communities/${place.cid}/members/${idOf('communityOwner')}/nickname`,
      payload: { nickname: 'Boss' },
      state: () => member(place, idOf('communityOwner')),
    })),
  },
  ...(['member', 'moderator'] as const).map(
    (role): Row => ({
      name: `DELETE /api/communities/:cid/members/:uid (kick a ${role})`,
      expected: expecting(role === 'member' ? moderators : managers),
      attempt: onNewMember(role, (place, target) => ({
        method: 'DELETE',
        url: `/api/communities/${place.cid}/members/${target}`,
        state: () => member(place, target),
      })),
    }),
  ),
  {
    name: 'DELETE /api/communities/:cid/members/:uid (kick the owner)',
    expected: onOwner,
    attempt: inFreshCommunity((place) => ({
      method: 'DELETE',
      url: `/api/communities/${place.cid}/members/${idOf('communityOwner')}`,
      state: () => member(place, idOf('communityOwner')),
    })),
  },
  {
    name: 'GET /api/communities/:cid/bans',
    expected: expecting(moderators),
    attempt: inFreshCommunity((place) => ({ method: 'GET', url: `/api/communities/${place.cid}/bans` })),
  },
  {
    name: 'POST /api/communities/:cid/bans/:uid (a member)',
    expected: expecting(moderators),
    attempt: onNewMember('member', (place, target) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/bans/${target}`,
      payload: { reason: 'spam' },
      state: async () => [await member(place, target), await count('community_bans')],
    })),
  },
  {
    name: 'POST /api/communities/:cid/bans/:uid (a non-member)',
    expected: expecting(moderators),
    attempt: inFreshCommunity(async (place) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/bans/${await newUser()}`,
      state: () => count('community_bans'),
    })),
  },
  {
    name: 'POST /api/communities/:cid/bans/:uid (the owner)',
    expected: onOwner,
    attempt: inFreshCommunity((place) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/bans/${idOf('communityOwner')}`,
      state: async () => [await member(place, idOf('communityOwner')), await count('community_bans')],
    })),
  },
  {
    name: 'DELETE /api/communities/:cid/bans/:uid',
    expected: expecting(moderators),
    attempt: inFreshCommunity(async (place) => {
      const target = await newUser();
      await db.insertInto('community_bans').values({ community_id: place.cid, user_id: target }).execute();
      return {
        method: 'DELETE',
        url: `/api/communities/${place.cid}/bans/${target}`,
        state: () => count('community_bans'),
      };
    }),
  },
  {
    name: 'GET /api/communities/:cid/invites',
    expected: expecting(managers),
    attempt: inFreshCommunity((place) => ({ method: 'GET', url: `/api/communities/${place.cid}/invites` })),
  },
  ...(['admin', 'moderator', 'everyone'] as const).map(
    (policy): Row => ({
      name: `POST /api/communities/:cid/invites (who_can_create_invites=${policy})`,
      expected: expecting({ admin: managers, moderator: moderators, everyone: viewers }[policy]),
      attempt: inFreshCommunity(async (place) => {
        await db
          .updateTable('communities')
          .set({ who_can_create_invites: policy })
          .where('id', '=', place.cid)
          .execute();
        return {
          method: 'POST',
          url: `/api/communities/${place.cid}/invites`,
          payload: { max_uses: 5 },
          state: () => count('community_invites'),
        };
      }),
    }),
  ),
  {
    name: 'DELETE /api/communities/:cid/invites/:iid',
    expected: expecting(managers),
    attempt: inFreshCommunity(async (place) => ({
      method: 'DELETE',
      url: `/api/communities/${place.cid}/invites/${(await newInvite(place)).id}`,
      state: () => count('community_invites'),
    })),
  },
  {
    name: 'GET /api/communities/:cid/groups',
    expected: expecting(viewers),
    attempt: inFreshCommunity((place) => ({ method: 'GET', url: `/api/communities/${place.cid}/groups` })),
  },
  {
    name: 'POST /api/communities/:cid/channels/:chid/timeout',
    expected: expecting(moderators),
    attempt: onNewMember('member', (place, target) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/channels/${place.channelId}/timeout`,
      payload: { user_id: target, duration_seconds: 600 },
      state: () => count('user_timeouts'),
    })),
  },
  {
    name: 'POST /api/communities/:cid/channels/:chid/timeout (the owner)',
    expected: onOwner,
    attempt: inFreshCommunity((place) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/channels/${place.channelId}/timeout`,
      payload: { user_id: idOf('communityOwner'), duration_seconds: 600 },
      state: () => count('user_timeouts'),
    })),
  },
  {
    name: 'DELETE /api/communities/:cid/channels/:chid/timeout/:uid',
    expected: expecting(moderators),
    attempt: inFreshCommunity(async (place) => {
      const target = await addMember(place, await newUser(), 'member');
      await timeOut(place, target);
      return {
        method: 'DELETE',
        url: `/api/communities/${place.cid}/channels/${place.channelId}/timeout/${target}`,
        state: () => count('user_timeouts'),
      };
    }),
  },
  {
    name: 'POST /api/communities/:cid/channels/:chid/warn',
    expected: expecting(moderators),
    attempt: onNewMember('member', (place, target) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/channels/${place.channelId}/warn`,
      payload: { user_id: target, reason: 'be nice' },
      state: () => count('warnings'),
    })),
  },
  {
    name: 'POST /api/communities/:cid/channels/:chid/warn (the owner)',
    expected: onOwner,
    attempt: inFreshCommunity((place) => ({
      method: 'POST',
      url: `/api/communities/${place.cid}/channels/${place.channelId}/warn`,
      payload: { user_id: idOf('communityOwner'), reason: 'be nice' },
      state: () => count('warnings'),
    })),
  },
  {
    name: 'GET /api/communities/:cid/channels/:chid/warnings/:uid',
    expected: expecting(moderators),
    attempt: inFreshCommunity((place) => ({
      method: 'GET',
      url: `/api/communities/${place.cid}/channels/${place.channelId}/warnings/${idOf('member')}`,
    })),
  },
];

describe.each(rows)('$name', ({ expected, attempt }) => {
  it.each(actorNames)('as %s', async (actor) => {
    const { state, ...request } = await attempt(actor);
    const before = await state?.();
    const published = events.length;
    const response = await call(app, { ...request, headers: world.actors[actor].headers });
    const cell = expected[actor];
    expect(response.statusCode, response.body).toBe(cell === 'noop' ? 200 : cell);
    const after = await state?.();
    if (cell === 200 && state) expect(after).not.toEqual(before);
    else expect(after).toEqual(before);
    if (response.statusCode === 403) {
      expect(response.json()).toEqual({ error: { code: 'forbidden', message: 'forbidden' } });
    }
    if (response.statusCode >= 400) expect(events.length).toBe(published);
  });
});

describe('a community that does not exist', () => {
  const missing = `/api/communities/${uuidv7()}`;
  it.each([
    ['GET', missing],
    ['GET', `${missing}/members`],
    ['GET', `${missing}/bans`],
    ['PATCH', missing],
    ['DELETE', missing],
    ['POST', `${missing}/invites`],
    ['POST', `${missing}/bans/${uuidv7()}`],
  ] as const)(
    '%s %s is 403 for members of other communities and 404 for instance staff',
    async (method, url) => {
      const request = { method, url, payload: {} };
      expect((await call(app, { ...request, headers: world.actors.member.headers })).statusCode).toBe(403);
      for (const staff of [world.actors.instanceAdmin, world.actors.instanceOwner]) {
        const response = await call(app, { ...request, headers: staff.headers });
        expect(response.json()).toEqual({ error: { code: 'not_found', message: 'community not found' } });
      }
    },
  );
});
