import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../src/platform/events/hub.js';
import { RedisHub } from '../src/platform/events/redis-hub.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `chatalot-test:${randomUUID()}:`;
const errors: unknown[] = [];
const onError = (error: unknown) => errors.push(error);

const first = new RedisHub({ url: redisUrl, prefix, onError });
const second = new RedisHub({ url: redisUrl, prefix, onError });
const elsewhere = new RedisHub({ url: redisUrl, prefix: `chatalot-test:${randomUUID()}:`, onError });
const hubs = [first, second, elsewhere];

function event(userId: string): DomainEvent {
  return { kind: 'sessions_ended', userId, sessionIds: 'all' };
}

/** Collects the user ids of the events a hub delivers. */
function record(hub: RedisHub): { ids: string[]; stop: () => void } {
  const ids: string[] = [];
  const stop = hub.subscribe((received) => {
    if (received.kind === 'sessions_ended') ids.push(received.userId);
  });
  return { ids, stop };
}

/** Publishes a marker and waits for it, so everything published before it has been delivered too. */
async function flush(hub: RedisHub, seen: { ids: string[] }): Promise<void> {
  const marker = `marker-${randomUUID()}`;
  hub.publish(event(marker));
  await expect.poll(() => seen.ids.includes(marker), { timeout: 10_000 }).toBe(true);
}

beforeAll(() => Promise.all(hubs.map((hub) => hub.start())));

describe('RedisHub', () => {
  it('delivers every event to the listeners of every process, in publish order', async () => {
    const onFirst = record(first);
    const onSecond = record(second);
    const published = Array.from({ length: 200 }, (_, index) => `event-${index}`);
    for (const id of published) first.publish(event(id));
    await expect.poll(() => onFirst.ids.length, { timeout: 10_000 }).toBe(200);
    await expect.poll(() => onSecond.ids.length, { timeout: 10_000 }).toBe(200);
    expect(onFirst.ids).toEqual(published);
    expect(onSecond.ids).toEqual(published);
    onFirst.stop();
    onSecond.stop();
  });

  it('shows every process the same order when several publish', async () => {
    const onFirst = record(first);
    const onSecond = record(second);
    for (let index = 0; index < 100; index++) {
      first.publish(event(`first-${index}`));
      second.publish(event(`second-${index}`));
    }
    await expect.poll(() => onSecond.ids.length, { timeout: 10_000 }).toBe(200);
    await expect.poll(() => onFirst.ids.length, { timeout: 10_000 }).toBe(200);
    expect(onFirst.ids).toEqual(onSecond.ids);
    const expected = Array.from({ length: 100 }, (_, index) => `first-${index}`);
    expect(onFirst.ids.filter((id) => id.startsWith('first-'))).toEqual(expected);
    onFirst.stop();
    onSecond.stop();
  });

  it('reports a throwing listener and still calls the others', async () => {
    const failure = new Error('listener failed');
    const stopThrowing = second.subscribe(() => {
      throw failure;
    });
    const onSecond = record(second);
    errors.length = 0;
    first.publish(event('survives'));
    await expect.poll(() => onSecond.ids, { timeout: 10_000 }).toEqual(['survives']);
    expect(errors).toEqual([failure]);
    stopThrowing();
    onSecond.stop();
    errors.length = 0;
  });

  it('stops delivering to an unsubscribed listener', async () => {
    const unsubscribed = record(second);
    const onSecond = record(second);
    unsubscribed.stop();
    first.publish(event('after-unsubscribe'));
    await flush(first, onSecond);
    expect(onSecond.ids[0]).toBe('after-unsubscribe');
    expect(unsubscribed.ids).toEqual([]);
    onSecond.stop();
  });

  it('does not deliver to a hub on another prefix', async () => {
    const onElsewhere = record(elsewhere);
    const onSecond = record(second);
    first.publish(event('not-elsewhere'));
    await flush(first, onSecond);
    await flush(elsewhere, onElsewhere);
    expect(onElsewhere.ids).toHaveLength(1);
    expect(onElsewhere.ids[0]).toMatch(/^marker-/);
    onElsewhere.stop();
    onSecond.stop();
  });

  it('closes', async () => {
    for (const hub of hubs) await expect(hub.close()).resolves.toBeUndefined();
    expect(errors).toEqual([]);
  });
});
