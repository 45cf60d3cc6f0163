import { wsCloseCodes } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import type { ActorName } from './world.js';
import type { TestSocket } from './ws-client.js';

const { app, database, actors, channelId, connect, ...world } = await gatewayWorld();

async function subscribed(name: ActorName, channelIds: string[] = [channelId]): Promise<TestSocket> {
  const socket = await connect(name);
  socket.send({ type: 'subscribe', channel_ids: channelIds });
  await socket.roundTrip();
  return socket;
}

let topics = 0;
/** One `channel_updated` event in the shared channel; returns the topic it set. */
async function changeTopic(): Promise<string> {
  topics += 1;
  await world.changeTopic(`topic ${topics}`);
  return `topic ${topics}`;
}

const updates = (socket: TestSocket) => socket.all('channel_updated');

describe('subscriptions', () => {
  it('delivers channel events with a gap-free seq to members who subscribed', async () => {
    const member = await subscribed('member');
    const first = await changeTopic();
    const second = await changeTopic();
    const a = await member.next('channel_updated');
    const b = await member.next('channel_updated');
    expect(a).toMatchObject({ channel_id: channelId, topic: first });
    expect(b).toMatchObject({ channel_id: channelId, topic: second, seq: (a.seq as number) + 1 });
  });

  it('skips channels the user is not a member of, without an error', async () => {
    const outsider = await subscribed('outsider');
    const control = await subscribed('moderator');
    await changeTopic();
    await control.next('channel_updated');
    expect(updates(outsider)).toEqual([]);
    expect(outsider.all('error')).toEqual([]);
  });

  it('stops after unsubscribe (an empty list means everything)', async () => {
    const member = await subscribed('member');
    member.send({ type: 'unsubscribe', channel_ids: [] });
    await member.roundTrip();
    const control = await subscribed('moderator');
    await changeTopic();
    await control.next('channel_updated');
    expect(updates(member)).toEqual([]);
  });

  it("accepts the reference client's one large subscribe frame and enforces 500 per connection", async () => {
    const member = await connect('member');
    const strangers = Array.from({ length: 299 }, () => uuidv7());
    member.send({ type: 'subscribe', channel_ids: [...strangers, channelId] });
    await member.roundTrip();
    expect(member.all('error')).toEqual([]);
    await changeTopic();
    await member.next('channel_updated');

    member.send({ type: 'subscribe', channel_ids: Array.from({ length: 501 }, () => uuidv7()), ref: 'big' });
    expect(await member.next('error')).toEqual({
      type: 'error',
      code: 'validation_error',
      message: 'too many active subscriptions',
      ref: 'big',
    });
  });
});

describe('resume', () => {
  it('replays every missed event in order, then continues live', async () => {
    const member = await subscribed('member');
    await changeTopic();
    const last = (await member.next('channel_updated')).seq as number;
    member.close();
    await member.closed;
    const missed = [await changeTopic(), await changeTopic(), await changeTopic()];

    const back = await connect('member');
    back.send({ type: 'resume', channels: { [channelId]: last }, ref: 7 });
    const resumed = await back.next('resumed');
    expect(resumed).toEqual({ type: 'resumed', channels: { [channelId]: last + 3 }, ref: 7 });
    expect(updates(back).map((frame) => [frame.seq, frame.topic])).toEqual(
      missed.map((topic, index) => [last + 1 + index, topic]),
    );
    const live = await changeTopic();
    expect(await back.next('channel_updated', (frame) => frame.topic === live)).toMatchObject({
      seq: last + 4,
    });
  });

  it('asks for a resync when the missed events are no longer in the log', async () => {
    await changeTopic();
    await database.db.deleteFrom('channel_events').where('channel_id', '=', channelId).execute();
    const current = await changeTopic();
    const member = await connect('member');
    member.send({ type: 'resume', channels: { [channelId]: 0 } });
    const resync = await member.next('resync_required');
    expect(resync).toMatchObject({ channel_id: channelId, reason: 'gap_too_old' });
    const resumed = await member.next('resumed');
    expect(resumed.channels).toEqual({ [channelId]: resync.seq });
    expect(updates(member).map((frame) => frame.topic)).not.toContain(current);
  });

  it('refuses to resume a channel the user cannot read', async () => {
    const outsider = await connect('outsider');
    outsider.send({ type: 'resume', channels: { [channelId]: 0 } });
    expect(await outsider.next('resync_required')).toEqual({
      type: 'resync_required',
      channel_id: channelId,
      seq: 0,
      reason: 'no_access',
    });
    expect((await outsider.next('resumed')).channels).toEqual({});
    expect(updates(outsider)).toEqual([]);
  });
});

describe('continuous authorisation', () => {
  it('a kicked member gets its own member_kicked, then nothing more from the channel', async () => {
    const target = await subscribed('timedOut');
    const other = await subscribed('member');
    const kick = await call(app, {
      method: 'POST',
      url: `/api/channels/${channelId}/members/${actors.timedOut.user.id}/kick`,
      headers: actors.communityOwner.headers,
    });
    expect(kick.statusCode).toBe(200);
    const kicked = await target.next('member_kicked');
    expect(kicked).toMatchObject({ channel_id: channelId, user_id: actors.timedOut.user.id });
    expect(await other.next('member_kicked')).toMatchObject({ seq: kicked.seq });
    expect(await other.next('sender_key_rotation_required')).toMatchObject({
      channel_id: channelId,
      reason: 'member_removed',
      seq: (kicked.seq as number) + 1,
    });
    const topic = await changeTopic();
    await other.next('channel_updated', (frame) => frame.topic === topic);
    await target.roundTrip();
    expect(target.all('sender_key_rotation_required')).toEqual([]);
    expect(updates(target).map((frame) => frame.topic)).not.toContain(topic);
    target.send({ type: 'subscribe', channel_ids: [channelId] });
    await target.roundTrip();
    await changeTopic();
    await other.next('channel_updated');
    await target.roundTrip();
    expect(updates(target).map((frame) => frame.topic)).not.toContain(`topic ${topics}`);
  });

  it('logout-all closes every socket of the user with 4003', async () => {
    const first = await connect('moderator');
    const second = await connect('moderator');
    const response = await call(app, {
      method: 'POST',
      url: '/api/account/logout-all',
      headers: actors.moderator.headers,
    });
    expect(response.statusCode).toBe(200);
    expect((await first.closed).code).toBe(wsCloseCodes.sessionEnded);
    expect((await second.closed).code).toBe(wsCloseCodes.sessionEnded);
  });
});

describe('frames', () => {
  it('answers unparseable and unknown frames with invalid_message and keeps the socket', async () => {
    const socket = await connect('member');
    socket.send('{oops');
    expect(await socket.next('error')).toMatchObject({
      code: 'invalid_message',
      message: 'malformed message',
    });
    socket.send({ type: 'launch_rockets', ref: 'r1' });
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_message', ref: 'r1' });
    socket.send({
      type: 'edit_message',
      message_id: channelId,
      ciphertext: Array(65_537).fill(1),
      nonce: [1],
    });
    expect(await socket.next('error')).toMatchObject({ code: 'validation_error' });
    await socket.roundTrip();
  });

  it('says plainly which frames this server does not handle yet', async () => {
    const socket = await connect('instanceOwner');
    socket.send({ type: 'join_voice', channel_id: channelId, ref: 'm' });
    expect(await socket.next('error')).toMatchObject({ code: 'unsupported', ref: 'm' });
  });

  it('rate-limits a connection to a burst of 30 frames', async () => {
    const socket = await connect('communityAdmin');
    for (let index = 0; index < 40; index += 1) socket.send({ type: 'ping', timestamp: index });
    const error = await socket.next('error');
    expect(error).toMatchObject({ code: 'rate_limited', message: 'too many messages, slow down' });
    expect(socket.all('pong').length).toBeLessThanOrEqual(31);
  });

  it('refuses a frame over 1 MiB before buffering it, with close code 1009', async () => {
    const socket = await connect('communityAdmin');
    socket.send('x'.repeat(1024 * 1024 + 1));
    expect((await socket.closed).code).toBe(wsCloseCodes.messageTooBig);
  });
});
