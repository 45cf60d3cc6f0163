import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../platform/events/event-log.js';
import { ChannelCursor, MAX_REPLAY_EVENTS } from './channel-cursor.js';

/** A channel whose log holds events `first..last`, and a cursor that records what it delivers. */
function setup(options: { first?: number; last: number }) {
  const log: LoggedEvent[] = [];
  for (let seq = options.first ?? 1; seq <= options.last; seq += 1) {
    const frame = { type: 'channel_deleted', channel_id: `c${seq}` } as const;
    log.push({ seq, frame, text: Buffer.from(JSON.stringify({ ...frame, seq })) });
  }
  const delivered: number[] = [];
  const resyncs: number[] = [];
  let ended = 0;
  const cursor = new ChannelCursor({
    deliver: (text) => delivered.push((JSON.parse(text.toString()) as { seq: number }).seq),
    read: async (after, upTo, limit) => log.filter((e) => e.seq > after && e.seq <= upTo).slice(0, limit),
    resync: (seq) => resyncs.push(seq),
    ended: () => {
      ended += 1;
    },
    failed: (error) => {
      throw error;
    },
  });
  const live = (seq: number) =>
    cursor.offer(seq, JSON.stringify({ seq }), { type: 'channel_deleted', channel_id: 'c' });
  const settle = () => cursor.catchUp(0);
  return { cursor, delivered, resyncs, live, settle, ended: () => ended };
}

describe('ChannelCursor', () => {
  it('keeps what arrives while held, and delivers only what follows the release point', async () => {
    const { cursor, delivered, live, settle } = setup({ last: 6 });
    live(5);
    live(6);
    cursor.release(4);
    await settle();
    expect(delivered).toEqual([5, 6]);
  });

  it('fills a gap from the log before delivering what came after it, once each, in order', async () => {
    const { cursor, delivered, live, settle } = setup({ last: 9 });
    cursor.release(2);
    live(3);
    live(6);
    live(4);
    live(9);
    live(6);
    await settle();
    expect(delivered).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('asks for a resync when the missed events are gone from the log', async () => {
    const { cursor, delivered, resyncs, live, settle } = setup({ first: 8, last: 10 });
    cursor.release(3);
    live(10);
    await settle();
    expect(resyncs).toEqual([10]);
    expect(delivered).toEqual([]);
    live(11);
    expect(delivered).toEqual([11]);
  });

  it('resyncs instead of replaying more than the replay cap', async () => {
    const { cursor, resyncs } = setup({ last: 3 });
    cursor.release(0);
    await cursor.catchUp(MAX_REPLAY_EVENTS + 1);
    expect(resyncs).toEqual([MAX_REPLAY_EVENTS + 1]);
  });

  it('delivers up to the end point, then ends and drops later events', async () => {
    const { cursor, delivered, live, settle, ended } = setup({ last: 5 });
    cursor.release(1);
    cursor.endAt(3);
    await settle();
    live(4);
    expect(delivered).toEqual([2, 3]);
    expect(ended()).toBeGreaterThan(0);
  });

  it('ends at release when access was revoked while held', async () => {
    const { cursor, delivered, live, settle, ended } = setup({ last: 4 });
    live(4);
    cursor.endAt(3);
    cursor.release(2);
    await settle();
    expect(delivered).toEqual([3]);
    expect(ended()).toBeGreaterThan(0);
  });
});
