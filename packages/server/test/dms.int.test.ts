import { type DmChannel, dmChannel } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { member, moderator, communityAdmin, outsider, instanceOwner, instanceAdmin } = world.actors;

const open = (user: TestUser, target: unknown) =>
  call(app, { method: 'POST', url: '/api/dms', headers: user.headers, payload: { target_user_id: target } });
const list = async (user: TestUser) =>
  (await call(app, { url: '/api/dms', headers: user.headers })).json<DmChannel[]>();
const error = (code: string, message: string) => ({ error: { code, message } });

/** A new user who shares the world's community. */
async function communityMate(): Promise<TestUser> {
  const user = await registerUser(app);
  await db
    .insertInto('community_members')
    .values({ community_id: world.communityId, user_id: user.user.id })
    .execute();
  return user;
}

async function pairsOf(a: TestUser, b: TestUser) {
  const [low = '', high = ''] = [a.user.id, b.user.id].sort();
  return db.selectFrom('dm_pairs').selectAll().where('user_a', '=', low).where('user_b', '=', high).execute();
}
const membersOf = async (channelId: string) =>
  await db
    .selectFrom('channel_members')
    .select(['user_id', 'role'])
    .where('channel_id', '=', channelId)
    .orderBy('user_id')
    .execute();

describe('POST /api/dms', () => {
  it('creates a DM channel for a community mate, in the spec shape, and publishes nothing', async () => {
    const before = events.length;
    const response = await open(member, moderator.user.id.toUpperCase());
    expect(response.statusCode).toBe(200);
    const dm = dmChannel.parse(response.json());
    expect(dm.other_user).toEqual(moderator.user);
    expect(dm.channel).toMatchObject({
      channel_type: 'dm',
      name: null,
      group_id: null,
      read_only: false,
      slow_mode_seconds: 0,
      discoverable: true,
      archived: false,
      created_by: member.user.id,
    });
    expect(await membersOf(dm.channel.id)).toEqual(
      [member, moderator]
        .map((u) => ({ user_id: u.user.id, role: 'member' }))
        .sort((a, b) => (a.user_id < b.user_id ? -1 : 1)),
    );
    expect(events.length).toBe(before);
  });

  it('returns the same channel to both sides, and puts a user who left back in', async () => {
    const a = await communityMate();
    const b = await communityMate();
    const first = (await open(a, b.user.id)).json<DmChannel>();
    const second = (await open(b, a.user.id)).json<DmChannel>();
    expect(second.channel.id).toBe(first.channel.id);
    expect(second.other_user.id).toBe(a.user.id);
    await call(app, { method: 'POST', url: `/api/channels/${first.channel.id}/leave`, headers: a.headers });
    expect((await open(b, a.user.id)).json<DmChannel>().channel.id).toBe(first.channel.id);
    expect(await membersOf(first.channel.id)).toHaveLength(2);
    expect(await pairsOf(a, b)).toHaveLength(1);
  });

  it('creates one channel when both sides ask at once', async () => {
    const a = await communityMate();
    const b = await communityMate();
    const responses = await Promise.all([
      open(a, b.user.id),
      open(b, a.user.id),
      open(a, b.user.id),
      open(b, a.user.id),
    ]);
    const ids = new Set(responses.map((response) => response.json<DmChannel>().channel.id));
    expect(ids.size).toBe(1);
    expect(await pairsOf(a, b)).toHaveLength(1);
    const dmChannels = await db
      .selectFrom('channels')
      .select('id')
      .where('channel_type', '=', 'dm')
      .where('created_by', 'in', [a.user.id, b.user.id])
      .execute();
    expect(dmChannels).toHaveLength(1);
  });

  it('refuses a block in either direction', async () => {
    const a = await communityMate();
    const b = await communityMate();
    await db.insertInto('user_blocks').values({ blocker_id: a.user.id, blocked_id: b.user.id }).execute();
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      expect((await open(from, to.user.id)).json()).toEqual(
        error('validation_error', 'cannot create DM with this user'),
      );
    }
    expect(await pairsOf(a, b)).toEqual([]);
  });

  it('needs a shared community, except for the instance owner', async () => {
    expect((await open(member, outsider.user.id)).json()).toEqual(error('forbidden', 'forbidden'));
    expect((await open(instanceAdmin, member.user.id)).statusCode).toBe(403);
    expect((await open(world.actors.banned, member.user.id)).statusCode).toBe(403);
    expect(await pairsOf(member, outsider)).toEqual([]);
    expect((await open(instanceOwner, outsider.user.id)).statusCode).toBe(200);
  });

  it('refuses the caller themself, unknown users and bad bodies', async () => {
    expect((await open(member, member.user.id)).json()).toEqual(
      error('validation_error', 'cannot DM yourself'),
    );
    expect((await open(member, uuidv7())).json()).toEqual(error('not_found', 'user not found'));
    for (const bad of ['nope', 42, null, 'a\u0000b']) expect((await open(member, bad)).statusCode).toBe(400);
    const noBody = await call(app, { method: 'POST', url: '/api/dms', headers: member.headers });
    expect(noBody.statusCode).toBe(400);
  });
});

describe('GET /api/dms', () => {
  it('lists my DMs newest first with the other user, and nobody else’s', async () => {
    const me = await communityMate();
    const older = (await open(me, communityAdmin.user.id)).json<DmChannel>();
    const newer = (await open(moderator, me.user.id)).json<DmChannel>();
    const mine = await list(me);
    expect(mine.map((dm) => [dm.channel.id, dm.other_user.id])).toEqual([
      [newer.channel.id, moderator.user.id],
      [older.channel.id, communityAdmin.user.id],
    ]);
    expect(mine[0]).toEqual({ channel: newer.channel, other_user: moderator.user });
    expect((await list(outsider)).map((dm) => dm.channel.id)).not.toContain(newer.channel.id);
  });

  it('keeps DMs out of GET /api/channels', async () => {
    const me = await communityMate();
    await open(me, member.user.id);
    const channels = await call(app, { url: '/api/channels', headers: me.headers });
    expect(channels.json()).toEqual([]);
  });
});
