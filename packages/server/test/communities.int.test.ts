import { community, group as communityGroupEntry, communityMember } from '@chatalot/protocol';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { CommunityRole } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { actors } = world;

function as(user: TestUser, options: InjectOptions) {
  return call(app, { ...options, headers: user.headers });
}

async function createCommunity(name: string, creator = actors.instanceAdmin): Promise<string> {
  const response = await as(creator, { method: 'POST', url: '/api/communities', payload: { name } });
  expect(response.statusCode, response.body).toBe(200);
  return community.parse(response.json()).id;
}

async function join(communityId: string, user: TestUser, role: CommunityRole = 'member') {
  await db
    .insertInto('community_members')
    .values({ community_id: communityId, user_id: user.user.id, role })
    .execute();
}

const roleOf = async (communityId: string, userId: string) =>
  (
    await db
      .selectFrom('community_members')
      .select('role')
      .where('community_id', '=', communityId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  )?.role;

const validation = (message: string) => ({ error: { code: 'validation_error', message } });

describe('POST /api/communities', () => {
  it('makes the creator the owner, with the documented defaults', async () => {
    const response = await as(actors.instanceAdmin, {
      method: 'POST',
      url: '/api/communities',
      payload: { name: '  Friends  ', description: '  hello  ' },
    });
    expect(response.statusCode).toBe(200);
    const created = community.parse(response.json());
    expect(created).toMatchObject({
      name: 'Friends',
      description: 'hello',
      owner_id: actors.instanceAdmin.user.id,
      member_count: 1,
      who_can_create_groups: 'admin',
      who_can_create_invites: 'admin',
      discoverable: true,
      community_theme: null,
      icon_url: null,
      banner_url: null,
    });
    expect(created).not.toHaveProperty('welcome_message');
    expect(await roleOf(created.id, actors.instanceAdmin.user.id)).toBe('owner');
  });

  it('lets anyone create one when COMMUNITY_CREATION_MODE is open', async () => {
    const open = await createTestApp({ env: { COMMUNITY_CREATION_MODE: 'open' } });
    await registerUser(open.app);
    const someone = await registerUser(open.app);
    const response = await call(open.app, {
      method: 'POST',
      url: '/api/communities',
      headers: someone.headers,
      payload: { name: 'Mine' },
    });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    [{ name: '   ' }, 'name: must be 1-64 bytes'],
    [{ name: 'é'.repeat(33) }, 'name: must be 1-64 bytes'],
    [{ name: 'a', description: 'x'.repeat(2049) }, 'description: must be 0-2048 bytes'],
    [{ name: 'a\u0000b' }, 'name: must not contain NUL characters'],
    [{ name: 5 }, 'name: Invalid input: expected string, received number'],
    [{}, 'name: Invalid input: expected string, received undefined'],
  ])('refuses %j', async (payload, message) => {
    const response = await as(actors.instanceOwner, { method: 'POST', url: '/api/communities', payload });
    expect(response.json()).toEqual(validation(message));
  });

  it('accepts a 64-byte name of multi-byte characters', async () => {
    const response = await as(actors.instanceOwner, {
      method: 'POST',
      url: '/api/communities',
      payload: { name: 'é'.repeat(32) },
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/communities',
      headers: { ...actors.instanceOwner.headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });
});

describe('GET /api/communities', () => {
  it('lists the caller’s communities by name, with limit and offset clamped', async () => {
    const user = await registerUser(app);
    for (const name of ['Charlie', 'alpha', 'Bravo']) await join(await createCommunity(name), user);
    const names = async (query: string) => {
      const response = await as(user, { url: `/api/communities${query}` });
      expect(response.statusCode).toBe(200);
      return community
        .array()
        .parse(response.json())
        .map((c) => c.name);
    };
    const sorted = await names('');
    expect(sorted).toHaveLength(3);
    expect(await names('?limit=0')).toEqual(sorted.slice(0, 1));
    expect(await names('?limit=-5&offset=-3')).toEqual(sorted.slice(0, 1));
    expect(await names('?limit=2&offset=1')).toEqual(sorted.slice(1, 3));
    expect(await names('?offset=99')).toEqual([]);
    expect((await as(user, { url: '/api/communities?limit=abc' })).statusCode).toBe(400);
  });
});

describe('GET /api/communities/:cid', () => {
  it('answers 400 for an id that is not a UUID', async () => {
    const response = await as(actors.member, { url: '/api/communities/not-a-uuid' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('cid: must be a UUID'));
  });

  it('accepts upper-case ids', async () => {
    const response = await as(actors.member, { url: `/api/communities/${world.communityId.toUpperCase()}` });
    expect(response.json().id).toBe(world.communityId);
  });
});

describe('PATCH /api/communities/:cid', () => {
  const patch = (payload: object, user = actors.communityAdmin) =>
    as(user, { method: 'PATCH', url: `/api/communities/${world.communityId}`, payload });

  it('changes the given fields, clears with "", and tells the community after commit', async () => {
    const published = events.length;
    const response = await patch({
      name: ' Renamed ',
      description: 'About',
      welcome_message: 'Welcome!',
      icon_url: '/api/community-assets/x.png',
      who_can_create_invites: 'everyone',
      discoverable: false,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(community.parse(response.json())).toMatchObject({
      name: 'Renamed',
      description: 'About',
      welcome_message: 'Welcome!',
      icon_url: '/api/community-assets/x.png',
      who_can_create_invites: 'everyone',
      discoverable: false,
      member_count: 5,
    });
    expect(events.slice(published)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'community', communityId: world.communityId },
        frame: {
          type: 'community_updated',
          community_id: world.communityId,
          name: 'Renamed',
          description: 'About',
          icon_url: '/api/community-assets/x.png',
          banner_url: null,
          community_theme: null,
          welcome_message: 'Welcome!',
        },
      },
    ]);
    const cleared = await patch({ description: '', welcome_message: '', icon_url: '', name: null });
    expect(cleared.json()).toMatchObject({ name: 'Renamed', description: null, icon_url: null });
    expect(cleared.json()).not.toHaveProperty('welcome_message');
  });

  it('stores a theme with sanitised, scoped CSS, replaces it whole, and clears it with null', async () => {
    const first = await patch({
      community_theme: { accent: '#7c3aed', customCss: '.msg{color:red}', bgPrimary: '#FFF' },
    });
    expect(first.json().community_theme).toEqual({
      accent: '#7c3aed',
      customCss: '.community-theme .msg { color: red }',
      bgPrimary: '#FFF',
    });
    const second = await patch({ community_theme: { textPrimary: '#00000080' } });
    expect(second.json().community_theme).toEqual({ textPrimary: '#00000080' });
    const stored = await db
      .selectFrom('communities')
      .select('community_theme')
      .where('id', '=', world.communityId)
      .executeTakeFirstOrThrow();
    expect(stored.community_theme).toEqual({ textPrimary: '#00000080' });
    expect((await patch({ name: 'Kept' })).json().community_theme).toEqual({ textPrimary: '#00000080' });
    expect((await patch({ community_theme: null })).json().community_theme).toBeNull();
  });

  it.each([
    [{ community_theme: { foo: '#fff' } }, 'unknown theme key: foo'],
    [{ community_theme: { accent: 'red' } }, 'community_theme.accent must be a hex colour such as #7c3aed'],
    [
      { community_theme: { accent: '#12345' } },
      'community_theme.accent must be a hex colour such as #7c3aed',
    ],
    [{ community_theme: ['#fff'] }, 'community_theme must be a JSON object'],
    [{ community_theme: 'x' }, 'community_theme must be a JSON object'],
    [{ community_theme: { customCss: 5 } }, 'customCss must be a string'],
    [
      { community_theme: { customCss: 'a{}b{display:none}' } },
      'customCss: CSS property not allowed: display',
    ],
    [{ community_theme: { customCss: 'a{color:red}</style><script>' } }, "customCss: '<' is not allowed"],
    [{ community_theme: { customCss: 'color: red\ud800' } }, 'customCss: character not allowed: U+D800'],
    [
      { community_theme: { accent: '#fff', x: 'y'.repeat(8200) } },
      'community_theme must be at most 8192 bytes',
    ],
    [{ icon_url: 'javascript:alert(1)' }, 'icon_url: must be empty or an http(s) or /api/ URL'],
    [{ banner_url: '/api/x")' }, 'banner_url: must be empty or an http(s) or /api/ URL'],
    [{ welcome_message: 'é'.repeat(1001) }, 'welcome_message: must be at most 2000 bytes'],
    [
      { who_can_create_groups: 'nobody' },
      'who_can_create_groups: Invalid option: expected one of "everyone"|"moderator"|"admin"',
    ],
    [{ discoverable: 'yes' }, 'discoverable: Invalid input: expected boolean, received string'],
  ])('refuses %j and publishes nothing', async (payload, message) => {
    const published = events.length;
    const response = await patch(payload);
    expect(response.json()).toEqual(validation(message));
    expect(events.length).toBe(published);
  });

  it('publishes nothing when nothing changes', async () => {
    const published = events.length;
    const response = await patch({});
    expect(response.statusCode, response.body).toBe(200);
    expect(events.length).toBe(published);
  });
});

const cascadeTables = [
  'communities',
  'community_members',
  'community_invites',
  'community_bans',
  'groups',
  'group_members',
  'channels',
  'channel_members',
  'user_timeouts',
  'warnings',
  'users',
] as const;
type Row = Record<string, unknown>;

async function snapshot(): Promise<Record<string, Row[]>> {
  const entries = await Promise.all(
    cascadeTables.map(async (table) => {
      const rows: Row[] = await db.selectFrom(table).selectAll().execute();
      return [table, rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** A group with a channel, the user in both, an invite, a ban, a timeout and a warning. */
async function furnish(communityId: string, user: TestUser): Promise<string> {
  const groupId = uuidv7();
  const channelId = uuidv7();
  const userId = user.user.id;
  await join(communityId, user);
  await db.insertInto('groups').values({ id: groupId, name: 'g', community_id: communityId }).execute();
  await db.insertInto('group_members').values({ group_id: groupId, user_id: userId }).execute();
  await db
    .insertInto('channels')
    .values({ id: channelId, name: 'c', channel_type: 'text', group_id: groupId })
    .execute();
  await db.insertInto('channel_members').values({ channel_id: channelId, user_id: userId }).execute();
  await db
    .insertInto('community_invites')
    .values({ id: uuidv7(), community_id: communityId, code: uuidv7().slice(-12) })
    .execute();
  await db
    .insertInto('community_bans')
    .values({ community_id: communityId, user_id: actors.banned.user.id })
    .execute();
  const expires_at = new Date(Date.now() + 60_000);
  await db
    .insertInto('user_timeouts')
    .values({ id: uuidv7(), user_id: userId, channel_id: channelId, expires_at })
    .execute();
  await db
    .insertInto('warnings')
    .values({ id: uuidv7(), user_id: userId, channel_id: channelId, reason: 'r' })
    .execute();
  return channelId;
}

describe('DELETE /api/communities/:cid', () => {
  it('takes its groups, channels, memberships, invites, bans and moderation records, and nothing else', async () => {
    const doomed = await createCommunity('Doomed');
    const user = await registerUser(app);
    const doomedChannel = await furnish(doomed, user);
    await furnish(await createCommunity('Kept'), user);
    const before = await snapshot();
    const doomedGroups = new Set(before.groups?.filter((g) => g.community_id === doomed).map((g) => g.id));
    const gone: Record<(typeof cascadeTables)[number], (row: Row) => boolean> = {
      communities: (row) => row.id === doomed,
      community_members: (row) => row.community_id === doomed,
      community_invites: (row) => row.community_id === doomed,
      community_bans: (row) => row.community_id === doomed,
      groups: (row) => row.community_id === doomed,
      group_members: (row) => doomedGroups.has(row.group_id),
      channels: (row) => doomedGroups.has(row.group_id),
      channel_members: (row) => row.channel_id === doomedChannel,
      user_timeouts: (row) => row.channel_id === doomedChannel,
      warnings: (row) => row.channel_id === doomedChannel,
      users: () => false,
    };
    const published = events.length;

    const response = await as(actors.instanceAdmin, { method: 'DELETE', url: `/api/communities/${doomed}` });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');

    const after = await snapshot();
    for (const table of cascadeTables) {
      const rows = before[table] ?? [];
      expect(rows.some(gone[table]) || table === 'users', `${table} had rows of the community`).toBe(true);
      expect(after[table], table).toEqual(rows.filter((row) => !gone[table](row)));
    }
    expect(events.slice(published)).toEqual([
      { kind: 'access_revoked', userId: user.user.id, channelIds: [doomedChannel] },
    ]);
  });
});

describe('POST /api/communities/:cid/transfer-ownership', () => {
  it('swaps the roles of the old and the new owner', async () => {
    const communityId = await createCommunity('Handover', actors.instanceOwner);
    const heir = await registerUser(app);
    await join(communityId, heir);
    const response = await as(actors.instanceOwner, {
      method: 'POST',
      url: `/api/communities/${communityId}/transfer-ownership`,
      payload: { new_owner_id: heir.user.id },
    });
    expect(response.statusCode).toBe(200);
    expect(await roleOf(communityId, heir.user.id)).toBe('owner');
    expect(await roleOf(communityId, actors.instanceOwner.user.id)).toBe('admin');
  });

  it('demotes the real owner, not the instance admin who makes the transfer', async () => {
    const communityId = await createCommunity('Rescue', actors.instanceOwner);
    const heir = await registerUser(app);
    await join(communityId, heir);
    await join(communityId, actors.instanceAdmin, 'moderator');
    const response = await as(actors.instanceAdmin, {
      method: 'POST',
      url: `/api/communities/${communityId}/transfer-ownership`,
      payload: { new_owner_id: heir.user.id },
    });
    expect(response.statusCode).toBe(200);
    expect(await roleOf(communityId, actors.instanceOwner.user.id)).toBe('admin');
    expect(await roleOf(communityId, actors.instanceAdmin.user.id)).toBe('moderator');
    const owners = await db
      .selectFrom('community_members')
      .select('user_id')
      .where('community_id', '=', communityId)
      .where('role', '=', 'owner')
      .execute();
    expect(owners).toEqual([{ user_id: heir.user.id }]);
    const row = await db
      .selectFrom('communities')
      .select('owner_id')
      .where('id', '=', communityId)
      .executeTakeFirst();
    expect(row?.owner_id).toBe(heir.user.id);
  });

  it.each([
    ['a non-member', () => actors.outsider.user.id, 'target user must be a member of this community'],
    ['the owner', () => actors.communityOwner.user.id, 'that member already owns this community'],
  ])('refuses %s as the new owner', async (_, target, message) => {
    const response = await as(actors.communityOwner, {
      method: 'POST',
      url: `/api/communities/${world.communityId}/transfer-ownership`,
      payload: { new_owner_id: target() },
    });
    expect(response.json()).toEqual(validation(message));
  });
});

describe('POST /api/communities/:cid/leave', () => {
  it('takes the member out of the community, its groups and their channels', async () => {
    const leaver = await registerUser(app);
    await join(world.communityId, leaver);
    await db
      .insertInto('group_members')
      .values({ group_id: world.groupId, user_id: leaver.user.id })
      .execute();
    await db
      .insertInto('channel_members')
      .values({ channel_id: world.channelId, user_id: leaver.user.id })
      .execute();
    const published = events.length;
    const response = await as(leaver, {
      method: 'POST',
      url: `/api/communities/${world.communityId}/leave`,
      payload: {},
    });
    expect(response.statusCode).toBe(200);
    expect(await roleOf(world.communityId, leaver.user.id)).toBeUndefined();
    const left = await db
      .selectFrom('channel_members')
      .select('channel_id')
      .where('user_id', '=', leaver.user.id)
      .execute();
    expect(left).toEqual([]);
    expect(events.slice(published)).toEqual([
      { kind: 'access_revoked', userId: leaver.user.id, channelIds: [world.channelId] },
    ]);
  });

  it('refuses the owner', async () => {
    const response = await as(actors.communityOwner, {
      method: 'POST',
      url: `/api/communities/${world.communityId}/leave`,
    });
    expect(response.json()).toEqual(
      validation('owner cannot leave; transfer ownership or delete the community instead'),
    );
  });
});

describe('GET /api/communities/:cid/members', () => {
  it('orders by role, then by join date, with nicknames', async () => {
    const response = await as(actors.member, { url: `/api/communities/${world.communityId}/members` });
    const members = communityMember.array().parse(response.json());
    expect(members.map((m) => m.role).slice(0, 4)).toEqual(['owner', 'admin', 'moderator', 'member']);
    expect(members[0]).toMatchObject({ user_id: actors.communityOwner.user.id, nickname: null });
    const page = await as(actors.member, {
      url: `/api/communities/${world.communityId}/members?limit=1&offset=1`,
    });
    expect(page.json()).toEqual([members[1]]);
  });
});

describe('PUT /api/communities/:cid/members/:uid/role', () => {
  const setRole = (user: TestUser, target: TestUser, role: unknown) =>
    as(user, {
      method: 'PUT',
      url: `/api/communities/${world.communityId}/members/${target.user.id}/role`,
      payload: { role },
    });

  it('refuses one’s own role, unknown roles, non-members and peers', async () => {
    expect((await setRole(actors.communityAdmin, actors.communityAdmin, 'member')).json()).toEqual(
      validation('you cannot change your own role'),
    );
    expect((await setRole(actors.communityAdmin, actors.member, 'owner')).statusCode).toBe(400);
    expect((await setRole(actors.communityAdmin, actors.outsider, 'member')).json()).toEqual({
      error: { code: 'not_found', message: 'member not found' },
    });
    const peer = await registerUser(app);
    await join(world.communityId, peer, 'admin');
    expect((await setRole(actors.communityAdmin, peer, 'member')).statusCode).toBe(403);
    expect((await setRole(actors.communityOwner, peer, 'moderator')).statusCode).toBe(200);
    expect(await roleOf(world.communityId, peer.user.id)).toBe('moderator');
  });
});

describe('PUT /api/communities/:cid/members/:uid/nickname', () => {
  const rename = (user: TestUser, target: TestUser, nickname: unknown) =>
    as(user, {
      method: 'PUT',
      url: `/api/communities/${world.communityId}/members/${target.user.id}/nickname`,
      payload: { nickname },
    });
  const nickname = async (target: TestUser) =>
    (
      await db
        .selectFrom('community_members')
        .select('nickname')
        .where('community_id', '=', world.communityId)
        .where('user_id', '=', target.user.id)
        .executeTakeFirstOrThrow()
    ).nickname;

  it('trims, clears with "" or null, and counts bytes', async () => {
    await rename(actors.member, actors.member, '  Nick  ');
    expect(await nickname(actors.member)).toBe('Nick');
    await rename(actors.member, actors.member, '');
    expect(await nickname(actors.member)).toBeNull();
    await rename(actors.member, actors.member, 'x');
    await rename(actors.member, actors.member, null);
    expect(await nickname(actors.member)).toBeNull();
    expect((await rename(actors.member, actors.member, '日'.repeat(21))).statusCode).toBe(200);
    expect((await rename(actors.member, actors.member, '日'.repeat(22))).json()).toEqual(
      validation('nickname: must be 0-64 bytes'),
    );
  });

  it('lets managers rename those below them, and silently skips non-members', async () => {
    expect((await rename(actors.communityAdmin, actors.moderator, 'Mod')).statusCode).toBe(200);
    expect(await nickname(actors.moderator)).toBe('Mod');
    expect((await rename(actors.communityAdmin, actors.communityOwner, 'Boss')).statusCode).toBe(403);
    expect((await rename(actors.communityAdmin, actors.outsider, 'Who')).statusCode).toBe(200);
  });
});

describe('GET /api/communities/:cid/groups', () => {
  it('lists the caller’s groups and the public discoverable ones, by name', async () => {
    const communityId = await createCommunity('Grouped');
    const user = await registerUser(app);
    await join(communityId, user);
    const group = async (
      name: string,
      visibility: 'public' | 'private',
      discoverable: boolean,
      member: boolean,
    ) => {
      const id = uuidv7();
      await db
        .insertInto('groups')
        .values({ id, name, community_id: communityId, visibility, discoverable })
        .execute();
      if (member)
        await db.insertInto('group_members').values({ group_id: id, user_id: user.user.id }).execute();
    };
    await group('Zed public', 'public', true, false);
    await group('Hidden public', 'public', false, false);
    await group('Private', 'private', true, false);
    await group('Alpha private, mine', 'private', false, true);
    const response = await as(user, { url: `/api/communities/${communityId}/groups` });
    const groups = communityGroupEntry.array().parse(response.json());
    expect(groups.map((g) => [g.name, g.member_count])).toEqual([
      ['Alpha private, mine', 1],
      ['Zed public', 0],
    ]);
  });
});

describe('bad input', () => {
  const cid = world.communityId;
  it.each([
    ['GET', `/api/communities/${cid}/channels/x/warnings/${uuidv7()}`, undefined],
    ['PUT', `/api/communities/${cid}/members/not-a-uuid/role`, { role: 'member' }],
    ['DELETE', `/api/communities/${cid}/invites/123`, undefined],
    ['POST', `/api/communities/${cid}/channels/xyz/timeout`, { user_id: uuidv7(), duration_seconds: 60 }],
    ['POST', `/api/communities/${cid}/transfer-ownership`, { new_owner_id: 'nope' }],
    ['POST', `/api/communities/${cid}/transfer-ownership`, undefined],
    ['PUT', `/api/communities/${cid}/members/${actors.member.user.id}/role`, { role: 5 }],
    ['PUT', `/api/communities/${cid}/members/${actors.member.user.id}/nickname`, { nickname: 'a\u0000' }],
    ['PUT', `/api/communities/${cid}/members/${actors.member.user.id}/nickname`, { nickname: ['x'] }],
    ['PATCH', `/api/communities/${cid}`, { name: 'x'.repeat(5000) }],
    ['GET', `/api/communities/${cid}/members?limit=1.5`, undefined],
  ] as const)('%s %s %j → 400', async (method, url, payload) => {
    const response = await as(actors.communityOwner, { method, url, ...(payload && { payload }) });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });
});
