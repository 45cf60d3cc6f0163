import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ChannelRole } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { type ActorName, buildWorld } from './world.js';

/**
 * Every channel and DM endpoint against every actor of the test world, plus a channel admin and a
 * channel moderator. Each row targets fresh objects; a refused call must change nothing and publish
 * nothing, an allowed one must change what it says it changes.
 */

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;

type Who = ActorName | 'channelAdmin' | 'channelModerator';
const extra = { channelAdmin: await registerUser(app), channelModerator: await registerUser(app) };
const actors: Record<Who, TestUser> = { ...world.actors, ...extra };
const everyone = Object.keys(actors) as Who[];
const id = (name: Who) => actors[name].user.id;

for (const user of Object.values(extra)) {
  await db
    .insertInto('community_members')
    .values({ community_id: world.communityId, user_id: user.user.id })
    .execute();
  await db.insertInto('group_members').values({ group_id: world.groupId, user_id: user.user.id }).execute();
}

/** Everyone in the world's group; the other actors are outsiders to it. */
const notInGroup: Who[] = ['outsider', 'banned', 'instanceAdmin', 'instanceOwner'];
const groupMembers = everyone.filter((name) => !notInGroup.includes(name));
const ownerLevel: Who[] = ['communityOwner', 'instanceAdmin', 'instanceOwner'];
const moderatorLevel: Who[] = [...ownerLevel, 'channelAdmin', 'channelModerator'];
const channelRoles: Partial<Record<Who, ChannelRole>> = {
  communityOwner: 'owner',
  channelAdmin: 'admin',
  channelModerator: 'moderator',
};

/** A fresh channel of the world's group owned by the community owner; with `full`, every group member is in it. */
async function freshChannel(full = true): Promise<string> {
  const channelId = uuidv7();
  await db
    .insertInto('channels')
    .values({
      id: channelId,
      name: 'fresh',
      channel_type: 'text',
      created_by: id('communityOwner'),
      group_id: world.groupId,
    })
    .execute();
  const members: Who[] = full ? groupMembers : ['communityOwner'];
  await db
    .insertInto('channel_members')
    .values(
      members.map((name) => ({
        channel_id: channelId,
        user_id: id(name),
        role: channelRoles[name] ?? 'member',
      })),
    )
    .execute();
  return channelId;
}

const rowOf = (table: 'channel_members' | 'channel_bans', channelId: string, name: Who) =>
  db
    .selectFrom(table)
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('user_id', '=', id(name))
    .executeTakeFirst();
const memberRow = (channelId: string, name: Who) => rowOf('channel_members', channelId, name);
const banRow = (channelId: string, name: Who) => rowOf('channel_bans', channelId, name);

interface Prepared {
  request: InjectOptions;
  /** A snapshot of what the call may change. */
  state: () => Promise<unknown>;
  check?: (response: LightMyRequestResponse) => void;
}

interface Row {
  endpoint: string;
  expected: (actor: Who) => number;
  prepare: (actor: Who) => Promise<Prepared>;
  /** Whether the call changes state; by default exactly when it succeeds. */
  changes?: (actor: Who) => boolean;
}

const when = (allowed: readonly Who[]) => (actor: Who) => (allowed.includes(actor) ? 200 : 403);
const nothing = async () => null;
const never = () => false;
const ids = (response: LightMyRequestResponse) =>
  response.json<Array<{ id: string }>>().map((item) => item.id);

const rows: Row[] = [
  {
    endpoint: 'GET /api/channels',
    changes: never,
    expected: () => 200,
    prepare: async (actor) => {
      const channelId = await freshChannel();
      return {
        request: { url: '/api/channels' },
        state: nothing,
        check: (response) => expect(ids(response).includes(channelId)).toBe(groupMembers.includes(actor)),
      };
    },
  },
  {
    endpoint: 'POST /api/channels (standalone)',
    expected: () => 200,
    prepare: async (actor) => ({
      request: { method: 'POST', url: '/api/channels', payload: { name: 'mine', channel_type: 'text' } },
      state: () =>
        db
          .selectFrom('channels')
          .select('id')
          .where('created_by', '=', id(actor))
          .where('group_id', 'is', null)
          .execute(),
    }),
  },
  {
    endpoint: 'POST /api/channels (in a group)',
    expected: when(['communityOwner', 'instanceOwner']),
    prepare: async () => ({
      request: {
        method: 'POST',
        url: '/api/channels',
        payload: { name: 'grouped', channel_type: 'text', group_id: world.groupId },
      },
      state: () => db.selectFrom('channels').select('id').where('group_id', '=', world.groupId).execute(),
    }),
  },
  {
    endpoint: 'GET /api/channels/:id',
    changes: never,
    expected: when(groupMembers),
    prepare: async () => {
      const channelId = await freshChannel();
      return {
        request: { url: `/api/channels/${channelId}` },
        state: nothing,
        check: (response) =>
          expect(response.json()).toMatchObject({ id: channelId, group_id: world.groupId }),
      };
    },
  },
  {
    endpoint: 'PATCH /api/channels/:id',
    expected: when(ownerLevel),
    prepare: async () => {
      const channelId = await freshChannel();
      return {
        request: { method: 'PATCH', url: `/api/channels/${channelId}`, payload: { topic: 'changed' } },
        state: () => db.selectFrom('channels').select('topic').where('id', '=', channelId).executeTakeFirst(),
      };
    },
  },
  {
    endpoint: 'POST /api/channels/:id/join',
    expected: when(groupMembers),
    changes: (actor) => groupMembers.includes(actor) && actor !== 'communityOwner',
    prepare: async (actor) => {
      const channelId = await freshChannel(false);
      return {
        request: { method: 'POST', url: `/api/channels/${channelId}/join` },
        state: () => memberRow(channelId, actor),
      };
    },
  },
  {
    endpoint: 'POST /api/channels/:id/leave',
    expected: (actor) => (actor === 'communityOwner' ? 400 : 200),
    changes: (actor) => groupMembers.includes(actor) && actor !== 'communityOwner',
    prepare: async (actor) => {
      const channelId = await freshChannel();
      return {
        request: { method: 'POST', url: `/api/channels/${channelId}/leave` },
        state: () => memberRow(channelId, actor),
      };
    },
  },
  {
    endpoint: 'GET /api/channels/:id/members',
    changes: never,
    expected: when(groupMembers),
    prepare: async () => ({
      request: { url: `/api/channels/${await freshChannel()}/members` },
      state: nothing,
      check: (response) => expect(response.json()).toHaveLength(groupMembers.length),
    }),
  },
  {
    endpoint: 'PATCH /api/channels/:id/members/:user_id/role',
    expected: when(ownerLevel),
    prepare: async () => {
      const channelId = await freshChannel();
      return {
        request: {
          method: 'PATCH',
          url: `/api/channels/${channelId}/members/${id('member')}/role`,
          payload: { role: 'moderator' },
        },
        state: () => memberRow(channelId, 'member'),
      };
    },
  },
  ...(['kick', 'ban'] as const).map(
    (action): Row => ({
      endpoint: `POST /api/channels/:id/members/:user_id/${action}`,
      expected: when(moderatorLevel),
      prepare: async () => {
        const channelId = await freshChannel();
        return {
          request: { method: 'POST', url: `/api/channels/${channelId}/members/${id('member')}/${action}` },
          state: async () => [await memberRow(channelId, 'member'), await banRow(channelId, 'member')],
        };
      },
    }),
  ),
  {
    endpoint: 'POST /api/channels/:id/members/:user_id/unban',
    expected: when(moderatorLevel),
    prepare: async () => {
      const channelId = await freshChannel();
      await db
        .insertInto('channel_bans')
        .values({ channel_id: channelId, user_id: id('outsider') })
        .execute();
      return {
        request: { method: 'POST', url: `/api/channels/${channelId}/members/${id('outsider')}/unban` },
        state: () => banRow(channelId, 'outsider'),
      };
    },
  },
  {
    endpoint: 'POST /api/channels/:id/transfer-ownership',
    expected: when(ownerLevel),
    prepare: async () => {
      const channelId = await freshChannel();
      return {
        request: {
          method: 'POST',
          url: `/api/channels/${channelId}/transfer-ownership`,
          payload: { new_owner_id: id('channelAdmin') },
        },
        state: () =>
          db
            .selectFrom('channel_members')
            .select(['user_id', 'role'])
            .where('channel_id', '=', channelId)
            .where('role', '=', 'owner')
            .execute(),
      };
    },
  },
  {
    endpoint: 'GET /api/dms',
    changes: never,
    expected: () => 200,
    prepare: async () => ({ request: { url: '/api/dms' }, state: nothing }),
  },
  {
    endpoint: 'POST /api/dms',
    expected: (actor) => (actor === 'member' ? 400 : when([...groupMembers, 'instanceOwner'])(actor)),
    prepare: async (actor) => ({
      request: { method: 'POST', url: '/api/dms', payload: { target_user_id: id('member') } },
      state: () =>
        db
          .selectFrom('dm_pairs')
          .select('channel_id')
          .where((eb) => eb.or([eb('user_a', '=', id(actor)), eb('user_b', '=', id(actor))]))
          .where((eb) => eb.or([eb('user_a', '=', id('member')), eb('user_b', '=', id('member'))]))
          .execute(),
    }),
  },
];

for (const row of rows) {
  describe(row.endpoint, () => {
    it.each(everyone)('as %s', async (actor) => {
      const expected = row.expected(actor);
      const { request, state, check } = await row.prepare(actor);
      const before = await state();
      const published = events.length;
      const response = await call(app, { ...request, headers: actors[actor].headers });
      expect(response.statusCode, response.body).toBe(expected);
      const after = await state();
      if (row.changes?.(actor) ?? expected === 200) expect(after).not.toEqual(before);
      else expect(after).toEqual(before);
      if (expected === 200) check?.(response);
      else {
        expect(events.length).toBe(published);
        if (expected === 403)
          expect(response.json()).toEqual({ error: { code: 'forbidden', message: 'forbidden' } });
      }
    });
  });
}

describe("POST /api/channels/:id/join, with the reference's holes closed", () => {
  const join = (name: Who, channelId: string) =>
    call(app, { method: 'POST', url: `/api/channels/${channelId}/join`, headers: actors[name].headers });
  const joined = async (name: Who, channelId: string) => (await memberRow(channelId, name)) !== undefined;

  async function bareChannel(values: { groupId?: string; discoverable?: boolean; dm?: boolean }) {
    const channelId = uuidv7();
    await db
      .insertInto('channels')
      .values({
        id: channelId,
        name: values.dm ? null : 'bare',
        channel_type: values.dm ? 'dm' : 'text',
        group_id: values.groupId ?? null,
        discoverable: values.discoverable ?? true,
      })
      .execute();
    return channelId;
  }

  it('never lets anyone into a DM by its id, not even the instance owner', async () => {
    const dm = await bareChannel({ dm: true });
    for (const name of ['member', 'instanceOwner'] as const) {
      expect((await join(name, dm)).statusCode).toBe(403);
      expect(await joined(name, dm)).toBe(false);
    }
  });

  it('keeps community members and instance staff out of channels of a group they are not in', async () => {
    const groupId = uuidv7();
    await db
      .insertInto('groups')
      .values({
        id: groupId,
        name: 'Private',
        owner_id: id('communityOwner'),
        community_id: world.communityId,
        visibility: 'private',
      })
      .execute();
    const channelId = await bareChannel({ groupId });
    for (const name of [
      'member',
      'moderator',
      'communityAdmin',
      'communityOwner',
      'instanceAdmin',
      'instanceOwner',
    ] as const) {
      expect((await join(name, channelId)).statusCode).toBe(403);
      expect(await joined(name, channelId)).toBe(false);
    }
  });

  it('lets only group owners and admins into a hidden group channel', async () => {
    const hidden = await bareChannel({ groupId: world.groupId, discoverable: false });
    expect((await join('member', hidden)).statusCode).toBe(403);
    expect((await join('communityOwner', hidden)).statusCode).toBe(200);
    expect(await joined('communityOwner', hidden)).toBe(true);
  });

  it('refuses someone banned from the channel', async () => {
    const channelId = await bareChannel({ groupId: world.groupId });
    await db
      .insertInto('channel_bans')
      .values({ channel_id: channelId, user_id: id('member') })
      .execute();
    expect((await join('member', channelId)).statusCode).toBe(403);
    expect(await joined('member', channelId)).toBe(false);
  });

  it('opens discoverable standalone channels to anyone and hidden ones only to instance staff', async () => {
    expect((await join('outsider', await bareChannel({}))).statusCode).toBe(200);
    const hidden = await bareChannel({ discoverable: false });
    expect((await join('outsider', hidden)).statusCode).toBe(403);
    expect((await join('instanceAdmin', hidden)).statusCode).toBe(200);
  });

  it('answers 404 for a channel that does not exist', async () => {
    expect((await join('member', uuidv7())).json()).toEqual({
      error: { code: 'not_found', message: 'channel not found' },
    });
  });
});
