import type { Bookmark } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { type ActorName, buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { actors, channelId } = world;
const id = (name: ActorName) => actors[name].user.id;

async function addMessages(count: number, values: { deleted_at?: Date } = {}): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uuidv7());
  await db
    .insertInto('messages')
    .values(
      ids.map((messageId) => ({
        id: messageId,
        channel_id: channelId,
        sender_id: id('member'),
        ciphertext: Buffer.from('hello'),
        nonce: Buffer.from([1, 2, 3]),
        message_type: 'text' as const,
        ...values,
      })),
    )
    .execute();
  return ids;
}
const addMessage = async (values: { deleted_at?: Date } = {}) => (await addMessages(1, values))[0] ?? '';

const create = (user: TestUser, payload: object) =>
  call(app, { method: 'POST', url: '/api/bookmarks', headers: user.headers, payload });
const list = (user: TestUser, query = '') =>
  call(app, { method: 'GET', url: `/api/bookmarks${query}`, headers: user.headers });
const remove = (user: TestUser, bookmarkId: string) =>
  call(app, { method: 'DELETE', url: `/api/bookmarks/${bookmarkId}`, headers: user.headers });
const error = (code: string, message: string) => ({ error: { code, message } });

describe('POST /api/bookmarks', () => {
  it('bookmarks a message of a channel the caller is in, answering the Bookmark', async () => {
    const messageId = await addMessage();
    const before = events.length;
    const response = await create(actors.member, { message_id: messageId, note: 'read later' });
    expect(response.statusCode).toBe(200);
    const bookmark = response.json<Bookmark>();
    expect(bookmark).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      message_id: messageId,
      note: 'read later',
      created_at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(bookmark.created_at))).toBe(false);
    expect(events.length).toBe(before);
  });

  it('stores no note as null, whether absent or null', async () => {
    for (const payload of [{}, { note: null }]) {
      const messageId = await addMessage();
      expect(
        (await create(actors.member, { message_id: messageId, ...payload })).json<Bookmark>().note,
      ).toBeNull();
    }
  });

  it('accepts a note of 500 bytes and refuses 501', async () => {
    const ok = await create(actors.member, { message_id: await addMessage(), note: 'a'.repeat(500) });
    expect(ok.statusCode).toBe(200);
    const tooLong = await create(actors.member, {
      message_id: await addMessage(),
      note: `${'é'.repeat(250)}a`,
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toEqual(error('validation_error', 'note: note must be at most 500 bytes'));
  });

  it('answers 409 for a second bookmark of the same message and keeps the first', async () => {
    const messageId = await addMessage();
    const first = (await create(actors.member, { message_id: messageId, note: 'first' })).json<Bookmark>();
    const again = await create(actors.member, { message_id: messageId, note: 'second' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual(error('conflict', 'message is already bookmarked'));
    const stored = await db.selectFrom('bookmarks').selectAll().where('message_id', '=', messageId).execute();
    expect(stored.map((row) => [row.id, row.note])).toEqual([[first.id, 'first']]);
  });

  it('lets two users bookmark the same message', async () => {
    const messageId = await addMessage();
    expect((await create(actors.member, { message_id: messageId })).statusCode).toBe(200);
    expect((await create(actors.moderator, { message_id: messageId })).statusCode).toBe(200);
  });

  it('bookmarks a deleted message, which still counts as found', async () => {
    const messageId = await addMessage({ deleted_at: new Date() });
    expect((await create(actors.member, { message_id: messageId })).statusCode).toBe(200);
  });

  it('answers 404 for an unknown message', async () => {
    const response = await create(actors.member, { message_id: uuidv7() });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(error('not_found', 'message not found'));
  });

  it('forbids bookmarking in a channel the caller is not in, instance staff included', async () => {
    const messageId = await addMessage();
    for (const name of ['outsider', 'banned', 'instanceAdmin', 'instanceOwner'] as const) {
      const response = await create(actors[name], { message_id: messageId });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(error('forbidden', 'forbidden'));
    }
    expect(
      await db.selectFrom('bookmarks').select('id').where('message_id', '=', messageId).execute(),
    ).toEqual([]);
  });

  it('refuses a missing or malformed message id and a note that is not text', async () => {
    expect((await create(actors.member, {})).statusCode).toBe(400);
    expect((await create(actors.member, { message_id: 'nope' })).statusCode).toBe(400);
    expect((await create(actors.member, { message_id: await addMessage(), note: 5 })).statusCode).toBe(400);
  });
});

describe('GET /api/bookmarks', () => {
  /** A fresh user in the world's channel with `count` bookmarks, created a second apart, newest last. */
  async function userWithBookmarks(count: number): Promise<{ user: TestUser; newestFirst: string[] }> {
    const user = await registerUser(app);
    await db.insertInto('channel_members').values({ channel_id: channelId, user_id: user.user.id }).execute();
    const messageIds = await addMessages(count);
    const ids = messageIds.map(() => uuidv7());
    await db
      .insertInto('bookmarks')
      .values(
        messageIds.map((messageId, index) => ({
          id: ids[index] ?? '',
          user_id: user.user.id,
          message_id: messageId,
          created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + index * 1000),
        })),
      )
      .execute();
    return { user, newestFirst: ids.reverse() };
  }
  const listedIds = async (user: TestUser, query = '') =>
    (await list(user, query)).json<Bookmark[]>().map((bookmark) => bookmark.id);

  it('lists only the caller’s bookmarks, newest first', async () => {
    const { user, newestFirst } = await userWithBookmarks(3);
    const response = await list(user);
    expect(response.statusCode).toBe(200);
    expect(response.json<Bookmark[]>().map((bookmark) => bookmark.id)).toEqual(newestFirst);
    expect(response.json<Bookmark[]>()[0]).toEqual({
      id: newestFirst[0],
      message_id: expect.any(String),
      note: null,
      created_at: '2026-01-01T00:00:02.000Z',
    });
    expect(await listedIds(actors.outsider)).toEqual([]);
  });

  it('pages with limit (default 100, clamped to 1–500) and offset', async () => {
    const { user, newestFirst } = await userWithBookmarks(502);
    expect(await listedIds(user)).toEqual(newestFirst.slice(0, 100));
    expect(await listedIds(user, '?limit=2&offset=3')).toEqual(newestFirst.slice(3, 5));
    expect(await listedIds(user, '?limit=0')).toEqual(newestFirst.slice(0, 1));
    expect(await listedIds(user, '?limit=-5&offset=-5')).toEqual(newestFirst.slice(0, 1));
    expect(await listedIds(user, '?limit=1000')).toEqual(newestFirst.slice(0, 500));
    expect(await listedIds(user, '?offset=500')).toEqual(newestFirst.slice(500));
    expect((await list(user, '?limit=abc')).statusCode).toBe(400);
  });
});

describe('DELETE /api/bookmarks/:id', () => {
  it('deletes the caller’s bookmark by its id, answering an empty 200', async () => {
    const bookmark = (await create(actors.member, { message_id: await addMessage() })).json<Bookmark>();
    const response = await remove(actors.member, bookmark.id);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await db.selectFrom('bookmarks').select('id').where('id', '=', bookmark.id).execute()).toEqual([]);
    expect((await remove(actors.member, bookmark.id)).json()).toEqual(
      error('not_found', 'bookmark not found'),
    );
  });

  it('answers 404 for someone else’s bookmark and keeps it', async () => {
    const bookmark = (await create(actors.member, { message_id: await addMessage() })).json<Bookmark>();
    for (const name of ['moderator', 'instanceOwner'] as const) {
      const response = await remove(actors[name], bookmark.id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(error('not_found', 'bookmark not found'));
    }
    expect(
      await db.selectFrom('bookmarks').select('id').where('id', '=', bookmark.id).execute(),
    ).toHaveLength(1);
  });

  it('takes a bookmark id, not a message id, and refuses one that is not a UUID', async () => {
    const messageId = await addMessage();
    expect((await create(actors.member, { message_id: messageId })).statusCode).toBe(200);
    expect((await remove(actors.member, messageId)).statusCode).toBe(404);
    expect((await remove(actors.member, 'nope')).statusCode).toBe(400);
  });
});
