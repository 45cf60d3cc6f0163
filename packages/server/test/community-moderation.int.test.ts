import { communityBan, userTimeout, userWarning } from '@chatalot/protocol';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp, ManualClock } from './harness.js';
import { buildWorld } from './world.js';

const clock = new ManualClock(Date.now());
const { app, database, events } = await createTestApp({ clock });
const world = await buildWorld(app, database);
const { db } = database;
const { actors, communityId, groupId, channelId } = world;
const base = `/api/communities/${communityId}`;

function as(user: TestUser, options: InjectOptions) {
  return call(app, { ...options, headers: user.headers });
}

/** A new account in the world's community, group and channel. */
async function newMember(role: 'member' | 'moderator' | 'admin' = 'member'): Promise<TestUser> {
  const user = await registerUser(app);
  await db
    .insertInto('community_members')
    .values({ community_id: communityId, user_id: user.user.id, role })
    .execute();
  await db.insertInto('group_members').values({ group_id: groupId, user_id: user.user.id }).execute();
  await db.insertInto('channel_members').values({ channel_id: channelId, user_id: user.user.id }).execute();
  return user;
}

const isMember = async (user: TestUser) =>
  (await db
    .selectFrom('community_members')
    .select('role')
    .where('community_id', '=', communityId)
    .where('user_id', '=', user.user.id)
    .executeTakeFirst()) !== undefined;
const memberships = (user: TestUser) =>
  Promise.all([
    db.selectFrom('group_members').select('group_id').where('user_id', '=', user.user.id).execute(),
    db.selectFrom('channel_members').select('channel_id').where('user_id', '=', user.user.id).execute(),
  ]);
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

/** Runs `request` and returns the response with the events it published. */
async function observed(request: () => ReturnType<typeof call>) {
  const start = events.length;
  const response = await request();
  return { response, published: events.slice(start) };
}

describe('DELETE /api/communities/:cid/members/:uid (kick)', () => {
  it('removes the member from the community, its groups and channels, and revokes their access', async () => {
    const target = await newMember();
    const { response, published } = await observed(() =>
      as(actors.moderator, { method: 'DELETE', url: `${base}/members/${target.user.id}` }),
    );
    expect(response.statusCode).toBe(200);
    expect(await isMember(target)).toBe(false);
    expect(await memberships(target)).toEqual([[], []]);
    expect(published).toEqual([{ kind: 'access_revoked', userId: target.user.id, channelIds: [channelId] }]);
  });

  it.each([
    ['oneself', () => actors.moderator, 400, 'you cannot kick yourself; use leave instead'],
    ['a non-member', () => actors.outsider, 404, 'member not found'],
  ])('refuses %s', async (_, target, status, message) => {
    const response = await as(actors.moderator, {
      method: 'DELETE',
      url: `${base}/members/${target().user.id}`,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.message).toBe(message);
  });

  it('keeps the owner out of reach of everyone, instance staff included', async () => {
    for (const actor of [actors.communityAdmin, actors.instanceAdmin, actors.instanceOwner]) {
      const { response, published } = await observed(() =>
        as(actor, { method: 'DELETE', url: `${base}/members/${actors.communityOwner.user.id}` }),
      );
      expect(response.statusCode).toBe(403);
      expect(published).toEqual([]);
    }
    expect(await isMember(actors.communityOwner)).toBe(true);
  });
});

describe('community bans', () => {
  it('bans a member with a trimmed reason, removes them and shuts the gate', async () => {
    const target = await newMember();
    const { response, published } = await observed(() =>
      as(actors.moderator, {
        method: 'POST',
        url: `${base}/bans/${target.user.id}`,
        payload: { reason: '  spam  ' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(published).toEqual([{ kind: 'access_revoked', userId: target.user.id, channelIds: [channelId] }]);
    expect(await isMember(target)).toBe(false);
    expect(await memberships(target)).toEqual([[], []]);
    expect((await as(target, { url: base })).statusCode).toBe(403);

    const again = await as(actors.communityAdmin, {
      method: 'POST',
      url: `${base}/bans/${target.user.id}`,
      payload: { reason: 'other' },
    });
    expect(again.statusCode).toBe(200);
    const bans = communityBan.array().parse((await as(actors.moderator, { url: `${base}/bans` })).json());
    expect(bans[0]).toMatchObject({ user_id: target.user.id, username: target.username, reason: 'spam' });
    expect(bans[0]?.created_at).toMatch(/Z$/);
  });

  it('pre-bans a non-member without an event, and unbans', async () => {
    const stranger = await registerUser(app);
    const { response, published } = await observed(() =>
      as(actors.moderator, { method: 'POST', url: `${base}/bans/${stranger.user.id}` }),
    );
    expect(response.statusCode).toBe(200);
    expect(published).toEqual([]);
    const unban = () => as(actors.moderator, { method: 'DELETE', url: `${base}/bans/${stranger.user.id}` });
    expect((await unban()).statusCode).toBe(200);
    expect((await unban()).json()).toEqual({ error: { code: 'not_found', message: 'ban not found' } });
  });

  it.each([
    ['oneself', () => actors.moderator.user.id, {}, 'you cannot ban yourself'],
    [
      'with a long reason',
      () => actors.member.user.id,
      { reason: 'é'.repeat(251) },
      'reason: must be 0-500 bytes',
    ],
  ])('refuses a ban of %s', async (_, target, payload, message) => {
    const response = await as(actors.moderator, { method: 'POST', url: `${base}/bans/${target()}`, payload });
    expect(response.json()).toEqual(validation(message));
  });

  it('answers 404 for an unknown user and 403 for a peer or the owner', async () => {
    const ban = (actor: TestUser, target: string) =>
      as(actor, { method: 'POST', url: `${base}/bans/${target}` });
    expect((await ban(actors.moderator, uuidv7())).json()).toEqual({
      error: { code: 'not_found', message: 'user not found' },
    });
    const peer = await newMember('moderator');
    expect((await ban(actors.moderator, peer.user.id)).statusCode).toBe(403);
    expect((await ban(actors.instanceOwner, actors.communityOwner.user.id)).statusCode).toBe(403);
    expect(await isMember(peer)).toBe(true);
  });
});

describe('channel timeouts', () => {
  const timeout = (payload: object, actor = actors.moderator, channel = channelId) =>
    as(actor, { method: 'POST', url: `${base}/channels/${channel}/timeout`, payload });

  it('times out a member, tells the channel, and replaces an earlier timeout', async () => {
    const target = await newMember();
    const { response, published } = await observed(() =>
      timeout({ user_id: target.user.id, duration_seconds: 600, reason: ' calm down ' }),
    );
    expect(response.statusCode).toBe(200);
    const created = userTimeout.parse(response.json());
    const expiresAt = new Date(clock.now() + 600_000).toISOString();
    expect(created).toMatchObject({
      user_id: target.user.id,
      channel_id: channelId,
      issued_by: actors.moderator.user.id,
      reason: 'calm down',
      expires_at: expiresAt,
    });
    expect(published).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: {
          type: 'user_timed_out',
          channel_id: channelId,
          user_id: target.user.id,
          expires_at: expiresAt,
          reason: 'calm down',
        },
      },
    ]);
    await timeout({ user_id: target.user.id, duration_seconds: 60, reason: '' });
    const rows = await db
      .selectFrom('user_timeouts')
      .selectAll()
      .where('user_id', '=', target.user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: null, expires_at: new Date(clock.now() + 60_000) });
  });

  it.each([
    [{ duration_seconds: 59 }, 'duration_seconds: must be 60-2592000'],
    [{ duration_seconds: 2_592_001 }, 'duration_seconds: must be 60-2592000'],
    [{ duration_seconds: 1e300 }, 'duration_seconds: must be an integer'],
    [{ duration_seconds: '600' }, 'duration_seconds: Invalid input: expected number, received string'],
    [{ duration_seconds: 600, reason: 'x'.repeat(501) }, 'reason: must be 0-500 bytes'],
    [{ duration_seconds: 600, user_id: 'nobody' }, 'user_id: must be a UUID'],
  ])('refuses %j', async (payload, message) => {
    const { response, published } = await observed(() =>
      timeout({ user_id: actors.member.user.id, ...payload }),
    );
    expect(response.json()).toEqual(validation(message));
    expect(published).toEqual([]);
  });

  it('checks the channel, the target and the hierarchy', async () => {
    const strayChannel = uuidv7();
    await db.insertInto('channels').values({ id: strayChannel, name: 'dm', channel_type: 'dm' }).execute();
    const body = (user: TestUser) => ({ user_id: user.user.id, duration_seconds: 60 });
    const foreignCommunity = uuidv7();
    const foreignGroup = uuidv7();
    const foreignChannel = uuidv7();
    await db.insertInto('communities').values({ id: foreignCommunity, name: 'Elsewhere' }).execute();
    await db
      .insertInto('groups')
      .values({ id: foreignGroup, name: 'g', community_id: foreignCommunity })
      .execute();
    await db
      .insertInto('channels')
      .values({ id: foreignChannel, name: 'c', channel_type: 'text', group_id: foreignGroup })
      .execute();
    for (const channel of [strayChannel, foreignChannel]) {
      expect((await timeout(body(actors.member), actors.moderator, channel)).json()).toEqual({
        error: { code: 'not_found', message: 'channel not found in this community' },
      });
    }
    expect((await timeout(body(actors.outsider))).json()).toEqual(
      validation('user is not a member of this channel'),
    );
    expect((await timeout(body(actors.moderator))).json()).toEqual(
      validation('you cannot time out yourself'),
    );
    expect((await timeout(body(await newMember('moderator')))).statusCode).toBe(403);
    expect((await timeout(body(actors.communityOwner), actors.instanceOwner)).statusCode).toBe(403);
  });

  it('removes a running timeout, and answers 404 when none runs', async () => {
    const target = await newMember();
    await timeout({ user_id: target.user.id, duration_seconds: 60 });
    const remove = () =>
      as(actors.moderator, {
        method: 'DELETE',
        url: `${base}/channels/${channelId}/timeout/${target.user.id}`,
      });
    const { response, published } = await observed(remove);
    expect(response.statusCode).toBe(200);
    expect(published).toEqual([]);
    expect((await remove()).json()).toEqual({
      error: { code: 'not_found', message: 'no active timeout found' },
    });
  });

  it('does not count an expired timeout as running', async () => {
    const target = await newMember();
    await timeout({ user_id: target.user.id, duration_seconds: 60 });
    clock.advance(60_000);
    try {
      const response = await as(actors.moderator, {
        method: 'DELETE',
        url: `${base}/channels/${channelId}/timeout/${target.user.id}`,
      });
      expect(response.statusCode).toBe(404);
    } finally {
      clock.advance(-60_000);
    }
  });
});

describe('channel warnings', () => {
  const warn = (payload: object, actor = actors.moderator) =>
    as(actor, { method: 'POST', url: `${base}/channels/${channelId}/warn`, payload });

  it('warns with the running count and lists the warnings newest first', async () => {
    const target = await newMember();
    const first = await observed(() => warn({ user_id: target.user.id, reason: 'be nice' }));
    expect(userWarning.parse(first.response.json())).toMatchObject({
      reason: 'be nice',
      issued_by: actors.moderator.user.id,
    });
    const second = await observed(() => warn({ user_id: target.user.id, reason: 'really' }));
    expect(second.published).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: {
          type: 'user_warned',
          channel_id: channelId,
          user_id: target.user.id,
          reason: 'really',
          warning_count: 2,
        },
      },
    ]);
    const list = await as(actors.moderator, {
      url: `${base}/channels/${channelId}/warnings/${target.user.id}`,
    });
    expect(
      userWarning
        .array()
        .parse(list.json())
        .map((w) => w.reason),
    ).toEqual(['really', 'be nice']);
  });

  it.each([
    [{ reason: '' }, 'reason: must be 1-1000 bytes'],
    [{ reason: '   ' }, 'reason: must be 1-1000 bytes'],
    [{ reason: 'é'.repeat(501) }, 'reason: must be 1-1000 bytes'],
    [{}, 'reason: Invalid input: expected string, received undefined'],
  ])('refuses %j', async (payload, message) => {
    const { response, published } = await observed(() =>
      warn({ user_id: actors.member.user.id, ...payload }),
    );
    expect(response.json()).toEqual(validation(message));
    expect(published).toEqual([]);
  });

  it('refuses non-members of the channel and those not below the moderator', async () => {
    expect((await warn({ user_id: actors.outsider.user.id, reason: 'x' })).json()).toEqual(
      validation('user is not a member of this channel'),
    );
    const { response, published } = await observed(() =>
      warn({ user_id: actors.communityAdmin.user.id, reason: 'x' }),
    );
    expect(response.statusCode).toBe(403);
    expect(published).toEqual([]);
  });
});
