import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySharedState } from '../src/realtime/memory-shared-state.js';
import { RedisSharedState } from '../src/realtime/redis-shared-state.js';
import type { ConnectionRef, SharedState } from '../src/realtime/shared-state.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `chatalot-test:${randomUUID()}:`;

afterAll(async () => {
  const redis = new Redis(redisUrl);
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

/** A user of its own per test, so tests share one instance without seeing each other. */
function newUser(): { userId: string; ref: (connectionId: string) => ConnectionRef } {
  const userId = randomUUID();
  return { userId, ref: (connectionId) => ({ userId, connectionId }) };
}

async function devicesOf(state: SharedState, userId: string) {
  return (await state.presenceOf([userId])).get(userId)?.devices.toSorted();
}

describe.each([
  { name: 'MemorySharedState', open: (): SharedState => new MemorySharedState({ now: () => Date.now() }) },
  { name: 'RedisSharedState', open: (): SharedState => new RedisSharedState({ url: redisUrl, prefix }) },
])('$name', ({ open }) => {
  let state: SharedState;
  beforeAll(() => {
    state = open();
  });
  afterAll(() => state.close());

  it('refuses a connection beyond the cap until one is removed', async () => {
    const { ref } = newUser();
    expect(await state.addConnection(ref('a'), 2, 'online')).toBe(true);
    expect(await state.addConnection(ref('b'), 2, 'online')).toBe(true);
    expect(await state.addConnection(ref('c'), 2, 'online')).toBe(false);
    await state.removeConnection(ref('a'));
    expect(await state.addConnection(ref('c'), 2, 'online')).toBe(true);
  });

  it("keeps the first connection's chosen status until setChosen", async () => {
    const { userId, ref } = newUser();
    await state.addConnection(ref('a'), 5, 'dnd');
    await state.addConnection(ref('b'), 5, 'online');
    expect((await state.presenceOf([userId])).get(userId)?.chosen).toBe('dnd');
    await state.setChosen(userId, 'invisible');
    expect((await state.presenceOf([userId])).get(userId)?.chosen).toBe('invisible');
  });

  it('tracks the activity of each device, and only of known ones', async () => {
    const { userId, ref } = newUser();
    await state.addConnection(ref('a'), 5, 'online');
    await state.addConnection(ref('b'), 5, 'online');
    await state.setActivity(ref('b'), 'idle');
    await state.setActivity(ref('unknown'), 'idle');
    expect(await devicesOf(state, userId)).toEqual(['active', 'idle']);
    await state.setActivity(ref('b'), 'active');
    expect(await devicesOf(state, userId)).toEqual(['active', 'active']);
  });

  it('omits users without a live connection from presence', async () => {
    const online = newUser();
    const offline = newUser();
    await state.addConnection(online.ref('a'), 5, 'online');
    await state.setChosen(offline.userId, 'dnd');
    const presence = await state.presenceOf([online.userId, offline.userId]);
    expect([...presence.keys()]).toEqual([online.userId]);
    expect(await state.presenceOf([])).toEqual(new Map());
  });

  it('forgets the chosen status with the last device', async () => {
    const { userId, ref } = newUser();
    await state.addConnection(ref('a'), 5, 'dnd');
    await state.removeConnection(ref('a'));
    expect(await state.presenceOf([userId])).toEqual(new Map());
    await state.addConnection(ref('b'), 5, 'online');
    expect((await state.presenceOf([userId])).get(userId)).toEqual({ chosen: 'online', devices: ['active'] });
  });

  it('grants a claim once until its ttl passes', async () => {
    const key = `typing:${randomUUID()}`;
    expect(await state.claim(key, 100)).toBe(true);
    expect(await state.claim(key, 100)).toBe(false);
    await sleep(150);
    expect(await state.claim(key, 100)).toBe(true);
  });
});

describe('RedisSharedState across processes', () => {
  const connectionTtlMs = 200;
  const first = new RedisSharedState({ url: redisUrl, prefix, connectionTtlMs });
  const second = new RedisSharedState({ url: redisUrl, prefix, connectionTtlMs });
  afterAll(() => Promise.all([first.close(), second.close()]));

  it("sees the other instance's connections, and counts them against the cap", async () => {
    const { userId, ref } = newUser();
    expect(await first.addConnection(ref('a'), 2, 'dnd')).toBe(true);
    expect(await second.addConnection(ref('b'), 2, 'online')).toBe(true);
    expect(await first.addConnection(ref('c'), 2, 'online')).toBe(false);
    expect((await second.presenceOf([userId])).get(userId)).toEqual({
      chosen: 'dnd',
      devices: ['active', 'active'],
    });
  });

  it('drops a connection not refreshed within its ttl, freeing its slot', async () => {
    const { userId, ref } = newUser();
    await first.addConnection(ref('a'), 1, 'online');
    await sleep(connectionTtlMs + 50);
    expect(await second.presenceOf([userId])).toEqual(new Map());
    expect(await second.addConnection(ref('b'), 1, 'online')).toBe(true);
  });

  it('keeps a refreshed connection alive, with its activity', async () => {
    const { userId, ref } = newUser();
    await first.addConnection(ref('a'), 1, 'online');
    await first.setActivity(ref('a'), 'idle');
    for (let i = 0; i < 4; i++) {
      await sleep(connectionTtlMs / 2);
      await first.refresh([ref('a'), newUser().ref('gone')]);
    }
    expect(await devicesOf(second, userId)).toEqual(['idle']);
    expect(await second.addConnection(ref('b'), 1, 'online')).toBe(false);
  });
});
