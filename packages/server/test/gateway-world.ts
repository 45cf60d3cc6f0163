import { afterEach, expect } from 'vitest';
import type { GatewayOptions } from '../src/realtime/gateway.js';
import { call } from './factories.js';
import { createTestApp, type ManualClock } from './harness.js';
import { type ActorName, buildWorld } from './world.js';
import { TestSocket } from './ws-client.js';

/** The shared world (`world.ts`) on a listening app, with WebSocket helpers for its actors. */
export async function gatewayWorld(options: { clock?: ManualClock; gateway?: Partial<GatewayOptions> } = {}) {
  const test = await createTestApp(options);
  const world = await buildWorld(test.app, test.database);
  const baseUrl = await test.app.listen({ host: '127.0.0.1', port: 0 });
  const sockets: TestSocket[] = [];
  /** Each test starts without the previous tests' sockets (a user may hold only 8). */
  afterEach(async () => {
    const open = sockets.splice(0);
    for (const socket of open) socket.close();
    await Promise.all(open.map((socket) => socket.closed));
  });

  /** An authenticated socket of the actor, closed after the test. */
  async function connect(name: ActorName): Promise<TestSocket> {
    const socket = await TestSocket.connect(baseUrl, world.actors[name].access_token);
    sockets.push(socket);
    return socket;
  }

  /** One `channel_updated` event in the world's channel, by its owner. */
  async function changeTopic(topic: string): Promise<void> {
    const response = await call(test.app, {
      method: 'PATCH',
      url: `/api/channels/${world.channelId}`,
      headers: world.actors.communityOwner.headers,
      payload: { topic },
    });
    expect(response.statusCode).toBe(200);
  }

  return { ...test, ...world, baseUrl, connect, changeTopic };
}
