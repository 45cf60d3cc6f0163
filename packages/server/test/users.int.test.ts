import { randomUUID } from 'node:crypto';
import type { BlockedUser, UserPublic } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';

const { app, database } = await createTestApp();
const owner = await registerUser(app, { display_name: 'The Owner' });
const member = await registerUser(app, { display_name: 'Zoë Ünïcode' });
const other = await registerUser(app, { display_name: 'Another Member' });

const search = (user: TestUser, q?: string) =>
  call(app, {
    url: '/api/users/search',
    query: q === undefined ? {} : { q },
    headers: user.headers,
  });
const names = (response: { json: () => UserPublic[] }) => response.json().map((user) => user.username);
const getUser = (user: TestUser, id: string) => call(app, { url: `/api/users/${id}`, headers: user.headers });
const block = (user: TestUser, payload: unknown) =>
  call(app, { method: 'POST', url: '/api/users/block', headers: user.headers, payload: payload as object });
const unblock = (user: TestUser, id: string) =>
  call(app, { method: 'POST', url: `/api/users/unblock/${id}`, headers: user.headers });
const blocked = async (user: TestUser) =>
  (await call(app, { url: '/api/users/blocked', headers: user.headers })).json<BlockedUser[]>();
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

/** Accounts straight in the database: registering through the API hashes a password each time. */
async function insertUsers(prefix: string, count: number, displayName: string): Promise<void> {
  await database.db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        username: `${prefix}${String(i).padStart(2, '0')}`,
        display_name: displayName,
        email: `${prefix}${i}@example.org`,
        password_hash: 'unused',
      })),
    )
    .execute();
}

describe('GET /api/users/search', () => {
  it('lets the owner find anyone by username or display name, ignoring case', async () => {
    const byName = await search(owner, member.username.toUpperCase());
    expect(byName.statusCode).toBe(200);
    expect(byName.json()).toEqual([member.user]);
    expect(names(await search(owner, 'ANOTHER mem'))).toEqual([other.username]);
    expect(names(await search(owner, 'zoë'))).toEqual([member.username]);
  });

  it('includes the owner in their own results', async () => {
    expect(names(await search(owner, 'the owner'))).toEqual([owner.username]);
  });

  it('returns at most 20, ordered by username', async () => {
    await insertUsers('bulk', 25, 'Bulk Person');
    const found = names(await search(owner, 'bulk person'));
    expect(found).toEqual(Array.from({ length: 20 }, (_, i) => `bulk${String(i).padStart(2, '0')}`));
  });

  it('matches %, _ and \\ literally', async () => {
    await insertUsers('pct', 1, '100% sure');
    await insertUsers('pctno', 1, '100 sure');
    await insertUsers('under', 1, 'a_b');
    await insertUsers('underno', 1, 'axb');
    await insertUsers('slash', 1, 'back\\slash');
    expect(names(await search(owner, '0%'))).toEqual(['pct00']);
    expect(names(await search(owner, 'a_b'))).toEqual(['under00']);
    expect(names(await search(owner, 'k\\s'))).toEqual(['slash00']);
    expect(await search(owner, '%%')).toMatchObject({ statusCode: 200 });
    expect((await search(owner, '%%')).json()).toEqual([]);
  });

  it('shows a member nobody else while they share no community, and never themself', async () => {
    expect((await search(member, other.username)).json()).toEqual([]);
    expect((await search(member, owner.username)).json()).toEqual([]);
    expect((await search(member, member.username)).json()).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['one byte', 'a'],
    ['257 bytes', 'a'.repeat(257)],
    ['257 bytes of multi-byte characters', `a${'é'.repeat(128)}`],
  ])('refuses a query that is %s', async (_name, q) => {
    const response = await search(owner, q);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('search query must be 2-256 characters'));
  });

  it.each([
    ['one two-byte character', 'é'],
    ['256 bytes', 'é'.repeat(128)],
  ])('accepts a query of %s', async (_name, q) => {
    expect((await search(owner, q)).statusCode).toBe(200);
  });

  it('answers 400, not 500, for a NUL character', async () => {
    const response = await search(owner, 'ab\u0000');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('q: must not contain NUL characters'));
  });

  it('requires a token', async () => {
    expect((await call(app, { url: '/api/users/search?q=abc' })).statusCode).toBe(401);
  });
});

describe('GET /api/users/:user_id', () => {
  it('shows anyone to the owner', async () => {
    const response = await getUser(owner, member.user.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(member.user);
  });

  it('shows members themselves', async () => {
    expect((await getUser(member, member.user.id)).json()).toEqual(member.user);
  });

  it('hides other accounts from a member as if they did not exist', async () => {
    for (const id of [other.user.id, owner.user.id, randomUUID()]) {
      const response = await getUser(member, id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'user not found' } });
    }
  });

  it('gives instance admins no exemption', async () => {
    const admin = await registerUser(app);
    await database.db.updateTable('users').set({ is_admin: true }).where('id', '=', admin.user.id).execute();
    expect((await getUser(admin, member.user.id)).statusCode).toBe(404);
  });

  it('answers 404 to the owner for an unknown id', async () => {
    expect((await getUser(owner, randomUUID())).statusCode).toBe(404);
  });

  it('refuses an id that is not a UUID', async () => {
    const response = await getUser(owner, 'not-a-uuid');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('user_id: must be a UUID'));
  });
});

describe('blocking', () => {
  it('blocks with an empty 200, idempotently, and lists the block', async () => {
    const blocker = await registerUser(app);
    const first = await block(blocker, { user_id: other.user.id });
    expect(first.statusCode).toBe(200);
    expect(first.body).toBe('');
    expect(first.headers['content-type']).toBeUndefined();
    expect((await block(blocker, { user_id: other.user.id })).statusCode).toBe(200);
    const list = await blocked(blocker);
    expect(list).toEqual([{ blocked_id: other.user.id, created_at: expect.any(String) }]);
    expect(Number.isNaN(Date.parse(list[0]?.created_at ?? ''))).toBe(false);
  });

  it('can block someone the blocker cannot see', async () => {
    const blocker = await registerUser(app);
    expect((await getUser(blocker, owner.user.id)).statusCode).toBe(404);
    expect((await block(blocker, { user_id: owner.user.id })).statusCode).toBe(200);
  });

  it('lists newest first, and only the blocks the caller made', async () => {
    const blocker = await registerUser(app);
    await block(blocker, { user_id: member.user.id });
    await block(blocker, { user_id: other.user.id });
    await block(other, { user_id: blocker.user.id });
    expect((await blocked(blocker)).map((entry) => entry.blocked_id)).toEqual([
      other.user.id,
      member.user.id,
    ]);
  });

  it('refuses to block yourself, whatever the case of the id', async () => {
    const response = await block(member, { user_id: member.user.id.toUpperCase() });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('cannot block yourself'));
  });

  it('answers 404 for an unknown user', async () => {
    const response = await block(member, { user_id: randomUUID() });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'user not found' } });
  });

  it.each([
    ['no body', undefined],
    ['no user_id', {}],
    ['a number', { user_id: 42 }],
    ['a non-UUID', { user_id: 'abc' }],
    ['an array', [member.user.id]],
  ])('answers 400 for %s', async (_name, payload) => {
    const response = await block(owner, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/users/block',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"user_id": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('unblocks with an empty 200, then answers 404 block not found', async () => {
    const blocker = await registerUser(app);
    await block(blocker, { user_id: member.user.id });
    const response = await unblock(blocker, member.user.id);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await blocked(blocker)).toEqual([]);
    const again = await unblock(blocker, member.user.id);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ error: { code: 'not_found', message: 'block not found' } });
  });

  it('does not let the blocked person lift the block', async () => {
    const blocker = await registerUser(app);
    await block(blocker, { user_id: other.user.id });
    expect((await unblock(other, blocker.user.id)).statusCode).toBe(404);
    expect(await blocked(blocker)).toHaveLength(1);
  });

  it('refuses a non-UUID on unblock', async () => {
    const response = await unblock(member, 'nope');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('user_id: must be a UUID'));
  });

  it('requires a token', async () => {
    expect((await call(app, { url: '/api/users/blocked' })).statusCode).toBe(401);
    expect(
      (await call(app, { method: 'POST', url: '/api/users/block', payload: { user_id: member.user.id } }))
        .statusCode,
    ).toBe(401);
  });
});
