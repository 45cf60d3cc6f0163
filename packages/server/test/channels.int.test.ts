import { type Channel, channelMember, channel as channelSchema } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import type { ChannelRole } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { member, moderator, communityOwner, outsider, instanceAdmin, instanceOwner } = world.actors;

const send = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  call(app, {
    method,
    url,
    headers: user.headers,
    ...(payload !== undefined && { payload: payload as object }),
  });
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

async function insertChannel(values: {
  groupId?: string | null;
  discoverable?: boolean;
  type?: 'text' | 'dm';
}) {
  const id = uuidv7();
  await db
    .insertInto('channels')
    .values({
      id,
      name: values.type === 'dm' ? null : 'c',
      channel_type: values.type ?? 'text',
      created_by: communityOwner.user.id,
      group_id: values.groupId ?? null,
      discoverable: values.discoverable ?? true,
    })
    .execute();
  return id;
}

async function addMember(channelId: string, user: TestUser, role: ChannelRole = 'member') {
  await db
    .insertInto('channel_members')
    .values({ channel_id: channelId, user_id: user.user.id, role })
    .execute();
}

const isMember = async (channelId: string, user: TestUser) =>
  (await db
    .selectFrom('channel_members')
    .select('role')
    .where('channel_id', '=', channelId)
    .where('user_id', '=', user.user.id)
    .executeTakeFirst()) !== undefined;

describe('POST /api/channels', () => {
  it('creates a standalone channel owned by the caller, in the Channel shape', async () => {
    const response = await send(member, 'POST', '/api/channels', {
      name: '  Lounge  ',
      channel_type: 'gallery',
      topic: ' chat ',
    });
    expect(response.statusCode).toBe(200);
    const created = channelSchema.strict().parse(response.json());
    expect(created).toMatchObject({
      name: 'Lounge',
      channel_type: 'gallery',
      topic: 'chat',
      created_by: member.user.id,
      group_id: null,
      read_only: false,
      slow_mode_seconds: 0,
      message_ttl_seconds: null,
      discoverable: true,
      archived: false,
    });
    expect(
      await db
        .selectFrom('channel_members')
        .select(['user_id', 'role'])
        .where('channel_id', '=', created.id)
        .execute(),
    ).toEqual([{ user_id: member.user.id, role: 'owner' }]);
  });

  it('adds the group members to a discoverable group channel, and only the creator to a hidden one', async () => {
    const open = await send(communityOwner, 'POST', '/api/channels', {
      name: 'news',
      channel_type: 'voice',
      group_id: world.groupId.toUpperCase(),
    });
    expect(open.statusCode).toBe(200);
    const groupSize = (
      await db.selectFrom('group_members').select('user_id').where('group_id', '=', world.groupId).execute()
    ).length;
    const members = await db
      .selectFrom('channel_members')
      .select('role')
      .where('channel_id', '=', open.json<Channel>().id)
      .execute();
    expect(members).toHaveLength(groupSize);
    expect(members.filter((row) => row.role === 'owner')).toHaveLength(1);

    const hidden = await send(communityOwner, 'POST', '/api/channels', {
      name: 'staff',
      channel_type: 'text',
      group_id: world.groupId,
      discoverable: false,
    });
    expect(hidden.json<Channel>().discoverable).toBe(false);
    expect(await isMember(hidden.json<Channel>().id, member)).toBe(false);
  });

  it('answers 404 for a group that does not exist', async () => {
    const response = await send(member, 'POST', '/api/channels', {
      name: 'x',
      channel_type: 'text',
      group_id: uuidv7(),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'group not found' } });
  });

  it('holds a group to 100 channels', async () => {
    const groupId = uuidv7();
    await db
      .insertInto('groups')
      .values({
        id: groupId,
        name: 'Full',
        owner_id: communityOwner.user.id,
        community_id: world.communityId,
      })
      .execute();
    await db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: communityOwner.user.id, role: 'owner' })
      .execute();
    await db
      .insertInto('channels')
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          id: uuidv7(),
          name: `c${i}`,
          channel_type: 'text' as const,
          group_id: groupId,
        })),
      )
      .execute();
    const response = await send(communityOwner, 'POST', '/api/channels', {
      name: 'one more',
      channel_type: 'text',
      group_id: groupId,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('a group can have at most 100 channels'));
  });
});

describe('GET /api/channels', () => {
  it('lists the channels the caller is in, oldest first, without DMs', async () => {
    const user = await registerUser(app);
    const first = await insertChannel({});
    const second = await insertChannel({});
    const dm = await insertChannel({ type: 'dm' });
    for (const id of [second, first, dm]) await addMember(id, user);
    const response = await send(user, 'GET', '/api/channels');
    expect(response.json<Channel[]>().map((c) => c.id)).toEqual([first, second]);
  });
});

describe('GET /api/channels/:id', () => {
  it('shows a channel to its members and answers 403 to everyone else, existing or not', async () => {
    expect((await send(member, 'GET', `/api/channels/${world.channelId}`)).json()).toMatchObject({
      id: world.channelId,
      name: 'general',
    });
    expect((await send(outsider, 'GET', `/api/channels/${world.channelId}`)).statusCode).toBe(403);
    expect((await send(instanceOwner, 'GET', `/api/channels/${world.channelId}`)).statusCode).toBe(403);
    expect((await send(member, 'GET', `/api/channels/${uuidv7()}`)).statusCode).toBe(403);
  });
});

describe('PATCH /api/channels/:id', () => {
  it('changes every setting, clears topic, TTL and background, and tells the channel after the change', async () => {
    const id = await insertChannel({ groupId: world.groupId });
    await addMember(id, communityOwner, 'owner');
    const url = `/api/channels/${id}`;
    const before = events.length;
    const changed = await send(communityOwner, 'PATCH', url, {
      name: ' renamed ',
      topic: 'about',
      read_only: true,
      slow_mode_seconds: 86_400,
      message_ttl_seconds: 2_592_000,
      discoverable: false,
      archived: true,
      voice_background: '/api/backgrounds/x.webp',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'renamed',
      topic: 'about',
      read_only: true,
      slow_mode_seconds: 86_400,
      message_ttl_seconds: 2_592_000,
      discoverable: false,
      archived: true,
      voice_background: '/api/backgrounds/x.webp',
    });
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId: id },
        frame: {
          type: 'channel_updated',
          channel_id: id,
          name: 'renamed',
          topic: 'about',
          read_only: true,
          slow_mode_seconds: 86_400,
          archived: true,
          voice_background: '/api/backgrounds/x.webp',
        },
      },
    ]);
    const cleared = await send(communityOwner, 'PATCH', url, {
      topic: '',
      message_ttl_seconds: 0,
      voice_background: '',
    });
    expect(cleared.json()).toMatchObject({
      name: 'renamed',
      topic: null,
      message_ttl_seconds: null,
      read_only: true,
    });
    expect(cleared.json()).not.toHaveProperty('voice_background');
    const untouched = await send(communityOwner, 'PATCH', url, { name: null, topic: null });
    expect(untouched.json()).toMatchObject({ name: 'renamed', topic: null });
  });

  it('publishes nothing and changes nothing when refused', async () => {
    const before = events.length;
    expect(
      (await send(member, 'PATCH', `/api/channels/${world.channelId}`, { name: 'hijacked' })).statusCode,
    ).toBe(403);
    expect(events.length).toBe(before);
    const row = await db
      .selectFrom('channels')
      .select('name')
      .where('id', '=', world.channelId)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('general');
  });

  it('answers 404 to instance staff for a missing channel and 403 for a DM', async () => {
    expect((await send(instanceAdmin, 'PATCH', `/api/channels/${uuidv7()}`, { topic: 'x' })).statusCode).toBe(
      404,
    );
    const dm = await insertChannel({ type: 'dm' });
    expect((await send(instanceOwner, 'PATCH', `/api/channels/${dm}`, { name: 'x' })).statusCode).toBe(403);
  });
});

describe('POST /api/channels/:id/leave', () => {
  it('removes the member, revokes their access after commit, and makes the owner transfer first', async () => {
    const id = await insertChannel({});
    await addMember(id, communityOwner, 'owner');
    await addMember(id, member);
    const before = events.length;
    const refused = await send(communityOwner, 'POST', `/api/channels/${id}/leave`);
    expect(refused.json()).toEqual(
      validation('owner cannot leave; transfer ownership or delete the channel instead'),
    );
    expect((await send(member, 'POST', `/api/channels/${id}/leave`)).statusCode).toBe(200);
    expect(await isMember(id, member)).toBe(false);
    expect((await send(member, 'POST', `/api/channels/${id}/leave`)).statusCode).toBe(200);
    expect(events.slice(before)).toEqual([
      { kind: 'access_revoked', userId: member.user.id, channelIds: [id] },
    ]);
  });
});

describe('GET /api/channels/:id/members', () => {
  const list = (user: TestUser, id: string, query = '') =>
    send(user, 'GET', `/api/channels/${id}/members${query}`);

  it('orders by role, then joining time, and adds group members who have not joined (not banned ones)', async () => {
    const id = await insertChannel({ groupId: world.groupId });
    await addMember(id, member);
    await addMember(id, moderator, 'moderator');
    await addMember(id, communityOwner, 'owner');
    await db
      .insertInto('channel_bans')
      .values({ channel_id: id, user_id: world.actors.timedOut.user.id })
      .execute();
    const response = await list(world.actors.communityAdmin, id);
    expect(response.statusCode).toBe(200);
    const rows = response.json<unknown[]>().map((row) => channelMember.strict().parse(row));
    expect(rows.map((row) => [row.user_id, row.role])).toEqual([
      [communityOwner.user.id, 'owner'],
      [moderator.user.id, 'moderator'],
      ...rows.slice(2).map((row) => [row.user_id, 'member']),
    ]);
    const ids = rows.map((row) => row.user_id);
    expect(ids).toContain(world.actors.communityAdmin.user.id);
    expect(ids).not.toContain(world.actors.timedOut.user.id);
    expect(ids).toHaveLength(4);
  });

  it('lists only explicit members of a hidden channel, to its members only', async () => {
    const id = await insertChannel({ groupId: world.groupId, discoverable: false });
    await addMember(id, communityOwner, 'owner');
    expect((await list(member, id)).statusCode).toBe(403);
    expect((await list(communityOwner, id)).json()).toHaveLength(1);
  });

  it('pages with limit and offset, clamping out-of-range values', async () => {
    const id = world.channelId;
    const all = (await list(member, id)).json<Array<{ user_id: string }>>();
    expect(all).toHaveLength(5);
    expect((await list(member, id, '?limit=2&offset=1')).json()).toEqual(all.slice(1, 3));
    expect((await list(member, id, '?limit=0')).json()).toEqual(all.slice(0, 1));
    expect((await list(member, id, '?limit=99999&offset=-4')).json()).toEqual(all);
    expect((await list(member, id, '?offset=99')).json()).toEqual([]);
    expect((await list(member, id, '?limit=abc')).statusCode).toBe(400);
  });

  it('answers 404 for a missing channel and 403 to outsiders', async () => {
    expect((await list(member, uuidv7())).statusCode).toBe(404);
    expect((await list(outsider, world.channelId)).statusCode).toBe(403);
  });
});

const owned = await insertChannel({});
await addMember(owned, communityOwner, 'owner');

describe('bad input', () => {
  const patch = `/api/channels/${owned}`;
  const cases: Array<[string, 'POST' | 'PATCH', string, unknown]> = [
    ['missing body', 'POST', '/api/channels', undefined],
    ['name of the wrong type', 'POST', '/api/channels', { name: 5, channel_type: 'text' }],
    ['DM as a type', 'POST', '/api/channels', { name: 'x', channel_type: 'dm' }],
    ['blank name', 'POST', '/api/channels', { name: '   ', channel_type: 'text' }],
    ['NUL in the name', 'POST', '/api/channels', { name: 'a\u0000b', channel_type: 'text' }],
    [
      '65-byte multi-byte name',
      'POST',
      '/api/channels',
      { name: `${'é'.repeat(32)}x`, channel_type: 'text' },
    ],
    ['non-UUID group', 'POST', '/api/channels', { name: 'x', channel_type: 'text', group_id: 'nope' }],
    ['513-byte topic', 'PATCH', patch, { topic: 'x'.repeat(513) }],
    ['slow mode above a day', 'PATCH', patch, { slow_mode_seconds: 86_401 }],
    ['negative slow mode', 'PATCH', patch, { slow_mode_seconds: -1 }],
    ['fractional slow mode', 'PATCH', patch, { slow_mode_seconds: 1.5 }],
    ['slow mode as a string', 'PATCH', patch, { slow_mode_seconds: '10' }],
    ['TTL above 30 days', 'PATCH', patch, { message_ttl_seconds: 2_592_001 }],
    ['read_only as a string', 'PATCH', patch, { read_only: 'yes' }],
    ['javascript background', 'PATCH', patch, { voice_background: 'javascript:alert(1)' }],
    ['non-UUID channel id', 'PATCH', '/api/channels/not-a-uuid', { topic: 'x' }],
    ['non-UUID join', 'POST', '/api/channels/123/join', {}],
  ];

  it.each(cases)('%s → 400 in the error shape', async (_, method, url, payload) => {
    const response = await send(communityOwner, method, url, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/channels',
      headers: { ...communityOwner.headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('accepts a 64-byte multi-byte name', async () => {
    const response = await send(communityOwner, 'PATCH', patch, { name: 'é'.repeat(32) });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('é'.repeat(32));
  });
});
