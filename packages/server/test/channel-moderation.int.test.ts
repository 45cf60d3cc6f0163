import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { Database } from '../src/platform/db/database.js';
import type { ChannelRole } from '../src/platform/db/schema.js';
import { type DomainEvent, InProcessHub, rotationRequired } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { loadSecrets } from '../src/platform/secrets.js';
import { call, type TestUser } from './factories.js';
import { createTestApp, createTestDatabase, silentLogger, testConfig } from './harness.js';
import { type ActorName, buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { actors } = world;
const id = (name: ActorName) => actors[name].user.id;

/**
 * A fresh standalone channel. The cast: the community owner owns it, `member` and `moderator` are
 * channel admins, `timedOut` a channel moderator, `communityAdmin` a plain member.
 */
const cast: Partial<Record<ActorName, ChannelRole>> = {
  communityOwner: 'owner',
  member: 'admin',
  moderator: 'admin',
  timedOut: 'moderator',
  communityAdmin: 'member',
};

async function freshChannel(extra: Partial<Record<ActorName, ChannelRole>> = {}): Promise<string> {
  const channelId = uuidv7();
  await db
    .insertInto('channels')
    .values({ id: channelId, name: 'mod', channel_type: 'text', created_by: id('communityOwner') })
    .execute();
  const roles = Object.entries({ ...cast, ...extra }) as Array<[ActorName, ChannelRole]>;
  await db
    .insertInto('channel_members')
    .values(roles.map(([name, role]) => ({ channel_id: channelId, user_id: id(name), role })))
    .execute();
  return channelId;
}

const roles = async (channelId: string) =>
  Object.fromEntries(
    (
      await db
        .selectFrom('channel_members')
        .select(['user_id', 'role'])
        .where('channel_id', '=', channelId)
        .execute()
    ).map((row) => [row.user_id, row.role]),
  );
const post = (user: TestUser, url: string, payload?: object) =>
  call(app, { method: 'POST', url, headers: user.headers, ...(payload && { payload }) });
const setRole = (user: TestUser, channelId: string, target: ActorName, role: string) =>
  call(app, {
    method: 'PATCH',
    url: `/api/channels/${channelId}/members/${id(target)}/role`,
    headers: user.headers,
    payload: { role },
  });
const act = (
  user: TestUser,
  channelId: string,
  target: ActorName,
  action: 'kick' | 'ban' | 'unban',
  payload?: object,
) => post(user, `/api/channels/${channelId}/members/${id(target)}/${action}`, payload);
const roleFrame = (channelId: string, userId: string, role: ChannelRole): DomainEvent => ({
  kind: 'frame',
  audience: { kind: 'channel', channelId },
  frame: { type: 'member_role_updated', channel_id: channelId, user_id: userId, role },
});

describe('PATCH /api/channels/:id/members/:user_id/role', () => {
  it('lets the owner set admin, moderator or member, and tells the channel once', async () => {
    const channelId = await freshChannel();
    const before = events.length;
    expect((await setRole(actors.communityOwner, channelId, 'communityAdmin', 'moderator')).statusCode).toBe(
      200,
    );
    expect((await roles(channelId))[id('communityAdmin')]).toBe('moderator');
    expect(events.slice(before)).toEqual([roleFrame(channelId, id('communityAdmin'), 'moderator')]);
  });

  it('refuses the owner role, the caller themself and non-members', async () => {
    const channelId = await freshChannel();
    const owner = actors.communityOwner;
    expect((await setRole(owner, channelId, 'member', 'owner')).statusCode).toBe(400);
    expect((await setRole(owner, channelId, 'communityOwner', 'member')).json()).toEqual({
      error: { code: 'validation_error', message: 'cannot change your own role' },
    });
    expect((await setRole(owner, channelId, 'outsider', 'member')).json()).toEqual({
      error: { code: 'not_found', message: 'member not found' },
    });
  });

  it('never acts on an equal or higher role: no demoting the owner, no touching instance staff', async () => {
    const channelId = await freshChannel({ instanceAdmin: 'member' });
    const before = await roles(channelId);
    const published = events.length;
    expect((await setRole(actors.member, channelId, 'moderator', 'member')).statusCode).toBe(403);
    expect((await setRole(actors.member, channelId, 'communityOwner', 'member')).statusCode).toBe(403);
    expect((await setRole(actors.instanceAdmin, channelId, 'communityOwner', 'member')).statusCode).toBe(403);
    expect((await setRole(actors.communityOwner, channelId, 'instanceAdmin', 'admin')).statusCode).toBe(403);
    expect(await roles(channelId)).toEqual(before);
    expect(events.length).toBe(published);
  });
});

describe('kick and ban', () => {
  it('stops a channel admin from removing an equal or the owner, and changes nothing', async () => {
    const channelId = await freshChannel();
    const before = await roles(channelId);
    const published = events.length;
    for (const action of ['kick', 'ban'] as const) {
      expect((await act(actors.member, channelId, 'moderator', action)).statusCode).toBe(403);
      expect((await act(actors.member, channelId, 'communityOwner', action)).statusCode).toBe(403);
      expect((await act(actors.timedOut, channelId, 'timedOut', action)).statusCode).toBe(403);
    }
    expect(await roles(channelId)).toEqual(before);
    expect(
      await db.selectFrom('channel_bans').selectAll().where('channel_id', '=', channelId).execute(),
    ).toEqual([]);
    expect(events.length).toBe(published);
  });

  it('lets nobody but the instance owner remove an instance admin', async () => {
    const channelId = await freshChannel({ instanceAdmin: 'member' });
    expect((await act(actors.communityOwner, channelId, 'instanceAdmin', 'kick')).statusCode).toBe(403);
    expect((await act(actors.instanceOwner, channelId, 'instanceAdmin', 'kick')).statusCode).toBe(200);
  });

  it('kicks a lower member: the channel hears of it, then the target loses access', async () => {
    const channelId = await freshChannel();
    const before = events.length;
    expect((await act(actors.member, channelId, 'timedOut', 'kick')).statusCode).toBe(200);
    expect((await roles(channelId))[id('timedOut')]).toBeUndefined();
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: {
          type: 'member_kicked',
          channel_id: channelId,
          user_id: id('timedOut'),
          kicked_by: id('member'),
        },
      },
      { kind: 'access_revoked', userId: id('timedOut'), channelIds: [channelId] },
      rotationRequired(channelId, 'member_removed'),
    ]);
    expect((await act(actors.member, channelId, 'timedOut', 'kick')).json()).toEqual({
      error: { code: 'not_found', message: 'member not found' },
    });
  });

  it('bans with a reason, which blocks joining until an unban', async () => {
    const channelId = await freshChannel();
    const before = events.length;
    const banned = await act(actors.timedOut, channelId, 'communityAdmin', 'ban', { reason: '  spam  ' });
    expect(banned.statusCode).toBe(200);
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: {
          type: 'member_banned',
          channel_id: channelId,
          user_id: id('communityAdmin'),
          banned_by: id('timedOut'),
        },
      },
      { kind: 'access_revoked', userId: id('communityAdmin'), channelIds: [channelId] },
      rotationRequired(channelId, 'member_removed'),
    ]);
    const ban = await db
      .selectFrom('channel_bans')
      .selectAll()
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(ban).toMatchObject({ user_id: id('communityAdmin'), banned_by: id('timedOut'), reason: 'spam' });
    const join = () => post(actors.communityAdmin, `/api/channels/${channelId}/join`);
    expect((await join()).statusCode).toBe(403);
    expect((await act(actors.communityAdmin, channelId, 'communityAdmin', 'unban')).statusCode).toBe(403);
    expect((await act(actors.timedOut, channelId, 'communityAdmin', 'unban')).statusCode).toBe(200);
    expect((await act(actors.timedOut, channelId, 'communityAdmin', 'unban')).json()).toEqual({
      error: { code: 'not_found', message: 'ban not found' },
    });
    expect((await join()).statusCode).toBe(200);
  });

  it('refuses a reason over 500 bytes before doing anything', async () => {
    const channelId = await freshChannel();
    const response = await act(actors.communityOwner, channelId, 'communityAdmin', 'ban', {
      reason: 'é'.repeat(251),
    });
    expect(response.statusCode).toBe(400);
    expect((await roles(channelId))[id('communityAdmin')]).toBe('member');
  });
});

describe('POST /api/channels/:id/transfer-ownership', () => {
  const transfer = (user: TestUser, channelId: string, target: string) =>
    post(user, `/api/channels/${channelId}/transfer-ownership`, { new_owner_id: target });

  it('makes the target owner and the previous owner admin, announcing both', async () => {
    const channelId = await freshChannel();
    const before = events.length;
    expect((await transfer(actors.communityOwner, channelId, id('communityAdmin'))).statusCode).toBe(200);
    const after = await roles(channelId);
    expect([after[id('communityOwner')], after[id('communityAdmin')]]).toEqual(['admin', 'owner']);
    expect(events.slice(before)).toEqual([
      roleFrame(channelId, id('communityOwner'), 'admin'),
      roleFrame(channelId, id('communityAdmin'), 'owner'),
    ]);
  });

  it('leaves exactly one owner when an instance admin hands over a channel they do not own', async () => {
    const channelId = await freshChannel();
    expect((await transfer(actors.instanceAdmin, channelId, id('member'))).statusCode).toBe(200);
    const after = await roles(channelId);
    expect(Object.values(after).filter((role) => role === 'owner')).toHaveLength(1);
    expect(after[id('member')]).toBe('owner');
    expect(after[id('communityOwner')]).toBe('admin');
    expect(after[id('instanceAdmin')]).toBeUndefined();
  });

  it('requires the target to be a member who is not already the owner', async () => {
    const channelId = await freshChannel();
    const owner = actors.communityOwner;
    expect((await transfer(owner, channelId, id('outsider'))).json()).toEqual({
      error: { code: 'validation_error', message: 'target user must be a member of this channel' },
    });
    expect((await transfer(owner, channelId, id('communityOwner'))).statusCode).toBe(400);
    expect((await transfer(actors.member, channelId, id('member'))).statusCode).toBe(403);
    expect((await roles(channelId))[id('communityOwner')]).toBe('owner');
  });
});

describe('events and commits', () => {
  const probed: Array<Promise<ChannelRole | undefined>> = [];
  const probe = (probeDb: Database, event: DomainEvent) => {
    if (event.kind !== 'frame' || event.frame.type !== 'member_role_updated') return;
    const { channel_id, user_id } = event.frame;
    probed.push(
      probeDb.db
        .selectFrom('channel_members')
        .select('role')
        .where('channel_id', '=', channel_id)
        .where('user_id', '=', user_id)
        .executeTakeFirst()
        .then((row) => row?.role),
    );
  };

  it('publishes a frame only once its change is visible to other connections', async () => {
    const testDb = await createTestDatabase();
    const config = testConfig();
    const hub = new InProcessHub();
    hub.subscribe((event) => probe(testDb.database, event));
    const probeApp = await buildApp({
      config,
      database: testDb.database,
      hub,
      secrets: loadSecrets(config),
      logger: silentLogger,
    });
    await probeApp.ready();
    afterAll(async () => {
      await probeApp.close();
      await testDb.drop();
    });
    const probeWorld = await buildWorld(probeApp, testDb.database);
    const target = probeWorld.actors.member.user.id;
    const response = await call(probeApp, {
      method: 'PATCH',
      url: `/api/channels/${probeWorld.channelId}/members/${target}/role`,
      headers: probeWorld.actors.communityOwner.headers,
      payload: { role: 'admin' },
    });
    expect(response.statusCode).toBe(200);
    expect(await Promise.all(probed)).toEqual(['admin']);
  });
});
