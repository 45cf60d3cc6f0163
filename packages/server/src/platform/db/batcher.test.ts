import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('writes what arrives during a commit as one batch, and answers each caller', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const committer = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((item) => item * 10);
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    const first = committer.submit(1);
    const rest = [2, 3, 4].map((item) => committer.submit(item));
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    let calls = 0;
    const committer = new Batcher<number, number>(
      async (items) => {
        calls += 1;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 10));
        if (items.includes(13)) throw new Error('unlucky');
        return items;
      },
      { maxBatch: 100, maxConcurrent: 1 },
    );
    const results = await Promise.allSettled([1, 2, 13, 4].map((item) => committer.submit(item)));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
  });

  it('keeps at most maxConcurrent batches in flight and at most maxBatch items in each', async () => {
    let inFlight = 0;
    let peak = 0;
    const sizes: number[] = [];
    const committer = new Batcher<number, number>(
      async (items) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        sizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return items;
      },
      { maxBatch: 3, maxConcurrent: 2 },
    );
    await Promise.all(Array.from({ length: 20 }, (_, item) => committer.submit(item)));
    expect(peak).toBe(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20);
  });
});
