import { describe, expect, it } from 'vitest';
import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from '../src/realtime/typing.js';
import { registerUser } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import { ManualClock } from './harness.js';
import type { ActorName } from './world.js';
import { type Frame, TestSocket } from './ws-client.js';

const clock = new ManualClock(Date.now());
const { app, database, actors, channelId, baseUrl, connect } = await gatewayWorld({
  clock,
  gateway: { typingSweepMs: 50 },
});

async function disconnect(socket: TestSocket): Promise<void> {
  socket.close();
  await socket.closed;
}

const id = (name: ActorName) => actors[name].user.id;
const presenceOf = (socket: TestSocket, name: ActorName) =>
  socket.next('presence_update', (frame) => frame.user_id === id(name));

describe('presence', () => {
  it('announces a connecting mate to community mates only, and lists present mates on connect', async () => {
    const watcher = await connect('member');
    const stranger = await TestSocket.connect(baseUrl, (await registerUser(app)).access_token);
    const moderator = await connect('moderator');
    expect(await presenceOf(watcher, 'moderator')).toMatchObject({ status: 'online' });
    expect((await moderator.next('presence_bulk')).statuses).toContainEqual([id('member'), 'online']);
    await stranger.roundTrip();
    expect(stranger.all('presence_update')).toEqual([]);
    stranger.close();
    await disconnect(moderator);
    expect(await presenceOf(watcher, 'moderator')).toMatchObject({ status: 'offline' });
  });

  it('aggregates devices: online while any is active, idle when all are, dnd when chosen', async () => {
    const watcher = await connect('communityAdmin');
    const phone = await connect('communityOwner');
    const laptop = await connect('communityOwner');
    await presenceOf(watcher, 'communityOwner');
    phone.send({ type: 'update_presence', status: 'idle' });
    await phone.roundTrip();
    laptop.send({ type: 'update_presence', status: 'idle' });
    expect(await presenceOf(watcher, 'communityOwner')).toMatchObject({ status: 'idle' });
    laptop.send({ type: 'update_presence', status: 'dnd' });
    expect(await presenceOf(watcher, 'communityOwner')).toMatchObject({ status: 'dnd' });
    laptop.send({ type: 'update_presence', status: 'online' });
    expect(await presenceOf(watcher, 'communityOwner')).toMatchObject({ status: 'online' });
    await disconnect(phone);
    await disconnect(laptop);
    expect(await presenceOf(watcher, 'communityOwner')).toMatchObject({ status: 'offline' });
  });

  it('never shows an invisible user as online: not on connect, not in the bulk list', async () => {
    const watcher = await connect('moderator');
    const hidden = await connect('timedOut');
    await presenceOf(watcher, 'timedOut');
    hidden.send({ type: 'update_presence', status: 'invisible' });
    expect(await presenceOf(watcher, 'timedOut')).toMatchObject({ status: 'offline' });
    await disconnect(hidden);

    const again = await connect('timedOut');
    await again.roundTrip();
    const late = await connect('communityAdmin');
    await watcher.roundTrip();
    const listed = (await late.next('presence_bulk')).statuses as Array<[string, string]>;
    expect(listed).toContainEqual([id('moderator'), 'online']);
    expect(watcher.all('presence_update').filter((frame) => frame.user_id === id('timedOut'))).toEqual([]);
    expect(listed.map(([userId]) => userId)).not.toContain(id('timedOut'));
    again.send({ type: 'update_presence', status: 'online' });
    expect(await presenceOf(watcher, 'timedOut')).toMatchObject({ status: 'online' });
  });
});

describe('typing', () => {
  it('broadcasts once per 3 s, stops on stop_typing, and expires after 10 s', async () => {
    const watcher = await connect('banned');
    await database.db
      .insertInto('channel_members')
      .values({ channel_id: channelId, user_id: id('banned') })
      .execute();
    watcher.send({ type: 'subscribe', channel_ids: [channelId] });
    await watcher.roundTrip();
    const typer = await connect('member');
    const typed = (frame: Frame) => frame.user_id === id('member');

    typer.send({ type: 'typing', channel_id: channelId });
    typer.send({ type: 'typing', channel_id: channelId });
    await typer.roundTrip();
    expect(await watcher.next('user_typing', typed)).toMatchObject({ channel_id: channelId });
    await watcher.roundTrip();
    expect(watcher.all('user_typing')).toEqual([]);

    clock.advance(TYPING_THROTTLE_MS);
    typer.send({ type: 'typing', channel_id: channelId });
    await watcher.next('user_typing', typed);
    typer.send({ type: 'stop_typing', channel_id: channelId });
    await watcher.next('user_stopped_typing', typed);

    clock.advance(TYPING_THROTTLE_MS);
    typer.send({ type: 'typing', channel_id: channelId });
    await watcher.next('user_typing', typed);
    clock.advance(TYPING_EXPIRY_MS);
    expect(await watcher.next('user_stopped_typing', typed)).toMatchObject({ channel_id: channelId });
  });

  it('ignores typing in a channel the user is not a member of', async () => {
    const watcher = await connect('member');
    watcher.send({ type: 'subscribe', channel_ids: [channelId] });
    await watcher.roundTrip();
    const outsider = await connect('outsider');
    outsider.send({ type: 'typing', channel_id: channelId });
    await outsider.roundTrip();
    await watcher.roundTrip();
    expect(watcher.all('user_typing').filter((frame) => frame.user_id === id('outsider'))).toEqual([]);
  });
});
