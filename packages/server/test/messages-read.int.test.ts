import { describe, expect, it } from 'vitest';
import { call } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import { ManualClock } from './harness.js';
import type { ActorName } from './world.js';
import { type Frame, TestSocket } from './ws-client.js';

const clock = new ManualClock(Date.now());
const { app, actors, channelId, connect, baseUrl } = await gatewayWorld({ clock });
const id = (name: ActorName) => actors[name].user.id;

let counter = 0;
async function send(socket: TestSocket, extra: Record<string, unknown> = {}): Promise<Frame> {
  counter += 1;
  const ref = `m${counter}`;
  socket.send({
    type: 'send_message',
    channel_id: channelId,
    ciphertext: [...Buffer.from(`text ${counter}`)],
    nonce: [1],
    message_type: 'text',
    ref,
    ...extra,
  });
  return socket.next('message_sent', (frame) => frame.ref === ref);
}

async function subscribed(name: ActorName): Promise<TestSocket> {
  const socket = await connect(name);
  socket.send({ type: 'subscribe', channel_ids: [channelId] });
  await socket.roundTrip();
  return socket;
}

const get = (name: ActorName, url: string) => call(app, { url, headers: actors[name].headers });

describe('reactions', () => {
  it('announces a new reaction once, a removal once, and nothing for repeats', async () => {
    const author = await connect('member');
    const reader = await subscribed('communityAdmin');
    const sent = await send(author);
    author.send({ type: 'add_reaction', message_id: sent.id, emoji: '👍' });
    expect(await reader.next('reaction_added')).toMatchObject({
      message_id: sent.id,
      user_id: id('member'),
      emoji: '👍',
    });
    clock.advance(1_000);
    author.send({ type: 'add_reaction', message_id: sent.id, emoji: '👍' });
    author.send({ type: 'remove_reaction', message_id: sent.id, emoji: '👍' });
    expect(await reader.next('reaction_removed')).toMatchObject({ message_id: sent.id, emoji: '👍' });
    author.send({ type: 'remove_reaction', message_id: sent.id, emoji: '👍' });
    await author.roundTrip();
    await reader.roundTrip();
    expect([...reader.all('reaction_added'), ...reader.all('reaction_removed')]).toEqual([]);
  });

  it('enforces the cooldown, the emoji length, membership and 20 distinct emoji', async () => {
    const author = await connect('member');
    const sent = await send(author);
    const react = (socket: TestSocket, emoji: string, ref: string) =>
      socket.send({ type: 'add_reaction', message_id: sent.id, emoji, ref });
    clock.advance(1_000);
    react(author, 'a', 'r1');
    react(author, 'b', 'r2');
    expect(await author.next('error', (frame) => frame.ref === 'r2')).toMatchObject({
      code: 'rate_limited',
      message: 'adding reactions too quickly',
    });
    clock.advance(1_000);
    react(author, 'x'.repeat(33), 'long');
    expect(await author.next('error', (frame) => frame.ref === 'long')).toMatchObject({
      message: 'invalid emoji',
    });
    const outsider = await connect('outsider');
    react(outsider, 'o', 'out');
    expect(await outsider.next('error', (frame) => frame.ref === 'out')).toMatchObject({ code: 'forbidden' });
    for (let index = 1; index < 20; index += 1) {
      clock.advance(1_000);
      react(author, `e${index}`, `ok${index}`);
      await author.roundTrip();
    }
    clock.advance(1_000);
    react(author, 'one-too-many', 'full');
    expect(await author.next('error', (frame) => frame.ref === 'full')).toMatchObject({
      message: 'maximum number of reactions reached',
    });
    const history = await get('member', `/api/channels/${channelId}/messages?limit=1`);
    expect(history.json()[0].reactions).toHaveLength(20);
  });
});

describe('read state', () => {
  it('moves the cursor, sends read receipts unless opted out, and counts unread messages', async () => {
    const author = await connect('communityOwner');
    const reader = await connect('moderator');
    const watcher = await subscribed('communityAdmin');
    await get('moderator', '/api/channels/unread');
    reader.send({ type: 'mark_all_read' });
    await reader.roundTrip();
    expect((await get('moderator', '/api/channels/unread')).json()).toEqual([]);
    const first = await send(author);
    await send(author);
    expect((await get('moderator', '/api/channels/unread')).json()).toEqual([
      { channel_id: channelId, unread_count: 2 },
    ]);

    reader.send({ type: 'mark_read', channel_id: channelId, message_id: first.id });
    expect(await watcher.next('read_receipt', (frame) => frame.user_id === id('moderator'))).toMatchObject({
      channel_id: channelId,
      message_id: first.id,
    });
    expect((await get('moderator', '/api/channels/unread')).json()).toEqual([
      { channel_id: channelId, unread_count: 1 },
    ]);
    const cursors = (await get('member', `/api/channels/${channelId}/read-cursors`)).json();
    expect(cursors).toContainEqual(
      expect.objectContaining({ user_id: id('moderator'), last_read_message_id: first.id }),
    );
    expect((await get('outsider', `/api/channels/${channelId}/read-cursors`)).statusCode).toBe(403);

    await call(app, {
      method: 'PUT',
      url: '/api/account/preferences',
      headers: actors.moderator.headers,
      payload: { preferences: { sendReadReceipts: false } },
    });
    const latest = await send(author);
    reader.send({ type: 'mark_read', channel_id: channelId, message_id: latest.id });
    await reader.roundTrip();
    await watcher.roundTrip();
    expect(watcher.all('read_receipt').filter((frame) => frame.message_id === latest.id)).toEqual([]);
    expect((await get('moderator', '/api/channels/unread')).json()).toEqual([]);
  });
});

describe('history and threads', () => {
  it('pages newest first without gaps or repeats while messages keep arriving', async () => {
    const author = await connect('communityOwner');
    for (let index = 0; index < 7; index += 1) await send(author);
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const query = before ? `?limit=3&before=${before}` : '?limit=3';
      const page = (await get('member', `/api/channels/${channelId}/messages${query}`)).json<
        Array<{ id: string }>
      >();
      if (page.length === 0) break;
      seen.push(...page.map((message) => message.id));
      before = page.at(-1)?.id;
      await send(author);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect((await get('outsider', `/api/channels/${channelId}/messages`)).statusCode).toBe(403);
  });

  it('lists thread replies oldest first and counts them on the root', async () => {
    const author = await connect('communityOwner');
    const root = await send(author);
    const replies = [];
    for (let index = 0; index < 3; index += 1) replies.push(await send(author, { thread_id: root.id }));
    const thread = (await get('member', `/api/channels/${channelId}/threads/${root.id}`)).json<
      Array<{ id: string }>
    >();
    expect(thread.map((message) => message.id)).toEqual(replies.map((reply) => reply.id));
    const before = (
      await get('member', `/api/channels/${channelId}/threads/${root.id}?before=${replies[2]?.id}&limit=1`)
    ).json();
    expect(before.map((message: { id: string }) => message.id)).toEqual([replies[1]?.id]);
    const history = (
      await get('member', `/api/channels/${channelId}/messages?root_only=true&limit=5`)
    ).json();
    expect(history.find((message: { id: string }) => message.id === root.id)).toMatchObject({
      thread_reply_count: 3,
    });
    expect(history.every((message: { thread_id?: string }) => message.thread_id === undefined)).toBe(true);
    expect((await get('member', `/api/channels/${channelId}/threads/${channelId}`)).json()).toEqual({
      error: { code: 'not_found', message: 'thread root not found' },
    });
  });
});

describe('resume', () => {
  it('recovers the edits, deletions and reactions a client missed, not only new messages', async () => {
    const reader = await subscribed('communityAdmin');
    const author = await connect('member');
    const sent = await send(author);
    const last = (await reader.next('new_message', (frame) => frame.id === sent.id)).seq as number;
    reader.close();
    await reader.closed;
    clock.advance(1_000);
    author.send({ type: 'add_reaction', message_id: sent.id, emoji: '🎉' });
    author.send({ type: 'edit_message', message_id: sent.id, ciphertext: [7], nonce: [7] });
    const extra = await send(author);
    author.send({ type: 'delete_message', message_id: extra.id });
    await author.roundTrip();

    const back = await TestSocket.connect(baseUrl, actors.communityAdmin.access_token);
    back.send({ type: 'resume', channels: { [channelId]: last } });
    await back.next('resumed');
    const replayed = back.frames.filter((frame) => typeof frame.seq === 'number');
    expect(replayed.map((frame) => frame.type)).toEqual([
      'reaction_added',
      'message_edited',
      'new_message',
      'message_deleted',
    ]);
    expect(replayed.map((frame) => frame.seq)).toEqual([last + 1, last + 2, last + 3, last + 4]);
    back.close();
  });
});
