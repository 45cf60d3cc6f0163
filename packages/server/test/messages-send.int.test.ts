import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import { ManualClock } from './harness.js';
import type { ActorName } from './world.js';
import type { Frame, TestSocket } from './ws-client.js';

const clock = new ManualClock(Date.now());
const { app, database, actors, channelId, connect } = await gatewayWorld({ clock });
const { db } = database;
const id = (name: ActorName) => actors[name].user.id;

let counter = 0;
/** A send frame with a distinct body, so tests can tell their messages apart. */
function message(extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    type: 'send_message',
    channel_id: channelId,
    ciphertext: [...Buffer.from(`hello ${counter}`)],
    nonce: [1, 2, 3],
    message_type: 'text',
    ...extra,
  };
}

async function subscribed(name: ActorName, channels = [channelId]): Promise<TestSocket> {
  const socket = await connect(name);
  socket.send({ type: 'subscribe', channel_ids: channels });
  await socket.roundTrip();
  return socket;
}

async function sendOk(socket: TestSocket, extra: Record<string, unknown> = {}): Promise<Frame> {
  const ref = `send-${counter + 1}`;
  socket.send({ ...message(extra), ref });
  const reply = await socket.reply(ref);
  if (reply.type !== 'message_sent') throw new Error(`send failed: ${JSON.stringify(reply)}`);
  return reply;
}

async function sendError(socket: TestSocket, extra: Record<string, unknown> = {}): Promise<Frame> {
  const ref = `fail-${counter + 1}`;
  socket.send({ ...message(extra), ref });
  return socket.next('error', (frame) => frame.ref === ref);
}

const rows = (clientId: string) =>
  db.selectFrom('messages').select('id').where('client_id', '=', clientId).execute();

describe('send_message', () => {
  it('acks the sender after the commit and delivers to subscribers, never echoing to the sender', async () => {
    const sender = await subscribed('member');
    const senderOtherTab = await subscribed('member');
    const reader = await subscribed('moderator');
    const sent = await sendOk(sender, { client_id: 'c-1' });
    expect(sent).toMatchObject({ channel_id: channelId, client_id: 'c-1' });
    const delivered = await reader.next('new_message', (frame) => frame.id === sent.id);
    expect(delivered).toMatchObject({
      channel_id: channelId,
      sender_id: id('member'),
      nonce: [1, 2, 3],
      message_type: 'text',
      reply_to: null,
      sender_key_id: null,
      created_at: sent.created_at,
    });
    expect(delivered).not.toHaveProperty('thread_id');
    expect(typeof delivered.seq).toBe('number');
    await senderOtherTab.roundTrip();
    await sender.roundTrip();
    expect([...sender.all('new_message'), ...senderOtherTab.all('new_message')]).toEqual([]);
  });

  it("ends the sender's typing indicator", async () => {
    const typer = await subscribed('moderator');
    const watcher = await subscribed('communityAdmin');
    typer.send({ type: 'typing', channel_id: channelId });
    await watcher.next('user_typing', (frame) => frame.user_id === id('moderator'));
    await sendOk(typer);
    expect(await watcher.next('user_stopped_typing')).toMatchObject({
      channel_id: channelId,
      user_id: id('moderator'),
    });
  });

  it('returns the first message for a retried client id, stored and announced once', async () => {
    const sender = await connect('member');
    const reader = await subscribed('communityAdmin');
    const first = await sendOk(sender, { client_id: 'retry-1' });
    const again = await sendOk(sender, { client_id: 'retry-1' });
    expect(again.id).toBe(first.id);
    expect(await rows('retry-1')).toHaveLength(1);
    await reader.next('new_message', (frame) => frame.id === first.id);
    await reader.roundTrip();
    expect(reader.all('new_message').filter((frame) => frame.id === first.id)).toEqual([]);
  });

  it('refuses non-members, unknown types and bad reply or thread targets', async () => {
    const outsider = await connect('outsider');
    expect(await sendError(outsider)).toMatchObject({
      code: 'forbidden',
      message: 'not a member of this channel',
    });
    const member = await connect('communityAdmin');
    expect(await sendError(member, { message_type: 'system' })).toMatchObject({
      code: 'validation_error',
      message: 'invalid message type',
    });
    expect(await sendError(member, { reply_to: uuidv7() })).toMatchObject({
      message: 'replied-to message not found',
    });
    expect(await sendError(member, { thread_id: uuidv7() })).toMatchObject({
      message: 'thread root message not found',
    });
    expect(await sendError(member, { ciphertext: [] })).toMatchObject({ code: 'validation_error' });
  });

  it('answers each send of a burst on its own: refused ones never fail the others committed with them', async () => {
    const senders = await Promise.all([connect('member'), connect('communityAdmin'), connect('moderator')]);
    const refused = [await connect('outsider'), await connect('timedOut')];
    for (let round = 0; round < 3; round++) {
      const [acks, errors] = await Promise.all([
        Promise.all(senders.map((socket) => sendOk(socket, { client_id: `burst-${round}-${counter}` }))),
        Promise.all(refused.map((socket) => sendError(socket))),
      ]);
      expect(acks.map((ack) => ack.type)).toEqual(['message_sent', 'message_sent', 'message_sent']);
      expect(errors.map((error) => error.code)).toEqual(['forbidden', 'timed_out']);
      for (const ack of acks) expect(await rows(ack.client_id as string)).toHaveLength(1);
    }
  });

  it('points a reply in a thread at the thread root', async () => {
    const member = await connect('communityAdmin');
    const root = await sendOk(member);
    const reply = await sendOk(member, { thread_id: root.id });
    const nested = await sendOk(member, { thread_id: reply.id, reply_to: reply.id });
    expect(reply.thread_id).toBe(root.id);
    expect(nested.thread_id).toBe(root.id);
  });

  it('applies timeouts, read-only, archived and slow mode, with moderators exempt where the spec says', async () => {
    const timedOut = await connect('timedOut');
    expect((await sendError(timedOut)).message).toMatch(/^you are timed out for \d+ more seconds$/);

    const member = await connect('communityAdmin');
    const owner = await connect('communityOwner');
    const patch = (payload: object) =>
      call(app, {
        method: 'PATCH',
        url: `/api/channels/${channelId}`,
        headers: actors.communityOwner.headers,
        payload,
      });
    await patch({ read_only: true });
    expect(await sendError(member)).toMatchObject({
      code: 'read_only',
      message: 'this channel is read-only',
    });
    await sendOk(owner);
    await patch({ read_only: false, slow_mode_seconds: 30 });
    await sendOk(member);
    expect(await sendError(member)).toMatchObject({
      code: 'slow_mode',
      message: 'slow mode: wait 30 seconds',
    });
    clock.advance(12_000);
    expect((await sendError(member)).message).toBe('slow mode: wait 18 seconds');
    await sendOk(owner);
    clock.advance(18_000);
    await sendOk(member);
    await patch({ slow_mode_seconds: 0, archived: true });
    expect(await sendError(owner)).toMatchObject({ code: 'archived', message: 'this channel is archived' });
    await patch({ archived: false });
  });

  it('never acknowledges or announces a message whose transaction failed', async () => {
    await sql`create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin if convert_from(new.ciphertext, 'UTF8') = 'poison' then raise exception 'poisoned'; end if; return new; end $$`.execute(
      db,
    );
    await sql`create trigger refuse_poison after insert on messages for each row execute function refuse_poison()`.execute(
      db,
    );
    try {
      const sender = await connect('communityAdmin');
      const reader = await subscribed('member');
      const error = await sendError(sender, {
        ciphertext: [...Buffer.from('poison')],
        client_id: 'poison-1',
      });
      expect(error.code).toBe('internal_error');
      expect(await rows('poison-1')).toEqual([]);
      await reader.roundTrip();
      expect(sender.all('message_sent')).toEqual([]);
      expect(reader.all('new_message').filter((frame) => frame.sender_id === id('communityAdmin'))).toEqual(
        [],
      );
    } finally {
      await sql`drop trigger refuse_poison on messages`.execute(db);
    }
  });
});

describe('direct messages', () => {
  it('reach the other member without a subscription, with new_dm_channel before the first one', async () => {
    const opened = await call(app, {
      method: 'POST',
      url: '/api/dms',
      headers: actors.member.headers,
      payload: { target_user_id: id('moderator') },
    });
    const dmId = opened.json<{ channel: { id: string } }>().channel.id;
    const alice = await connect('member');
    const bob = await connect('moderator');
    const first = await sendOk(alice, { channel_id: dmId });
    await expect.poll(() => bob.all('new_message').length, { timeout: 10_000 }).toBe(1);
    const types = bob.frames.map((frame) => frame.type);
    expect(types.indexOf('new_dm_channel')).toBeLessThan(types.indexOf('new_message'));
    expect(await bob.next('new_dm_channel')).toMatchObject({
      channel_id: dmId,
      channel_name: null,
      other_user_id: id('member'),
      other_user_username: actors.member.username,
    });
    expect(await bob.next('new_message')).toMatchObject({ id: first.id, channel_id: dmId });
    await sendOk(alice, { channel_id: dmId });
    await bob.next('new_message');
    await bob.roundTrip();
    expect(bob.all('new_dm_channel')).toEqual([]);
  });

  it('refuses a DM to someone who blocked the sender', async () => {
    const stranger = await registerUser(app);
    await db
      .insertInto('community_members')
      .values({
        community_id: (await db.selectFrom('communities').select('id').executeTakeFirstOrThrow()).id,
        user_id: stranger.user.id,
        role: 'member',
      })
      .execute();
    const opened = await call(app, {
      method: 'POST',
      url: '/api/dms',
      headers: actors.communityAdmin.headers,
      payload: { target_user_id: stranger.user.id },
    });
    const dmId = opened.json<{ channel: { id: string } }>().channel.id;
    await db
      .insertInto('user_blocks')
      .values({ blocker_id: stranger.user.id, blocked_id: id('communityAdmin') })
      .execute();
    const sender = await connect('communityAdmin');
    expect(await sendError(sender, { channel_id: dmId })).toMatchObject({
      code: 'blocked',
      message: 'cannot send messages to this user',
    });
  });
});

describe('edit_message and delete_message', () => {
  it('edits within 15 minutes, keeps the previous version, and tells subscribers', async () => {
    const author = await connect('member');
    const reader = await subscribed('communityAdmin');
    const sent = await sendOk(author);
    author.send({ type: 'edit_message', message_id: sent.id, ciphertext: [9, 9], nonce: [8], ref: 'e1' });
    const edited = await reader.next('message_edited', (frame) => frame.message_id === sent.id);
    expect(edited).toMatchObject({
      channel_id: channelId,
      sender_id: id('member'),
      ciphertext: [9, 9],
      nonce: [8],
    });
    const history = await call(app, {
      url: `/api/channels/${channelId}/messages/${sent.id}/history`,
      headers: actors.communityAdmin.headers,
    });
    expect(history.json()).toEqual([
      expect.objectContaining({ old_ciphertext: [...Buffer.from(`hello ${counter}`)], old_nonce: [1, 2, 3] }),
    ]);

    clock.advance(15 * 60_000 + 1);
    author.send({ type: 'edit_message', message_id: sent.id, ciphertext: [1], nonce: [1], ref: 'late' });
    expect(await author.next('error', (frame) => frame.ref === 'late')).toMatchObject({
      message: 'messages can only be edited within 15 minutes',
    });
    reader.send({ type: 'edit_message', message_id: sent.id, ciphertext: [1], nonce: [1], ref: 'theirs' });
    expect(await reader.next('error', (frame) => frame.ref === 'theirs')).toMatchObject({
      code: 'forbidden',
      message: 'you can only edit your own messages',
    });
  });

  it('lets authors and moderators delete, nobody else, and only once', async () => {
    const author = await connect('member');
    const other = await connect('communityAdmin');
    const reader = await subscribed('communityOwner');
    const mine = await sendOk(author);
    other.send({ type: 'delete_message', message_id: mine.id, ref: 'd1' });
    expect(await other.next('error', (frame) => frame.ref === 'd1')).toMatchObject({ code: 'forbidden' });
    author.send({ type: 'delete_message', message_id: mine.id });
    expect(await reader.next('message_deleted')).toMatchObject({ message_id: mine.id });
    author.send({ type: 'delete_message', message_id: mine.id, ref: 'd2' });
    expect(await author.next('error', (frame) => frame.ref === 'd2')).toMatchObject({
      code: 'not_found',
      message: 'message not found or already deleted',
    });

    const theirs = await sendOk(author);
    await db
      .updateTable('channel_members')
      .set({ role: 'moderator' })
      .where('channel_id', '=', channelId)
      .where('user_id', '=', id('communityAdmin'))
      .execute();
    other.send({ type: 'delete_message', message_id: theirs.id });
    expect(await reader.next('message_deleted', (frame) => frame.message_id === theirs.id)).toBeDefined();
  });
});
