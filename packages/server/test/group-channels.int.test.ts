import { type Channel as GroupChannel, channel as groupChannel } from '@chatalot/protocol';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const { db } = database;
const world = await buildWorld(app, database);
const { member, moderator, communityAdmin, communityOwner, timedOut } = world.actors;

function api(user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return call(app, {
    method,
    url,
    headers: user.headers,
    ...(payload !== undefined && { payload: payload as object }),
  });
}

async function newGroup(owner = communityAdmin): Promise<string> {
  const response = await api(owner, 'POST', '/api/groups', { community_id: world.communityId, name: 'G' });
  expect(response.statusCode).toBe(200);
  return response.json().id;
}

async function newChannel(groupId: string, body: Record<string, unknown> = {}, by = communityAdmin) {
  const response = await api(by, 'POST', `/api/groups/${groupId}/channels`, {
    name: 'chan',
    channel_type: 'text',
    ...body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return groupChannel.parse(response.json());
}

const channelRows = (channelId: string) =>
  db.selectFrom('channel_members').select(['user_id', 'role']).where('channel_id', '=', channelId).execute();
const channelRow = (channelId: string) =>
  db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();

describe('POST /api/groups/:id/channels', () => {
  it('creates a discoverable channel owned by the caller with every group member in it', async () => {
    const groupId = await newGroup();
    const created = await newChannel(groupId, {
      name: ' voice room ',
      channel_type: 'voice',
      topic: '  talk ',
      discoverable: false,
      group_id: uuidv7(),
    });
    expect(created).toMatchObject({
      name: 'voice room',
      channel_type: 'voice',
      topic: 'talk',
      created_by: communityAdmin.user.id,
      group_id: groupId,
      discoverable: true,
      read_only: false,
      slow_mode_seconds: 0,
      archived: false,
    });
    expect(created).not.toHaveProperty('voice_background');
    expect(created).not.toHaveProperty('message_ttl_seconds');
    const rows = await channelRows(created.id);
    expect(rows).toHaveLength(5);
    expect(rows).toContainEqual({ user_id: communityAdmin.user.id, role: 'owner' });
    expect(rows).toContainEqual({ user_id: member.user.id, role: 'member' });
  });

  it('refuses group members who are not owner or admin', async () => {
    const groupId = await newGroup();
    const response = await api(member, 'POST', `/api/groups/${groupId}/channels`, {
      name: 'x',
      channel_type: 'text',
    });
    expect(response.statusCode).toBe(403);
    expect(
      await db.selectFrom('channels').select('id').where('group_id', '=', groupId).execute(),
    ).toHaveLength(1);
  });

  it('allows 100 channels per group', async () => {
    const groupId = await newGroup();
    await sql`insert into channels (id, name, channel_type, group_id)
      select gen_random_uuid(), 'c' || n, 'text', ${groupId}::uuid from generate_series(1, 99) n`.execute(db);
    const response = await api(communityAdmin, 'POST', `/api/groups/${groupId}/channels`, {
      name: 'x',
      channel_type: 'text',
    });
    expect(response.json()).toEqual({
      error: { code: 'validation_error', message: 'maximum of 100 channels per group' },
    });
  });

  it.each([
    ['a DM type', { name: 'x', channel_type: 'dm' }, 'channel_type: invalid channel type'],
    ['an unknown type', { name: 'x', channel_type: 'forum' }, 'channel_type: invalid channel type'],
    ['an empty name', { name: '', channel_type: 'text' }, 'name: must be 1-64 characters'],
    ['a 66-byte name', { name: 'ж'.repeat(33), channel_type: 'text' }, 'name: must be 1-64 characters'],
    [
      'a long topic',
      { name: 'x', channel_type: 'text', topic: 't'.repeat(513) },
      'topic: must be at most 512 characters',
    ],
    ['NUL', { name: 'x\u0000', channel_type: 'text' }, 'name: must not contain NUL characters'],
    ['a numeric name', { name: 3, channel_type: 'text' }, undefined],
  ])('refuses %s with 400', async (_, body, message) => {
    const response = await api(communityOwner, 'POST', `/api/groups/${world.groupId}/channels`, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
    if (message) expect(response.json().error.message).toBe(message);
  });
});

describe('GET /api/groups/:id/channels', () => {
  it('lists discoverable channels and those the caller is in, oldest first', async () => {
    const groupId = await newGroup();
    const hidden = await newChannel(groupId, { name: 'hidden' });
    await db.updateTable('channels').set({ discoverable: false }).where('id', '=', hidden.id).execute();
    await db
      .deleteFrom('channel_members')
      .where('channel_id', '=', hidden.id)
      .where('user_id', '=', member.user.id)
      .execute();
    const names = async (user: TestUser) =>
      (await api(user, 'GET', `/api/groups/${groupId}/channels`)).json<GroupChannel[]>().map((c) => c.name);
    expect(await names(member)).toEqual(['general']);
    expect(await names(moderator)).toEqual(['general', 'hidden']);
  });
});

describe('PATCH /api/groups/:gid/channels/:cid', () => {
  it('updates settings, clears with "", and tells the channel', async () => {
    const groupId = await newGroup();
    const channel = await newChannel(groupId, { topic: 'old' });
    const before = events.length;
    const response = await api(communityAdmin, 'PATCH', `/api/groups/${groupId}/channels/${channel.id}`, {
      name: 'renamed',
      topic: '',
      read_only: true,
      slow_mode_seconds: 86400,
      archived: true,
      voice_background: '/api/group-assets/bg.webp',
      message_ttl_seconds: 60,
    });
    expect(groupChannel.parse(response.json())).toMatchObject({
      name: 'renamed',
      topic: null,
      read_only: true,
      slow_mode_seconds: 86400,
      archived: true,
      voice_background: '/api/group-assets/bg.webp',
    });
    expect((await channelRow(channel.id))?.message_ttl_seconds).toBeNull();
    expect(events.slice(before)).toEqual([
      expect.objectContaining({
        audience: { kind: 'channel', channelId: channel.id },
        frame: expect.objectContaining({ type: 'channel_updated', name: 'renamed', topic: null }),
      }),
    ]);
  });

  it.each([
    ['slow_mode_seconds', 86401],
    ['slow_mode_seconds', -1],
    ['slow_mode_seconds', 1.5],
    ['voice_background', 'ftp://x'],
    ['read_only', 'true'],
    ['topic', 'ü'.repeat(257)],
  ])('refuses %s = %s with 400', async (field, value) => {
    const url = `/api/groups/${world.groupId}/channels/${world.channelId}`;
    const response = await api(communityOwner, 'PATCH', url, { [field]: value });
    expect(response.statusCode).toBe(400);
  });

  it('answers 404 for a channel of another group, and changes nothing there', async () => {
    const mine = await newGroup();
    const theirs = await newGroup(communityOwner);
    const foreign = await newChannel(theirs, { name: 'foreign' }, communityOwner);
    const before = events.length;
    const patch = await api(communityAdmin, 'PATCH', `/api/groups/${mine}/channels/${foreign.id}`, {
      name: 'hijacked',
    });
    expect(patch.json()).toEqual({ error: { code: 'not_found', message: 'channel not found' } });
    const remove = await api(communityAdmin, 'DELETE', `/api/groups/${mine}/channels/${foreign.id}`);
    expect(remove.statusCode).toBe(404);
    expect((await channelRow(foreign.id))?.name).toBe('foreign');
    expect(
      (await api(communityAdmin, 'DELETE', `/api/groups/${mine}/channels/${world.channelId}`)).statusCode,
    ).toBe(404);
    expect((await api(communityAdmin, 'DELETE', `/api/groups/${mine}/channels/${uuidv7()}`)).statusCode).toBe(
      404,
    );
    expect((await api(communityAdmin, 'DELETE', `/api/groups/${mine}/channels/nope`)).statusCode).toBe(400);
    expect(events.length).toBe(before);
  });
});

describe('DELETE /api/groups/:gid/channels/:cid', () => {
  it('deletes the channel only, telling the community and revoking access', async () => {
    const groupId = await newGroup();
    const channel = await newChannel(groupId);
    const before = events.length;
    expect((await api(timedOut, 'DELETE', `/api/groups/${groupId}/channels/${channel.id}`)).statusCode).toBe(
      403,
    );
    expect(events.length).toBe(before);
    expect(
      (await api(communityAdmin, 'DELETE', `/api/groups/${groupId}/channels/${channel.id}`)).statusCode,
    ).toBe(200);
    expect(await channelRow(channel.id)).toBeUndefined();
    expect(await channelRows(channel.id)).toEqual([]);
    expect(
      await db.selectFrom('channels').select('id').where('group_id', '=', groupId).execute(),
    ).toHaveLength(1);
    const published = events.slice(before);
    expect(published[0]).toMatchObject({
      audience: { kind: 'users', userIds: expect.arrayContaining([member.user.id, communityOwner.user.id]) },
      frame: { type: 'channel_deleted', channel_id: channel.id },
    });
    expect(published.slice(1)).toHaveLength(5);
    expect(published).toContainEqual({
      kind: 'access_revoked',
      userId: member.user.id,
      channelIds: [channel.id],
    });
  });
});
