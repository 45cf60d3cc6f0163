import type { Socket } from 'node:net';
import { wsCloseCodes } from '@chatalot/protocol';
import { afterAll, expect, it } from 'vitest';
import { frameEvent } from '../src/platform/events/hub.js';
import { gatewayWorld } from './gateway-world.js';
import { TestSocket } from './ws-client.js';

const sendQueueBytes = 64 * 1024;
const { hub, actors, channelId, baseUrl, changeTopic } = await gatewayWorld({ gateway: { sendQueueBytes } });
const sockets: TestSocket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.close();
});

/** Large frames for one user, to fill the socket faster than channel events alone would. */
function flood(userId: string, count: number, bioLength = 100_000): void {
  const bio = 'x'.repeat(bioLength);
  for (let index = 0; index < count; index += 1) {
    hub.publish(
      frameEvent(
        { kind: 'users', userIds: [userId] },
        {
          type: 'user_profile_updated',
          user_id: userId,
          display_name: `flood ${index}`,
          avatar_url: null,
          banner_url: null,
          voice_background_url: null,
          custom_status: null,
          bio,
          pronouns: null,
        },
      ),
    );
  }
}

it('closes a client that stops reading with 4008, and resume then gives it every channel event', async () => {
  const slow = await TestSocket.connect(baseUrl, actors.member.access_token);
  sockets.push(slow);
  slow.send({ type: 'subscribe', channel_ids: [channelId] });
  await slow.roundTrip();
  const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
  tcp.pause();

  const topics = Array.from({ length: 6 }, (_, index) => `topic ${index}`);
  for (const [index, topic] of topics.entries()) {
    await changeTopic(topic);
    if (index === 1) flood(actors.member.user.id, 80);
  }
  tcp.resume();
  expect((await slow.closed).code).toBe(wsCloseCodes.tooSlow);
  const floodReceived = slow.all('user_profile_updated').length;
  expect(floodReceived).toBeLessThan(80);

  const received = slow.all('channel_updated');
  const last = (received.at(-1)?.seq as number | undefined) ?? 0;
  const first = (received[0]?.seq as number | undefined) ?? last;
  const back = await TestSocket.connect(baseUrl, actors.member.access_token);
  sockets.push(back);
  back.send({ type: 'resume', channels: { [channelId]: last } });
  await back.next('resumed');
  const all = [...received, ...back.all('channel_updated')];
  expect(all.map((frame) => frame.topic)).toEqual(topics);
  expect(all.map((frame) => frame.seq)).toEqual(topics.map((_, index) => first + index));
});

it('delivers one frame larger than the send queue to a client that keeps up, without closing it', async () => {
  const reader = await TestSocket.connect(baseUrl, actors.member.access_token);
  sockets.push(reader);
  flood(actors.member.user.id, 1, 8 * 1024 * 1024);
  const frame = await reader.next('user_profile_updated');
  expect(String(frame.bio).length).toBe(8 * 1024 * 1024);
  await reader.roundTrip();
});
