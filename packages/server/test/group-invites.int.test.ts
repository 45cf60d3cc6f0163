import { type GroupInvite, groupInvite, groupInvitePreview } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { bearer, call, type TestUser } from './factories.js';
import { createTestApp, ManualClock } from './harness.js';
import { buildWorld } from './world.js';

const clock = new ManualClock();
const { app, database } = await createTestApp({ clock });
const { db } = database;
const world = await buildWorld(app, database);
const { member, moderator, communityAdmin, communityOwner, instanceOwner, outsider, banned, timedOut } =
  world.actors;
const HOUR = 3_600_000;

function api(user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return call(app, {
    method,
    url,
    headers: user.headers,
    ...(payload !== undefined && { payload: payload as object }),
  });
}

/** A private group of the community owner's, with nobody else in it. */
async function privateGroup(name = 'Secret'): Promise<string> {
  const body = { community_id: world.communityId, name, visibility: 'private' };
  const response = await api(communityOwner, 'POST', '/api/groups', body);
  expect(response.statusCode).toBe(200);
  return response.json().id;
}

async function invite(
  groupId: string,
  body: Record<string, unknown> = {},
  by = communityOwner,
): Promise<GroupInvite> {
  const response = await api(by, 'POST', `/api/groups/${groupId}/invites`, body);
  expect(response.statusCode, response.body).toBe(200);
  return groupInvite.parse(response.json());
}

const accept = (user: TestUser, code: string) => api(user, 'POST', `/api/invites/${code}/accept`, {});
const usedCount = async (id: string) =>
  (await db.selectFrom('group_invites').select('used_count').where('id', '=', id).executeTakeFirstOrThrow())
    .used_count;
const isGroupMember = async (groupId: string, user: TestUser) =>
  (await db
    .selectFrom('group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', user.user.id)
    .executeTakeFirst()) !== undefined;

/** Moving the clock past the access tokens' lifetime needs fresh tokens. */
async function refreshTokens(...users: TestUser[]) {
  for (const user of users) {
    const response = await call(app, {
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: user.refresh_token },
    });
    expect(response.statusCode).toBe(200);
    const pair = response.json<{ access_token: string; refresh_token: string }>();
    Object.assign(user, { ...pair, headers: bearer(pair.access_token) });
  }
}

describe('managing group invites', () => {
  it('creates 12-character codes, lists them newest first and deletes them', async () => {
    const groupId = await privateGroup();
    const first = await invite(groupId, { max_uses: 3, expires_in_hours: 24 });
    expect(first).toMatchObject({ group_id: groupId, max_uses: 3, used_count: 0 });
    expect(first.code).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(first.expires_at).toBe(new Date(clock.now() + 24 * HOUR).toISOString());
    const second = await invite(groupId, { max_uses: null });
    expect(second).toMatchObject({ max_uses: null, expires_at: null });
    const listed = await api(communityOwner, 'GET', `/api/groups/${groupId}/invites`);
    expect(
      groupInvite
        .array()
        .parse(listed.json())
        .map((i) => i.id),
    ).toEqual([second.id, first.id]);
    const otherGroup = await privateGroup();
    expect(
      (await api(communityOwner, 'DELETE', `/api/groups/${otherGroup}/invites/${first.id}`)).statusCode,
    ).toBe(404);
    expect(
      (await api(communityOwner, 'DELETE', `/api/groups/${groupId}/invites/${first.id}`)).statusCode,
    ).toBe(200);
    expect(
      (await api(communityOwner, 'DELETE', `/api/groups/${groupId}/invites/${first.id}`)).json(),
    ).toEqual({
      error: { code: 'not_found', message: 'invite not found' },
    });
    const noBody = await call(app, {
      method: 'POST',
      url: `/api/groups/${groupId}/invites`,
      headers: communityOwner.headers,
    });
    expect(noBody.statusCode).toBe(200);
  });

  it.each([
    ['expires_in_hours', 0],
    ['expires_in_hours', 8761],
    ['expires_in_hours', 1.5],
    ['expires_in_hours', '24'],
    ['max_uses', 0],
    ['max_uses', -1],
    ['max_uses', 2 ** 31],
  ])('refuses %s = %j with 400', async (field, value) => {
    const response = await api(communityOwner, 'POST', `/api/groups/${world.groupId}/invites`, {
      [field]: value,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('lets only community staff invite into a personal group until allow_invites is on', async () => {
    const body = { community_id: world.communityId, name: 'Mine', assigned_member_id: member.user.id };
    const personal = (await api(communityAdmin, 'POST', '/api/groups', body)).json().id;
    const refused = await api(member, 'POST', `/api/groups/${personal}/invites`, {});
    expect(refused.json()).toEqual({
      error: { code: 'validation_error', message: 'invites are disabled for this personal group' },
    });
    await invite(personal, {}, moderator);
    await api(moderator, 'PATCH', `/api/groups/${personal}`, { allow_invites: true });
    await invite(personal, {}, member);
  });
});

describe('GET /api/invites/:code', () => {
  it('previews a live code, redacting groups that are not discoverable', async () => {
    const groupId = await privateGroup('Book club');
    const { code } = await invite(groupId);
    const preview = await api(outsider, 'GET', `/api/invites/${code}`);
    expect(groupInvitePreview.parse(preview.json())).toEqual({
      group_name: 'Book club',
      group_description: null,
      member_count: 1,
      code,
    });
    await db
      .updateTable('groups')
      .set({ discoverable: false, description: 'secret' })
      .where('id', '=', groupId)
      .execute();
    expect((await api(outsider, 'GET', `/api/invites/${code}`)).json()).toMatchObject({
      group_name: 'Private Group',
      group_description: null,
    });
  });

  it.each(['unknownCode1', 'x'.repeat(101), 'a%00b', 'abc-def', '%F0%9F%98%80'])(
    'answers 404 for %s',
    async (code) => {
      const response = await api(member, 'GET', `/api/invites/${code}`);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'invite not found' } });
      expect((await accept(member, code)).statusCode).toBe(404);
    },
  );
});

describe('POST /api/invites/:code/accept', () => {
  it('joins the group and all its channels except those the user is banned from', async () => {
    const groupId = await privateGroup('Club');
    const channels = await db.selectFrom('channels').select('id').where('group_id', '=', groupId).execute();
    const extra = await api(communityOwner, 'POST', `/api/groups/${groupId}/channels`, {
      name: 'x',
      channel_type: 'text',
    });
    await db
      .insertInto('channel_bans')
      .values({ channel_id: channels[0]?.id ?? '', user_id: member.user.id })
      .execute();
    const created = await invite(groupId, { max_uses: 5 });
    const response = await accept(member, created.code);
    expect(response.json()).toEqual({ group_id: groupId, group_name: 'Club' });
    const mine = await db
      .selectFrom('channel_members')
      .select('channel_id')
      .where('user_id', '=', member.user.id)
      .execute();
    expect(mine.map((row) => row.channel_id)).toContain(extra.json().id);
    expect(mine.map((row) => row.channel_id)).not.toContain(channels[0]?.id);
    expect(await usedCount(created.id)).toBe(1);
    expect((await accept(member, created.code)).json()).toEqual({
      error: { code: 'conflict', message: 'already a member of this group' },
    });
    expect(await usedCount(created.id)).toBe(1);
  });

  it.each([
    ['an outsider', () => outsider, 400],
    ['the instance owner outside the community', () => instanceOwner, 400],
    ['a banned user', () => banned, 403],
  ])('refuses %s and does not use the invite', async (_, who, status) => {
    const groupId = await privateGroup();
    const created = await invite(groupId);
    const response = await accept(who(), created.code);
    expect(response.statusCode).toBe(status);
    if (status === 400)
      expect(response.json().error.message).toBe('you must be a member of this community to join this group');
    expect(await usedCount(created.id)).toBe(0);
    expect(await isGroupMember(groupId, who())).toBe(false);
  });

  it('stops at max_uses and at the expiry, by the server clock', async () => {
    const groupId = await privateGroup();
    const single = await invite(groupId, { max_uses: 1 });
    const timed = await invite(groupId, { expires_in_hours: 1 });
    expect((await accept(member, single.code)).statusCode).toBe(200);
    expect((await accept(moderator, single.code)).json().error.message).toBe('invite fully used');
    expect((await api(moderator, 'GET', `/api/invites/${single.code}`)).json()).toEqual({
      error: { code: 'not_found', message: 'invite fully used' },
    });
    clock.advance(HOUR - 60_000);
    await refreshTokens(moderator, timedOut);
    expect((await api(moderator, 'GET', `/api/invites/${timed.code}`)).statusCode).toBe(200);
    clock.advance(60_000);
    await refreshTokens(moderator, timedOut);
    expect((await api(moderator, 'GET', `/api/invites/${timed.code}`)).json().error.message).toBe(
      'invite expired',
    );
    expect((await accept(timedOut, timed.code)).json()).toEqual({
      error: { code: 'validation_error', message: 'invite expired' },
    });
    expect(await isGroupMember(groupId, timedOut)).toBe(false);
    await refreshTokens(member, communityOwner, communityAdmin, outsider, banned, instanceOwner);
  });

  it.each([1, 2])('lets exactly %i of three concurrent accepts through', async (maxUses) => {
    const groupId = await privateGroup();
    const created = await invite(groupId, { max_uses: maxUses });
    const racers = [member, moderator, timedOut];
    const responses = await Promise.all(racers.map((user) => accept(user, created.code)));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(maxUses);
    expect(statuses.filter((status) => status === 400)).toHaveLength(3 - maxUses);
    expect(await usedCount(created.id)).toBe(maxUses);
    const joined = await db
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .execute();
    expect(joined).toHaveLength(1 + maxUses);
  });

  it('answers 404 for an unknown group id in the invite routes', async () => {
    expect((await api(communityOwner, 'GET', `/api/groups/${uuidv7()}/invites`)).statusCode).toBe(404);
    expect(
      (await api(communityOwner, 'DELETE', `/api/groups/${world.groupId}/invites/nope`)).statusCode,
    ).toBe(400);
  });
});
