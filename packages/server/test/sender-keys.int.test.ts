import type { SenderKeyDistribution } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { rotationRequired } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import type { ActorName } from './world.js';

const { app, database, actors, channelId, communityId, connect, events } = await gatewayWorld();
const { db } = database;
const id = (name: ActorName) => actors[name].user.id;

const url = (channel: string) => `/api/channels/${channel}/sender-keys`;
const json = (user: TestUser) => ({ ...user.headers, 'content-type': 'application/json' });
const upload = (user: TestUser, channel: string, payload: unknown) =>
  call(app, { method: 'POST', url: url(channel), headers: json(user), payload: JSON.stringify(payload) });
const list = (user: TestUser, channel: string) =>
  call(app, { method: 'GET', url: url(channel), headers: user.headers });
const post = (user: TestUser, path: string) =>
  call(app, { method: 'POST', url: path, headers: user.headers, payload: {} });
const error = (code: string, message: string) => ({ error: { code, message } });

/** The upstream client's distribution (e2e-encryption.md §6.3). */
const distributionOf = (name: ActorName, chainId: number) => ({
  chain_id: chainId,
  iteration: 0,
  chain_key: Array.from({ length: 32 }, (_, i) => i),
  sender_id: [...Buffer.from(id(name))],
});
const uploadAs = (name: ActorName, channel: string, chainId = 3735928559) =>
  upload(actors[name], channel, { chain_id: chainId, distribution: distributionOf(name, chainId) });

/** A standalone channel owned by the community owner, with `members` as plain members. */
async function freshChannel(members: ActorName[], groupId: string | null = null): Promise<string> {
  const channel = uuidv7();
  const owner = id('communityOwner');
  await db
    .insertInto('channels')
    .values({ id: channel, name: 'keys', channel_type: 'text', created_by: owner, group_id: groupId })
    .execute();
  await db
    .insertInto('channel_members')
    .values([
      { channel_id: channel, user_id: owner, role: 'owner' },
      ...members.map((name) => ({ channel_id: channel, user_id: id(name), role: 'member' as const })),
    ])
    .execute();
  return channel;
}

async function storedUploaders(channel: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sender_key_distributions')
    .select('user_id')
    .where('channel_id', '=', channel)
    .orderBy('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

describe('POST /api/channels/:id/sender-keys', () => {
  it("stores the caller's distribution, answers it and tells the channel", async () => {
    const channel = await freshChannel(['member']);
    const before = events.length;
    const response = await uploadAs('member', channel);
    expect(response.statusCode).toBe(200);
    const body = response.json<SenderKeyDistribution>();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      channel_id: channel,
      user_id: id('member'),
      chain_id: 3735928559,
      distribution: distributionOf('member', 3735928559),
      created_at: expect.any(String),
    });
    const stored = await db
      .selectFrom('sender_key_distributions')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(stored.created_at.toISOString()).toBe(body.created_at);
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId: channel },
        frame: {
          type: 'sender_key_updated',
          channel_id: channel,
          user_id: id('member'),
          chain_id: 3735928559,
          distribution: distributionOf('member', 3735928559),
        },
      },
    ]);
  });

  it("reaches the channel's subscribers, the uploader's other connection included, through the event log", async () => {
    const sockets = await Promise.all((['member', 'moderator', 'outsider'] as const).map(connect));
    for (const socket of sockets) {
      socket.send({ type: 'subscribe', channel_ids: [channelId] });
      await socket.roundTrip();
    }
    const [uploaderOther, moderator, outsider] = sockets;
    const distribution = { nested: { list: [1, 'two', null, true] }, copies: { [id('moderator')]: [9, 9] } };
    const response = await upload(actors.member, channelId, { chain_id: 7, distribution });
    expect(response.statusCode).toBe(200);
    const frame = {
      type: 'sender_key_updated',
      channel_id: channelId,
      user_id: id('member'),
      chain_id: 7,
      distribution,
      seq: expect.any(Number),
    };
    expect(await uploaderOther?.next('sender_key_updated')).toEqual(frame);
    const received = await moderator?.next('sender_key_updated');
    expect(received).toEqual(frame);
    await outsider?.roundTrip();
    expect(outsider?.all('sender_key_updated')).toEqual([]);
    const logged = await db
      .selectFrom('channel_events')
      .select('frame')
      .where('channel_id', '=', channelId)
      .where('seq', '=', received?.seq as number)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(logged.frame)).toMatchObject({ type: 'sender_key_updated', distribution });
  });

  it('accepts any JSON value as the distribution', async () => {
    const channel = await freshChannel(['member']);
    for (const distribution of ['text', 42, null, [1, [2]], { a: { b: 'c' } }]) {
      expect((await upload(actors.member, channel, { chain_id: 1, distribution })).statusCode).toBe(200);
      expect((await list(actors.member, channel)).json()[0].distribution).toEqual(distribution);
    }
  });

  it('refuses bad chain ids, a missing, oversized or unstorable distribution, storing nothing', async () => {
    const channel = await freshChannel(['member']);
    const distribution = distributionOf('member', 1);
    const chainIdRange = `chain_id: must be between 0 and ${Number.MAX_SAFE_INTEGER}`;
    const cases: Array<[unknown, string]> = [
      [{ chain_id: -1, distribution }, chainIdRange],
      [{ chain_id: 1.5, distribution }, 'chain_id: must be an integer'],
      // Beyond 2^53 - 1, a JSON number is no longer exact: zod counts it as no integer.
      [{ chain_id: 2 ** 53, distribution }, 'chain_id: must be an integer'],
      [{ distribution }, expect.stringMatching(/^chain_id: /) as unknown as string],
      [{ chain_id: 1 }, 'distribution: is required'],
      [{ chain_id: 1, distribution: { text: 'a\u0000b' } }, 'distribution: must not contain NUL characters'],
    ];
    for (const [payload, message] of cases) {
      const response = await upload(actors.member, channel, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(error('validation_error', message));
    }
    expect(await storedUploaders(channel)).toEqual([]);
  });

  it('caps the serialised distribution at 1 MiB, even when the body is smaller', async () => {
    const channel = await freshChannel(['member']);
    // `1E9` is 3 bytes in the body and 10 once serialised: 100,000 of them make a 400 KB body and 1.1 MB of JSON.
    const payload = `{"chain_id":1,"distribution":[${Array(100_000).fill('1E9').join(',')}]}`;
    const response = await call(app, {
      method: 'POST',
      url: url(channel),
      headers: json(actors.member),
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      error('validation_error', 'distribution: must be at most 1048576 bytes of JSON'),
    );
  });

  it('is for channel members only: others, instance staff included, get 403 and nothing happens', async () => {
    const before = events.length;
    for (const name of ['outsider', 'banned', 'instanceAdmin', 'instanceOwner'] as const) {
      const response = await uploadAs(name, channelId);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(error('forbidden', 'forbidden'));
    }
    expect((await uploadAs('member', uuidv7())).statusCode).toBe(403);
    expect((await uploadAs('member', 'nope')).statusCode).toBe(400);
    expect(await storedUploaders(channelId)).not.toContain(id('outsider'));
    expect(events.length).toBe(before);
    const anonymous = await call(app, { method: 'POST', url: url(channelId), payload: { chain_id: 1 } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('GET /api/channels/:id/sender-keys', () => {
  it('lists one distribution per member, oldest first; an upload replaces the previous one', async () => {
    const channel = await freshChannel(['member', 'moderator']);
    const first = (await uploadAs('member', channel, 1)).json<SenderKeyDistribution>();
    const moderator = (await uploadAs('moderator', channel, 2)).json<SenderKeyDistribution>();
    const replaced = (await uploadAs('member', channel, 3)).json<SenderKeyDistribution>();
    expect(replaced.id).not.toBe(first.id);
    expect(replaced.created_at >= first.created_at).toBe(true);
    const response = await list(actors.moderator, channel);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([moderator, replaced]);
  });

  it('answers an empty list for a channel without uploads', async () => {
    expect((await list(actors.member, await freshChannel(['member']))).json()).toEqual([]);
  });

  it('is for channel members only', async () => {
    for (const name of ['outsider', 'banned', 'instanceAdmin', 'instanceOwner'] as const) {
      const response = await list(actors[name], channelId);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(error('forbidden', 'forbidden'));
    }
    expect((await list(actors.member, uuidv7())).statusCode).toBe(403);
    expect((await call(app, { method: 'GET', url: url(channelId) })).statusCode).toBe(401);
  });
});

describe('removal from a channel deletes the distribution', () => {
  it.each(['kick', 'ban'] as const)('on a channel %s, before the rotation event', async (action) => {
    const channel = await freshChannel(['member', 'moderator']);
    await uploadAs('member', channel);
    await uploadAs('moderator', channel);
    const before = events.length;
    const removal = await post(
      actors.communityOwner,
      `/api/channels/${channel}/members/${id('member')}/${action}`,
    );
    expect(removal.statusCode).toBe(200);
    expect(await storedUploaders(channel)).toEqual([id('moderator')]);
    expect(events.slice(before).at(-1)).toEqual(rotationRequired(channel, 'member_removed'));
    expect((await list(actors.member, channel)).statusCode).toBe(403);
    expect((await uploadAs('member', channel)).statusCode).toBe(403);
    const left = (await list(actors.moderator, channel)).json<SenderKeyDistribution[]>();
    expect(left.map((entry) => entry.user_id)).toEqual([id('moderator')]);
  });

  it("on a group leave, in each of the group's channels and nowhere else", async () => {
    const groupId = uuidv7();
    await db
      .insertInto('groups')
      .values({ id: groupId, name: 'Keys', owner_id: id('communityOwner'), community_id: communityId })
      .execute();
    await db
      .insertInto('group_members')
      .values([
        { group_id: groupId, user_id: id('communityOwner'), role: 'owner' },
        { group_id: groupId, user_id: id('member'), role: 'member' },
      ])
      .execute();
    const groupChannels = [await freshChannel(['member'], groupId), await freshChannel(['member'], groupId)];
    const elsewhere = await freshChannel(['member']);
    for (const channel of [...groupChannels, elsewhere]) await uploadAs('member', channel);
    const before = events.length;
    expect((await post(actors.member, `/api/groups/${groupId}/leave`)).statusCode).toBe(200);
    for (const channel of groupChannels) expect(await storedUploaders(channel)).toEqual([]);
    expect(await storedUploaders(elsewhere)).toEqual([id('member')]);
    const rotations = events.slice(before).filter((event) => event.kind === 'frame');
    expect(rotations).toEqual(
      expect.arrayContaining(groupChannels.map((channel) => rotationRequired(channel, 'member_left'))),
    );
    expect(rotations).toHaveLength(2);
    for (const channel of groupChannels) expect((await list(actors.member, channel)).statusCode).toBe(403);
  });

  it('on a channel leave, without a rotation event (websocket.md §7.27)', async () => {
    const channel = await freshChannel(['member']);
    await uploadAs('member', channel);
    const before = events.length;
    expect((await post(actors.member, `/api/channels/${channel}/leave`)).statusCode).toBe(200);
    expect(await storedUploaders(channel)).toEqual([]);
    expect(events.slice(before).filter((event) => event.kind === 'frame')).toEqual([]);
  });

  it('on a community kick, in every channel of the community', async () => {
    const community = uuidv7();
    const groupId = uuidv7();
    const owner = id('communityOwner');
    await db.insertInto('communities').values({ id: community, name: 'Kick', owner_id: owner }).execute();
    await db
      .insertInto('community_members')
      .values([
        { community_id: community, user_id: owner, role: 'owner' },
        { community_id: community, user_id: id('member'), role: 'member' },
      ])
      .execute();
    await db
      .insertInto('groups')
      .values({ id: groupId, name: 'Kick', owner_id: owner, community_id: community })
      .execute();
    await db
      .insertInto('group_members')
      .values([
        { group_id: groupId, user_id: owner, role: 'owner' },
        { group_id: groupId, user_id: id('member'), role: 'member' },
      ])
      .execute();
    const channel = await freshChannel(['member'], groupId);
    await uploadAs('member', channel);
    const kick = await call(app, {
      method: 'DELETE',
      url: `/api/communities/${community}/members/${id('member')}`,
      headers: actors.communityOwner.headers,
    });
    expect(kick.statusCode).toBe(200);
    expect(await storedUploaders(channel)).toEqual([]);
  });
});
