import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeHttp, ME, user } from './test-fixtures';
import { SEARCH_DEBOUNCE_MS, UserSearch } from './user-search.svelte';

const { fake } = vi.hoisted(() => ({ fake: {} as ReturnType<typeof import('./test-fixtures').fakeHttp> }));
vi.mock('$lib/api/http', () => ({ http: new Proxy({}, { get: (_, key) => Reflect.get(fake.http, key) }) }));

beforeEach(() => {
  vi.useFakeTimers();
  Object.assign(fake, fakeHttp());
});
afterEach(() => vi.useRealTimers());

describe('searching people for a DM (NAV-19)', () => {
  it('waits 300 ms after the last keystroke, asks once, and leaves the user out', async () => {
    const alice = user({ username: 'alice' });
    fake.on('GET /api/users/search', [alice, user({ id: ME, username: 'alien-me' })]);
    const search = new UserSearch(() => ME);
    search.set('a');
    expect(search.status).toBe('too-short');
    search.set('al');
    search.set('ali');
    expect(search.status).toBe('searching');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(fake.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toEqual([{ method: 'GET', path: '/api/users/search', body: { q: 'ali' } }]);
    expect(search.status).toBe('done');
    expect(search.results.map((u) => u.username)).toEqual(['alice']);
  });

  it('says so when nobody matches or the server fails, and drops stale answers', async () => {
    fake.on('GET /api/users/search', []);
    const search = new UserSearch(() => ME);
    search.set('zz');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(search.status).toBe('done');
    expect(search.results).toEqual([]);
    fake.on('GET /api/users/search', () => {
      throw new Error('too many requests, please slow down');
    });
    search.set('zzz');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(search.status).toBe('error');
    expect(search.error).toBe('too many requests, please slow down');
    search.set('');
    expect(search.status).toBe('empty');
  });
});
