import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySharedState } from '../src/realtime/memory-shared-state.js';
import { RedisSharedState } from '../src/realtime/redis-shared-state.js';
import type { SharedState } from '../src/realtime/shared-state.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `chatalot-test:${randomUUID()}:`;

afterAll(async () => {
  const redis = new Redis(redisUrl);
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

describe.each([
  { name: 'MemorySharedState', open: (): SharedState => new MemorySharedState({ now: () => Date.now() }) },
  { name: 'RedisSharedState', open: (): SharedState => new RedisSharedState({ url: redisUrl, prefix }) },
])('$name token buckets', ({ open }) => {
  let state: SharedState;
  beforeAll(() => {
    state = open();
  });
  afterAll(() => state.close());

  it('allows the burst, then refuses with the seconds until the next token', async () => {
    const key = randomUUID();
    const rule = { burst: 3, refillPerSecond: 1 / 600 };
    for (let i = 0; i < 3; i += 1) {
      expect(await state.takeToken(key, rule)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    }
    const refused = await state.takeToken(key, rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(598);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(600);
    expect((await state.takeToken(randomUUID(), rule)).allowed).toBe(true);
  });

  it('refills at the given rate', async () => {
    const key = randomUUID();
    const rule = { burst: 1, refillPerSecond: 20 };
    expect((await state.takeToken(key, rule)).allowed).toBe(true);
    expect(await state.takeToken(key, rule)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    await sleep(80);
    expect((await state.takeToken(key, rule)).allowed).toBe(true);
  });

  it('counts concurrent takes exactly', async () => {
    const key = randomUUID();
    const rule = { burst: 5, refillPerSecond: 1 / 3600 };
    const results = await Promise.all(Array.from({ length: 12 }, () => state.takeToken(key, rule)));
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
  });
});

describe('RedisSharedState bucket keys', () => {
  it('expire once the bucket would be full again', async () => {
    const state = new RedisSharedState({ url: redisUrl, prefix });
    const redis = new Redis(redisUrl);
    try {
      const key = randomUUID();
      await state.takeToken(key, { burst: 5, refillPerSecond: 1 / 600 });
      const ttl = await redis.pttl(`${prefix}bucket:${key}`);
      expect(ttl).toBeGreaterThan(2_990_000);
      expect(ttl).toBeLessThanOrEqual(3_000_000);
    } finally {
      await state.close();
      await redis.quit();
    }
  });
});

describe('MemorySharedState bucket memory', () => {
  it('forgets a bucket only once it is full again, however slowly it refills', async () => {
    let now = Date.now();
    const state = new MemorySharedState({ now: () => now });
    const rule = { burst: 5, refillPerSecond: 1 / 600 };
    for (let i = 0; i < 5; i += 1) await state.takeToken('slow', rule);
    now += 11 * 60_000;
    expect((await state.takeToken('slow', rule)).allowed).toBe(true);
    expect((await state.takeToken('slow', rule)).allowed).toBe(false);
  });
});
