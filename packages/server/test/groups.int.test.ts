import { type Group, group, groupMemberInfo } from '@chatalot/protocol';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rotationRequired } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const { db } = database;
const world = await buildWorld(app, database);
const { member, moderator, communityAdmin, communityOwner, instanceOwner, outsider, banned, timedOut } =
  world.actors;

function api(user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return call(app, {
    method,
    url,
    headers: user.headers,
    ...(payload !== undefined && { payload: payload as object }),
  });
}

async function createGroup(user: TestUser, body: Record<string, unknown> = {}): Promise<Group> {
  const response = await api(user, 'POST', '/api/groups', {
    community_id: world.communityId,
    name: 'G',
    ...body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return group.parse(response.json());
}

const groupMembers = (groupId: string) =>
  db.selectFrom('group_members').select(['user_id', 'role']).where('group_id', '=', groupId).execute();
const channelsOf = (groupId: string) =>
  db.selectFrom('channels').selectAll().where('group_id', '=', groupId).execute();
const channelMemberIds = async (channelId: string) =>
  (await db.selectFrom('channel_members').select('user_id').where('channel_id', '=', channelId).execute())
    .map((row) => row.user_id)
    .sort();
const ids = (...users: TestUser[]) => users.map((user) => user.user.id).sort();
const communityMembers = [member, moderator, communityAdmin, communityOwner, timedOut];

describe('POST /api/groups', () => {
  it('creates a public group with #general and every community member in both', async () => {
    const created = await createGroup(communityAdmin, { name: '  Gaming  ', description: 'fun' });
    expect(created).toMatchObject({
      name: 'Gaming',
      description: 'fun',
      owner_id: communityAdmin.user.id,
      visibility: 'public',
      discoverable: true,
      assigned_member_id: null,
      allow_invites: false,
      member_count: 5,
    });
    const [general] = await channelsOf(created.id);
    expect(general).toMatchObject({
      name: 'general',
      channel_type: 'text',
      created_by: communityAdmin.user.id,
    });
    expect(await channelMemberIds(general?.id ?? '')).toEqual(ids(...communityMembers));
    expect(await groupMembers(created.id)).toContainEqual({ user_id: communityAdmin.user.id, role: 'owner' });
  });

  it('adds only the creator and the community owner to a private group', async () => {
    const created = await createGroup(communityAdmin, { visibility: 'private' });
    expect(created.member_count).toBe(2);
    const [general] = await channelsOf(created.id);
    expect(await channelMemberIds(general?.id ?? '')).toEqual(ids(communityAdmin, communityOwner));
    expect((await createGroup(communityOwner, { visibility: 'private' })).member_count).toBe(1);
  });

  it('creates a personal group owned by the assigned member, private and undiscoverable', async () => {
    const personal = await createGroup(communityAdmin, {
      assigned_member_id: member.user.id,
      visibility: 'public',
    });
    expect(personal).toMatchObject({
      owner_id: communityAdmin.user.id,
      assigned_member_id: member.user.id,
      visibility: 'private',
      discoverable: false,
      member_count: 1,
    });
    expect(await groupMembers(personal.id)).toEqual([{ user_id: member.user.id, role: 'owner' }]);
    const [general] = await channelsOf(personal.id);
    expect(general?.created_by).toBe(member.user.id);
  });

  it('follows who_can_create_groups, and requires community staff for personal groups', async () => {
    const body = { community_id: world.communityId, name: 'x' };
    expect((await api(member, 'POST', '/api/groups', body)).statusCode).toBe(403);
    await db
      .updateTable('communities')
      .set({ who_can_create_groups: 'everyone' })
      .where('id', '=', world.communityId)
      .execute();
    try {
      expect((await api(member, 'POST', '/api/groups', body)).statusCode).toBe(200);
      const personal = { ...body, assigned_member_id: timedOut.user.id };
      expect((await api(member, 'POST', '/api/groups', personal)).statusCode).toBe(403);
      expect((await api(moderator, 'POST', '/api/groups', personal)).statusCode).toBe(200);
    } finally {
      await db
        .updateTable('communities')
        .set({ who_can_create_groups: 'admin' })
        .where('id', '=', world.communityId)
        .execute();
    }
  });

  it('answers 403 for a community that does not exist', async () => {
    const response = await api(communityOwner, 'POST', '/api/groups', { community_id: uuidv7(), name: 'x' });
    expect(response.statusCode).toBe(403);
  });

  it.each([
    ['outside the community', () => outsider],
    ['banned from it', () => banned],
  ])('refuses a personal group for someone %s', async (_, who) => {
    const body = { community_id: world.communityId, name: 'x', assigned_member_id: who().user.id };
    const response = await api(communityAdmin, 'POST', '/api/groups', body);
    expect(response.json()).toEqual({
      error: { code: 'validation_error', message: 'assigned member must be a member of this community' },
    });
  });

  it('allows 200 groups per community', async () => {
    const community = uuidv7();
    await db
      .insertInto('communities')
      .values({ id: community, name: 'Busy', owner_id: communityOwner.user.id })
      .execute();
    await db
      .insertInto('community_members')
      .values({ community_id: community, user_id: communityOwner.user.id, role: 'owner' })
      .execute();
    await sql`insert into groups (id, name, community_id)
      select gen_random_uuid(), 'g' || n, ${community}::uuid from generate_series(1, 200) n`.execute(db);
    const response = await api(communityOwner, 'POST', '/api/groups', {
      community_id: community,
      name: 'one more',
    });
    expect(response.json()).toEqual({
      error: { code: 'validation_error', message: 'maximum of 200 groups per community' },
    });
  });

  it('refuses a public group above 5000 community members before creating anything', async () => {
    const community = uuidv7();
    await db
      .insertInto('communities')
      .values({ id: community, name: 'Huge', owner_id: communityOwner.user.id })
      .execute();
    await db
      .insertInto('community_members')
      .values({ community_id: community, user_id: communityOwner.user.id, role: 'owner' })
      .execute();
    await sql`with extra as (
        insert into users (id, username, display_name, email, password_hash)
        select gen_random_uuid(), 'bulk' || n, 'Bulk', 'bulk' || n || '@example.org', 'x' from generate_series(1, 5000) n
        returning id)
      insert into community_members (community_id, user_id) select ${community}::uuid, id from extra`.execute(
      db,
    );
    const response = await api(communityOwner, 'POST', '/api/groups', {
      community_id: community,
      name: 'all',
    });
    expect(response.statusCode).toBe(400);
    expect(
      await db.selectFrom('groups').select('id').where('community_id', '=', community).execute(),
    ).toEqual([]);
    const privateGroup = { community_id: community, name: 'few', visibility: 'private' };
    expect((await api(communityOwner, 'POST', '/api/groups', privateGroup)).statusCode).toBe(200);
  });
});

describe('reading groups', () => {
  it('lists my groups by name, discovery by visibility, and one group by effective role', async () => {
    const hidden = await createGroup(communityAdmin, { name: 'aaa hidden', visibility: 'private' });
    const mine = (await api(member, 'GET', '/api/groups')).json<Group[]>().map((g) => g.id);
    expect(mine).toContain(world.groupId);
    expect(mine).not.toContain(hidden.id);
    const discovered = (await api(member, 'GET', '/api/groups/discover')).json<Group[]>().map((g) => g.id);
    expect(discovered).toContain(world.groupId);
    expect(discovered).not.toContain(hidden.id);
    expect(
      (await api(communityOwner, 'GET', '/api/groups/discover')).json<Group[]>().map((g) => g.id),
    ).toContain(hidden.id);
    expect(
      (await api(instanceOwner, 'GET', '/api/groups/discover')).json<Group[]>().map((g) => g.id),
    ).toContain(hidden.id);
    expect((await api(outsider, 'GET', '/api/groups/discover')).json()).toEqual([]);
    expect((await api(member, 'GET', `/api/groups/${hidden.id}`)).statusCode).toBe(403);
    expect((await api(member, 'GET', `/api/groups/${uuidv7()}`)).json()).toEqual({
      error: { code: 'not_found', message: 'group not found' },
    });
  });

  it('lists members owner first, then by join time, with clamped paging', async () => {
    const url = `/api/groups/${world.groupId}/members`;
    const all = groupMemberInfo.array().parse((await api(member, 'GET', url)).json());
    expect(all).toHaveLength(5);
    expect(all[0]).toMatchObject({
      user_id: communityOwner.user.id,
      role: 'owner',
      username: communityOwner.username,
    });
    expect((await api(member, 'GET', `${url}?limit=0`)).json()).toHaveLength(1);
    expect((await api(member, 'GET', `${url}?limit=-5&offset=-3`)).json()).toEqual([all[0]]);
    expect((await api(member, 'GET', `${url}?limit=2&offset=4`)).json()).toEqual([all[4]]);
    expect((await api(member, 'GET', `${url}?limit=99999`)).json()).toHaveLength(5);
    expect((await api(member, 'GET', `${url}?limit=abc`)).statusCode).toBe(400);
  });
});

describe('PATCH /api/groups/:id', () => {
  it('updates, clears with "" or null, and tells the community after commit', async () => {
    const target = await createGroup(communityAdmin, { description: 'old' });
    const before = events.length;
    const response = await api(communityAdmin, 'PATCH', `/api/groups/${target.id}`, {
      name: ' New ',
      description: '',
      accent_color: '#FF8800aa',
      icon_url: '/api/group-assets/x.png',
      discoverable: false,
    });
    expect(response.statusCode).toBe(200);
    expect(group.parse(response.json())).toMatchObject({
      name: 'New',
      description: null,
      accent_color: '#FF8800aa',
      icon_url: '/api/group-assets/x.png',
      discoverable: false,
      member_count: 5,
    });
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'community', communityId: world.communityId },
        frame: {
          type: 'group_updated',
          group_id: target.id,
          name: 'New',
          description: null,
          icon_url: '/api/group-assets/x.png',
          banner_url: null,
          accent_color: '#FF8800aa',
          visibility: 'public',
        },
      },
    ]);
    const cleared = await api(communityAdmin, 'PATCH', `/api/groups/${target.id}`, { accent_color: null });
    expect(cleared.json()).toMatchObject({
      accent_color: null,
      name: 'New',
      icon_url: '/api/group-assets/x.png',
    });
  });

  it('keeps allow_invites for community staff and personal groups private', async () => {
    const personal = await createGroup(communityAdmin, { assigned_member_id: member.user.id });
    const url = `/api/groups/${personal.id}`;
    expect((await api(member, 'PATCH', url, { allow_invites: true })).statusCode).toBe(403);
    expect((await api(member, 'PATCH', url, { visibility: 'public' })).statusCode).toBe(400);
    expect((await api(moderator, 'PATCH', url, { allow_invites: true })).json()).toMatchObject({
      allow_invites: true,
    });
  });

  it.each([
    ['accent_color', '#123456789'],
    ['accent_color', '#12345'],
    ['accent_color', 'red'],
    ['accent_color', 12],
    ['icon_url', 'javascript:alert(1)'],
    ['banner_url', 'https://x/"onload'],
    ['name', ''],
    ['name', 'é'.repeat(33)],
    ['name', 'a\u0000b'],
    ['description', 'x'.repeat(2049)],
    ['visibility', 'secret'],
    ['discoverable', 'yes'],
  ])('refuses %s = %j with 400 and publishes nothing', async (field, value) => {
    const before = events.length;
    const response = await api(communityOwner, 'PATCH', `/api/groups/${world.groupId}`, { [field]: value });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
    expect(events.length).toBe(before);
  });

  it('accepts 64-byte multi-byte names and 2048-byte descriptions', async () => {
    const target = await createGroup(communityAdmin);
    const body = { name: 'é'.repeat(32), description: 'ü'.repeat(1024) };
    expect((await api(communityAdmin, 'PATCH', `/api/groups/${target.id}`, body)).json()).toMatchObject(body);
  });

  it('publishes only once the transaction has committed', async () => {
    await sql`create function refuse_commit() returns trigger language plpgsql as
      $$ begin raise exception 'refused at commit'; end $$`.execute(db);
    await sql`create constraint trigger refuse_commit after update on groups deferrable initially deferred
      for each row when (new.name = 'refused') execute function refuse_commit()`.execute(db);
    const target = await createGroup(communityAdmin, { name: 'kept' });
    const before = events.length;
    const response = await api(communityAdmin, 'PATCH', `/api/groups/${target.id}`, { name: 'refused' });
    expect(response.statusCode).toBe(500);
    expect(events.length).toBe(before);
    expect(
      (await db.selectFrom('groups').select('name').where('id', '=', target.id).executeTakeFirst())?.name,
    ).toBe('kept');
  });
});

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"name": '],
    ['a wrong type', JSON.stringify({ community_id: world.communityId, name: 5 })],
    ['a non-UUID community', JSON.stringify({ community_id: 'abc', name: 'x' })],
    ['NUL in the name', JSON.stringify({ community_id: world.communityId, name: 'a\u0000' })],
    ['an over-long name', JSON.stringify({ community_id: world.communityId, name: 'x'.repeat(65) })],
    ['a blank name', JSON.stringify({ community_id: world.communityId, name: '   ' })],
    ['a 66-byte name', JSON.stringify({ community_id: world.communityId, name: 'é'.repeat(33) })],
    [
      'a bad assigned member',
      JSON.stringify({ community_id: world.communityId, name: 'x', assigned_member_id: 7 }),
    ],
    ['no body', ''],
  ])('answers 400 in the error shape for %s', async (_, payload) => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/groups',
      headers: { ...communityOwner.headers, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it.each(['/api/groups/abc', '/api/groups/abc/members', '/api/groups/abc/join'])(
    'answers 400 for %s',
    async (url) => {
      const method = url.endsWith('join') ? 'POST' : 'GET';
      expect((await api(member, method, url)).json().error.code).toBe('validation_error');
    },
  );
});

describe('DELETE /api/groups/:id', () => {
  it('removes the group, its channels, memberships and invites, and nothing else', async () => {
    const target = await createGroup(communityAdmin);
    const channel = await api(communityAdmin, 'POST', `/api/groups/${target.id}/channels`, {
      name: 'two',
      channel_type: 'voice',
    });
    await api(communityAdmin, 'POST', `/api/groups/${target.id}/invites`, {});
    const counts = () =>
      sql<Record<string, number>>`select
        (select count(*) from groups) as groups, (select count(*) from channels) as channels,
        (select count(*) from channel_members) as channel_members, (select count(*) from group_members) as group_members,
        (select count(*) from group_invites) as invites, (select count(*) from community_members) as community_members`
        .execute(db)
        .then((result) => result.rows[0]);
    const before = await counts();
    const before_events = events.length;
    expect((await api(communityAdmin, 'DELETE', `/api/groups/${target.id}`)).statusCode).toBe(200);
    expect(await counts()).toEqual({
      ...before,
      groups: Number(before?.groups) - 1,
      channels: Number(before?.channels) - 2,
      channel_members: Number(before?.channel_members) - 10,
      group_members: Number(before?.group_members) - 5,
      invites: Number(before?.invites) - 1,
    });
    const published = events.slice(before_events);
    expect(published[0]).toMatchObject({
      kind: 'frame',
      audience: { kind: 'users', userIds: expect.arrayContaining(ids(...communityMembers)) },
      frame: { type: 'group_deleted', group_id: target.id },
    });
    const revoked = published.filter((event) => event.kind === 'access_revoked');
    expect(revoked).toHaveLength(5);
    expect(revoked).toContainEqual({
      kind: 'access_revoked',
      userId: member.user.id,
      channelIds: expect.arrayContaining([channel.json().id]),
    });
  });

  it('refuses an admin that is not the stored owner, and publishes nothing', async () => {
    const target = await createGroup(communityAdmin);
    const before = events.length;
    expect((await api(instanceOwner, 'DELETE', `/api/groups/${target.id}`)).statusCode).toBe(403);
    expect((await api(member, 'DELETE', `/api/groups/${target.id}`)).statusCode).toBe(403);
    expect(events.length).toBe(before);
    expect((await api(member, 'DELETE', `/api/groups/${uuidv7()}`)).statusCode).toBe(404);
  });
});

describe('transfer, join and leave', () => {
  it('transfers ownership to a member: the old owner becomes admin', async () => {
    const target = await createGroup(communityAdmin);
    const url = `/api/groups/${target.id}/transfer-ownership`;
    expect((await api(member, 'POST', url, { new_owner_id: moderator.user.id })).statusCode).toBe(403);
    expect(
      (await api(communityAdmin, 'POST', url, { new_owner_id: outsider.user.id })).json().error.message,
    ).toBe('target user must be a member of this group');
    expect((await api(communityAdmin, 'POST', url, { new_owner_id: 'x' })).statusCode).toBe(400);
    expect((await api(communityAdmin, 'POST', url, { new_owner_id: member.user.id })).statusCode).toBe(200);
    expect(await groupMembers(target.id)).toEqual(
      expect.arrayContaining([
        { user_id: communityAdmin.user.id, role: 'admin' },
        { user_id: member.user.id, role: 'owner' },
      ]),
    );
    expect((await api(member, 'GET', `/api/groups/${target.id}`)).json().owner_id).toBe(member.user.id);
    const personal = await createGroup(communityAdmin, { assigned_member_id: timedOut.user.id });
    const personalUrl = `/api/groups/${personal.id}/transfer-ownership`;
    expect(
      (await api(timedOut, 'POST', personalUrl, { new_owner_id: timedOut.user.id })).json().error.message,
    ).toBe('cannot transfer ownership of a personal group');
  });

  it('leaves (not the owner) with access revoked, and joins a public group back idempotently', async () => {
    const target = await createGroup(communityAdmin);
    const [general] = await channelsOf(target.id);
    const before = events.length;
    expect((await api(member, 'POST', `/api/groups/${target.id}/leave`, {})).statusCode).toBe(200);
    expect(events.slice(before)).toEqual([
      { kind: 'access_revoked', userId: member.user.id, channelIds: [general?.id] },
      rotationRequired(general?.id as string, 'member_left'),
    ]);
    expect((await api(member, 'POST', `/api/groups/${target.id}/leave`)).statusCode).toBe(403);
    expect((await api(communityAdmin, 'POST', `/api/groups/${target.id}/leave`)).json().error.message).toBe(
      'owner cannot leave; transfer ownership or delete the group instead',
    );
    expect((await api(member, 'POST', `/api/groups/${target.id}/join`, {})).statusCode).toBe(200);
    expect((await api(member, 'POST', `/api/groups/${target.id}/join`)).statusCode).toBe(200);
    expect(await channelMemberIds(general?.id ?? '')).toContain(member.user.id);
  });

  it('keeps a channel ban through leaving and re-joining the group', async () => {
    const target = await createGroup(communityAdmin);
    const [general] = await channelsOf(target.id);
    const second = await api(communityAdmin, 'POST', `/api/groups/${target.id}/channels`, {
      name: 'b',
      channel_type: 'text',
    });
    const bannedFrom = general?.id ?? '';
    await db.insertInto('channel_bans').values({ channel_id: bannedFrom, user_id: member.user.id }).execute();
    await api(member, 'POST', `/api/groups/${target.id}/leave`);
    expect((await api(member, 'POST', `/api/groups/${target.id}/join`)).statusCode).toBe(200);
    expect(await channelMemberIds(bannedFrom)).not.toContain(member.user.id);
    expect(await channelMemberIds(second.json().id)).toContain(member.user.id);
  });

  it('never lets anyone join a private or personal group without an invite, even when discoverable', async () => {
    const privateGroup = await createGroup(communityAdmin, { visibility: 'private' });
    const personal = await createGroup(communityAdmin, { assigned_member_id: timedOut.user.id });
    await db
      .updateTable('groups')
      .set({ discoverable: true })
      .where('id', 'in', [privateGroup.id, personal.id])
      .execute();
    for (const target of [privateGroup, personal]) {
      expect((await api(member, 'POST', `/api/groups/${target.id}/join`)).statusCode).toBe(403);
      expect((await groupMembers(target.id)).map((row) => row.user_id)).not.toContain(member.user.id);
    }
    expect((await api(member, 'POST', `/api/groups/${uuidv7()}/join`)).statusCode).toBe(404);
  });
});
