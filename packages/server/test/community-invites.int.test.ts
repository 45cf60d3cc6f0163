import { acceptCommunityInviteResponse, type CommunityInvite, communityInvite } from '@chatalot/protocol';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp, ManualClock } from './harness.js';
import { buildWorld } from './world.js';

const HOUR_MS = 3_600_000;
const clock = new ManualClock(Date.now());
const { app, database } = await createTestApp({ clock });
const world = await buildWorld(app, database);
const { db } = database;
const { actors, communityId } = world;

function as(user: TestUser, options: InjectOptions) {
  return call(app, { ...options, headers: user.headers });
}

async function createInvite(payload: object = {}, user = actors.communityAdmin): Promise<CommunityInvite> {
  const response = await as(user, {
    method: 'POST',
    url: `/api/communities/${communityId}/invites`,
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
  return communityInvite.parse(response.json());
}

const preview = (code: string, user = actors.outsider) => as(user, { url: `/api/community-invites/${code}` });
const accept = (code: string, user: TestUser) =>
  as(user, { method: 'POST', url: `/api/community-invites/${code}/accept`, payload: {} });
const membersOf = async (id: string) =>
  (await db.selectFrom('community_members').select('user_id').where('community_id', '=', id).execute()).map(
    (row) => row.user_id,
  );
const usedCount = async (id: string) =>
  (
    await db
      .selectFrom('community_invites')
      .select('used_count')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).used_count;
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

describe('POST /api/communities/:cid/invites', () => {
  it('creates a 12-character code, with limits and an expiry from the server clock', async () => {
    const invite = await createInvite({ max_uses: 3, expires_in_hours: 24 });
    expect(invite).toMatchObject({
      community_id: communityId,
      max_uses: 3,
      used_count: 0,
      expires_at: new Date(clock.now() + 24 * HOUR_MS).toISOString(),
    });
    expect(invite.code).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(await createInvite({ max_uses: null, expires_in_hours: null })).toMatchObject({
      max_uses: null,
      expires_at: null,
    });
  });

  it.each([
    [{ expires_in_hours: 0 }, 'expires_in_hours: must be 1-8760'],
    [{ expires_in_hours: 8761 }, 'expires_in_hours: must be 1-8760'],
    [{ expires_in_hours: 1.5 }, 'expires_in_hours: must be an integer'],
    [{ max_uses: 0 }, 'max_uses: must be 1-2147483647'],
    [{ max_uses: 2 ** 31 }, 'max_uses: must be 1-2147483647'],
    [{ max_uses: '3' }, 'max_uses: Invalid input: expected number, received string'],
  ])('refuses %j', async (payload, message) => {
    const response = await as(actors.communityAdmin, {
      method: 'POST',
      url: `/api/communities/${communityId}/invites`,
      payload,
    });
    expect(response.json()).toEqual(validation(message));
  });

  it('follows who_can_create_invites', async () => {
    const setPolicy = (policy: string) =>
      db
        .updateTable('communities')
        .set({ who_can_create_invites: policy as 'admin' })
        .where('id', '=', communityId)
        .execute();
    const create = async (user: TestUser) =>
      (await as(user, { method: 'POST', url: `/api/communities/${communityId}/invites` })).statusCode;
    await setPolicy('moderator');
    expect([await create(actors.moderator), await create(actors.member)]).toEqual([200, 403]);
    await setPolicy('everyone');
    expect(await create(actors.member)).toBe(200);
    await setPolicy('admin');
    expect(await create(actors.moderator)).toBe(403);
  });
});

describe('GET and DELETE /api/communities/:cid/invites', () => {
  it('lists newest first and deletes only this community’s invites', async () => {
    const older = await createInvite();
    const newer = await createInvite();
    const listed = communityInvite
      .array()
      .parse((await as(actors.communityAdmin, { url: `/api/communities/${communityId}/invites` })).json());
    expect(listed.map((i) => i.id).indexOf(newer.id)).toBeLessThan(listed.map((i) => i.id).indexOf(older.id));

    const otherId = uuidv7();
    await db.insertInto('communities').values({ id: otherId, name: 'Other' }).execute();
    const foreign = { id: uuidv7(), code: 'ForeignCode1', community_id: otherId };
    await db.insertInto('community_invites').values(foreign).execute();
    const remove = (id: string) =>
      as(actors.communityAdmin, { method: 'DELETE', url: `/api/communities/${communityId}/invites/${id}` });
    expect((await remove(foreign.id)).json()).toEqual({
      error: { code: 'not_found', message: 'invite not found' },
    });
    expect((await remove(older.id)).statusCode).toBe(200);
    expect((await remove(older.id)).statusCode).toBe(404);
    expect((await preview(older.code)).statusCode).toBe(404);
  });
});

describe('GET /api/community-invites/:code', () => {
  it('shows the community, redacted when it is not discoverable', async () => {
    const invite = await createInvite();
    expect((await preview(invite.code)).json()).toEqual({
      community_name: 'Test Community',
      community_description: null,
      member_count: 5,
      code: invite.code,
    });
    await db
      .updateTable('communities')
      .set({ discoverable: false, description: 'secret' })
      .where('id', '=', communityId)
      .execute();
    expect((await preview(invite.code)).json()).toMatchObject({
      community_name: 'Private Community',
      community_description: null,
    });
    await db
      .updateTable('communities')
      .set({ discoverable: true, description: null })
      .where('id', '=', communityId)
      .execute();
  });

  it.each([
    ['x'.repeat(101), 400, 'invalid invite code'],
    ['é'.repeat(51), 400, 'invalid invite code'],
    ['NoSuchCode12', 404, 'invite not found'],
    ['a\u0000b', 400, 'code: must not contain NUL characters'],
  ])('answers %s with %i', async (code, status, message) => {
    const response = await preview(encodeURIComponent(code));
    expect(response.statusCode).toBe(status);
    expect(response.json().error.message).toBe(message);
  });
});

describe('POST /api/community-invites/:code/accept', () => {
  it('joins every public group of the community at once, skipping channels the joiner is banned from', async () => {
    const secondGroup = uuidv7();
    const open = uuidv7();
    const banned = uuidv7();
    await db
      .insertInto('groups')
      .values({ id: secondGroup, name: 'Games', community_id: communityId, visibility: 'public' })
      .execute();
    await db
      .insertInto('channels')
      .values([
        { id: open, name: 'lobby', channel_type: 'text', group_id: secondGroup },
        { id: banned, name: 'banned', channel_type: 'text', group_id: secondGroup },
      ])
      .execute();
    const joiner = await registerUser(app);
    await db.insertInto('channel_bans').values({ channel_id: banned, user_id: joiner.user.id }).execute();
    const invite = await createInvite({ max_uses: 1 });
    expect((await accept(invite.code, joiner)).statusCode).toBe(200);
    const groups = await db
      .selectFrom('group_members')
      .select('group_id')
      .where('user_id', '=', joiner.user.id)
      .execute();
    expect(groups.map((row) => row.group_id).sort()).toEqual([world.groupId, secondGroup].sort());
    const channels = await db
      .selectFrom('channel_members')
      .select('channel_id')
      .where('user_id', '=', joiner.user.id)
      .execute();
    const channelIds = channels.map((row) => row.channel_id);
    expect(channelIds).toContain(open);
    expect(channelIds).toContain(world.channelId);
    expect(channelIds).not.toContain(banned);
    await db.deleteFrom('groups').where('id', '=', secondGroup).execute();
  });

  it('joins as a member, with the public groups and their discoverable channels', async () => {
    const privateGroup = uuidv7();
    const hiddenChannel = uuidv7();
    await db
      .insertInto('groups')
      .values({ id: privateGroup, name: 'Staff', community_id: communityId, visibility: 'private' })
      .execute();
    await db
      .insertInto('channels')
      .values({
        id: hiddenChannel,
        name: 'hidden',
        channel_type: 'text',
        group_id: world.groupId,
        discoverable: false,
      })
      .execute();
    const invite = await createInvite({ max_uses: 2 });
    const joiner = await registerUser(app);
    const response = await accept(invite.code, joiner);
    expect(response.statusCode).toBe(200);
    expect(acceptCommunityInviteResponse.parse(response.json())).toEqual({
      community_id: communityId,
      community_name: 'Test Community',
    });
    const member = await db
      .selectFrom('community_members')
      .select('role')
      .where('community_id', '=', communityId)
      .where('user_id', '=', joiner.user.id)
      .executeTakeFirst();
    expect(member?.role).toBe('member');
    const groups = await db
      .selectFrom('group_members')
      .select('group_id')
      .where('user_id', '=', joiner.user.id)
      .execute();
    expect(groups).toEqual([{ group_id: world.groupId }]);
    const channels = await db
      .selectFrom('channel_members')
      .select('channel_id')
      .where('user_id', '=', joiner.user.id)
      .execute();
    expect(channels).toEqual([{ channel_id: world.channelId }]);
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('refuses banned users and members, without spending a use', async () => {
    const invite = await createInvite();
    expect((await accept(invite.code, actors.banned)).statusCode).toBe(403);
    expect((await accept(invite.code, actors.member)).json()).toEqual({
      error: { code: 'conflict', message: 'already a member of this community' },
    });
    expect(await usedCount(invite.id)).toBe(0);
  });

  it('stops at max_uses', async () => {
    const invite = await createInvite({ max_uses: 1 });
    expect((await accept(invite.code, await registerUser(app))).statusCode).toBe(200);
    const late = await registerUser(app);
    expect((await accept(invite.code, late)).json()).toEqual(validation('invite fully used'));
    expect((await preview(invite.code)).json()).toEqual(validation('invite fully used'));
  });

  it('stops at the expiry, by the server clock', async () => {
    const invite = await createInvite({ expires_in_hours: 1 });
    clock.advance(HOUR_MS - 1);
    try {
      // Access tokens last 15 minutes: sign in afresh at the new time.
      expect((await preview(invite.code, await registerUser(app))).statusCode).toBe(200);
      clock.advance(1);
      const late = await registerUser(app);
      expect((await preview(invite.code, late)).json()).toEqual(validation('invite expired'));
      expect((await accept(invite.code, late)).json()).toEqual(validation('invite expired'));
    } finally {
      clock.advance(-HOUR_MS);
    }
  });

  it('lets exactly one of many concurrent accepts take the last use', async () => {
    const invite = await createInvite({ max_uses: 1 });
    const joiners = await Promise.all(Array.from({ length: 6 }, () => registerUser(app)));
    const before = (await membersOf(communityId)).length;
    const responses = await Promise.all(joiners.map((joiner) => accept(invite.code, joiner)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect((await membersOf(communityId)).length).toBe(before + 1);
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('counts one use when the same user accepts twice at once', async () => {
    const invite = await createInvite();
    const joiner = await registerUser(app);
    const responses = await Promise.all([accept(invite.code, joiner), accept(invite.code, joiner)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('lets a kicked member back in with a new invite', async () => {
    const returning = await registerUser(app);
    expect((await accept((await createInvite()).code, returning)).statusCode).toBe(200);
    const kick = await as(actors.moderator, {
      method: 'DELETE',
      url: `/api/communities/${communityId}/members/${returning.user.id}`,
    });
    expect(kick.statusCode).toBe(200);
    expect((await accept((await createInvite()).code, returning)).statusCode).toBe(200);
  });
});
