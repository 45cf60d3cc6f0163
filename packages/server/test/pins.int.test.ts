import type { Insertable } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MessagesTable } from '../src/platform/db/schema.js';
import type { DomainEvent } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { type ActorName, buildWorld } from './world.js';

const { app, database, events } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { actors, channelId } = world;
const id = (name: ActorName) => actors[name].user.id;

// The world's channel has only plain members besides its owner: `moderator` becomes a channel moderator.
await db
  .updateTable('channel_members')
  .set({ role: 'moderator' })
  .where('channel_id', '=', channelId)
  .where('user_id', '=', id('moderator'))
  .execute();

/** A second channel where `moderator` is a moderator too, and `member` is not a member. */
const otherChannelId = uuidv7();
await db
  .insertInto('channels')
  .values({ id: otherChannelId, name: 'other', channel_type: 'text', created_by: id('communityOwner') })
  .execute();
await db
  .insertInto('channel_members')
  .values([
    { channel_id: otherChannelId, user_id: id('communityOwner'), role: 'owner' },
    { channel_id: otherChannelId, user_id: id('moderator'), role: 'moderator' },
  ])
  .execute();

async function addMessage(values: Partial<Insertable<MessagesTable>> = {}): Promise<string> {
  const messageId = uuidv7();
  await db
    .insertInto('messages')
    .values({
      id: messageId,
      channel_id: channelId,
      sender_id: id('member'),
      ciphertext: Buffer.from('hello'),
      nonce: Buffer.from([1, 2, 3]),
      message_type: 'text',
      ...values,
    })
    .execute();
  return messageId;
}

const pinUrl = (channel: string, messageId: string) => `/api/channels/${channel}/pins/${messageId}`;
const pin = (user: TestUser, messageId: string, channel = channelId) =>
  call(app, { method: 'POST', url: pinUrl(channel, messageId), headers: user.headers, payload: {} });
const unpin = (user: TestUser, messageId: string, channel = channelId) =>
  call(app, { method: 'DELETE', url: pinUrl(channel, messageId), headers: user.headers });
const listPins = (user: TestUser, channel = channelId) =>
  call(app, { method: 'GET', url: `/api/channels/${channel}/pins`, headers: user.headers });
const pinnedIds = async (channel = channelId) =>
  (await listPins(actors.member, channel)).json<Array<{ id: string }>>().map((pinned) => pinned.id);
const error = (code: string, message: string) => ({ error: { code, message } });
const forbidden = error('forbidden', 'forbidden');

async function clearPins(): Promise<void> {
  await db.deleteFrom('pinned_messages').execute();
}

describe('POST /api/channels/:id/pins/:msg_id', () => {
  it('lets a channel moderator pin, answering an empty 200 and telling the channel', async () => {
    const messageId = await addMessage();
    const before = events.length;
    const response = await pin(actors.moderator, messageId);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    const stored = await db
      .selectFrom('pinned_messages')
      .selectAll()
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ channel_id: channelId, pinned_by: id('moderator') });
    expect(events.slice(before)).toEqual<DomainEvent[]>([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: {
          type: 'message_pinned',
          message_id: messageId,
          channel_id: channelId,
          pinned_by: id('moderator'),
          pinned_at: stored.pinned_at.toISOString(),
        },
      },
    ]);
  });

  it('lets the channel owner and instance staff pin, even staff who are not members', async () => {
    for (const name of ['communityOwner', 'instanceAdmin', 'instanceOwner'] as const) {
      expect((await pin(actors[name], await addMessage())).statusCode).toBe(200);
    }
  });

  it('forbids plain members, community staff without a channel role and outsiders, changing nothing', async () => {
    const messageId = await addMessage();
    const before = events.length;
    for (const name of ['member', 'communityAdmin', 'timedOut', 'outsider', 'banned'] as const) {
      const response = await pin(actors[name], messageId);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(forbidden);
    }
    expect(await pinnedIds()).not.toContain(messageId);
    expect(events.length).toBe(before);
  });

  it('checks the role before the message exists, and in the channel of the path', async () => {
    expect((await pin(actors.member, uuidv7())).statusCode).toBe(403);
    expect((await pin(actors.moderator, uuidv7(), uuidv7())).statusCode).toBe(403);
    expect(
      (await pin(actors.member, await addMessage({ channel_id: otherChannelId }), otherChannelId)).statusCode,
    ).toBe(403);
  });

  it('answers 404 for an unknown message and 400 for one of another channel', async () => {
    expect((await pin(actors.moderator, uuidv7())).json()).toEqual(error('not_found', 'message not found'));
    const elsewhere = await addMessage({ channel_id: otherChannelId });
    const response = await pin(actors.moderator, elsewhere);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(error('validation_error', 'message does not belong to this channel'));
  });

  it('refuses a deleted message', async () => {
    const messageId = await addMessage({ deleted_at: new Date() });
    const response = await pin(actors.moderator, messageId);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(error('validation_error', 'cannot pin a deleted message'));
  });

  it('answers 409 for a message pinned already, publishing nothing', async () => {
    const messageId = await addMessage();
    expect((await pin(actors.moderator, messageId)).statusCode).toBe(200);
    const before = events.length;
    const response = await pin(actors.communityOwner, messageId);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(error('conflict', 'message is already pinned'));
    expect(events.length).toBe(before);
  });

  it('rejects ids that are not UUIDs', async () => {
    expect((await pin(actors.moderator, 'nope')).statusCode).toBe(400);
    expect((await pin(actors.moderator, uuidv7(), 'nope')).statusCode).toBe(400);
  });
});

describe('the pin cap', () => {
  async function fillPins(count: number): Promise<string[]> {
    const ids = await Promise.all(Array.from({ length: count }, () => addMessage()));
    await db
      .insertInto('pinned_messages')
      .values(
        ids.map((messageId) => ({
          message_id: messageId,
          channel_id: channelId,
          pinned_by: id('moderator'),
        })),
      )
      .execute();
    return ids;
  }

  it('allows 50 pins per channel by default, then refuses', async () => {
    await clearPins();
    await fillPins(49);
    expect((await pin(actors.moderator, await addMessage())).statusCode).toBe(200);
    const response = await pin(actors.instanceOwner, await addMessage());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(error('validation_error', 'maximum of 50 pins per channel'));
    expect(
      (await pin(actors.moderator, await addMessage({ channel_id: otherChannelId }), otherChannelId))
        .statusCode,
    ).toBe(200);
  });

  it('counts only pins still shown: deleting a pinned message frees its place', async () => {
    await clearPins();
    const [first] = await fillPins(50);
    expect((await pin(actors.moderator, await addMessage())).statusCode).toBe(400);
    await db
      .updateTable('messages')
      .set({ deleted_at: new Date() })
      .where('id', '=', first ?? '')
      .execute();
    expect((await pin(actors.moderator, await addMessage())).statusCode).toBe(200);
  });

  it('follows the instance setting max_pins_per_channel', async () => {
    await clearPins();
    await db
      .updateTable('instance_settings')
      .set({ value: JSON.stringify('2') })
      .where('key', '=', 'max_pins_per_channel')
      .execute();
    try {
      await fillPins(2);
      expect((await pin(actors.moderator, await addMessage())).json()).toEqual(
        error('validation_error', 'maximum of 2 pins per channel'),
      );
    } finally {
      await db
        .updateTable('instance_settings')
        .set({ value: '50' })
        .where('key', '=', 'max_pins_per_channel')
        .execute();
      await clearPins();
    }
  });
});

describe('GET /api/channels/:id/pins', () => {
  it('lists the pinned messages, most recently pinned first, as PinnedMessage', async () => {
    await clearPins();
    const root = await addMessage();
    const reply = await addMessage({
      thread_id: root,
      reply_to_id: root,
      sender_key_id: uuidv7(),
      edited_at: new Date('2026-02-01T10:00:00Z'),
      created_at: new Date('2026-02-01T09:00:00Z'),
    });
    await db
      .insertInto('reactions')
      .values({ message_id: reply, user_id: id('member'), emoji: '👍' })
      .execute();
    expect((await pin(actors.moderator, root)).statusCode).toBe(200);
    expect((await pin(actors.communityOwner, reply)).statusCode).toBe(200);
    const pins = await db.selectFrom('pinned_messages').selectAll().execute();
    const pinnedAt = (messageId: string) =>
      pins.find((row) => row.message_id === messageId)?.pinned_at.toISOString();

    const response = await listPins(actors.member);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      {
        id: reply,
        channel_id: channelId,
        sender_id: id('member'),
        ciphertext: [...Buffer.from('hello')],
        nonce: [1, 2, 3],
        message_type: 'text',
        reply_to_id: root,
        sender_key_id: expect.any(String),
        edited_at: '2026-02-01T10:00:00.000Z',
        created_at: '2026-02-01T09:00:00.000Z',
        pinned_by: id('communityOwner'),
        pinned_at: pinnedAt(reply),
      },
      {
        id: root,
        channel_id: channelId,
        sender_id: id('member'),
        ciphertext: [...Buffer.from('hello')],
        nonce: [1, 2, 3],
        message_type: 'text',
        reply_to_id: null,
        sender_key_id: null,
        edited_at: null,
        created_at: expect.any(String),
        pinned_by: id('moderator'),
        pinned_at: pinnedAt(root),
      },
    ]);
  });

  it('leaves out deleted, quarantined and expired messages', async () => {
    await clearPins();
    const shown = await addMessage();
    const deleted = await addMessage();
    const quarantined = await addMessage();
    const expired = await addMessage();
    for (const messageId of [shown, deleted, quarantined, expired]) {
      expect((await pin(actors.moderator, messageId)).statusCode).toBe(200);
    }
    await db.updateTable('messages').set({ deleted_at: new Date() }).where('id', '=', deleted).execute();
    await db
      .updateTable('messages')
      .set({ quarantined_at: new Date() })
      .where('id', '=', quarantined)
      .execute();
    await db
      .updateTable('messages')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expired)
      .execute();
    expect(await pinnedIds()).toEqual([shown]);
  });

  it('answers an empty list for a channel without pins', async () => {
    expect((await listPins(actors.moderator, otherChannelId)).json()).toEqual([]);
  });

  it('is for channel members only: staff outside the channel and unknown channels get 403', async () => {
    for (const name of ['outsider', 'banned', 'instanceAdmin', 'instanceOwner'] as const) {
      const response = await listPins(actors[name]);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(forbidden);
    }
    expect((await listPins(actors.member, otherChannelId)).statusCode).toBe(403);
    expect((await listPins(actors.member, uuidv7())).statusCode).toBe(403);
    expect((await listPins(actors.member, 'nope')).statusCode).toBe(400);
  });
});

describe('DELETE /api/channels/:id/pins/:msg_id', () => {
  it('lets a moderator unpin, answering an empty 200 and telling the channel', async () => {
    const messageId = await addMessage();
    expect((await pin(actors.communityOwner, messageId)).statusCode).toBe(200);
    const before = events.length;
    const response = await unpin(actors.moderator, messageId);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await pinnedIds()).not.toContain(messageId);
    expect(events.slice(before)).toEqual<DomainEvent[]>([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId },
        frame: { type: 'message_unpinned', message_id: messageId, channel_id: channelId },
      },
    ]);
  });

  it('answers 404 for a message that is not pinned', async () => {
    const messageId = await addMessage();
    expect((await unpin(actors.moderator, messageId)).json()).toEqual(error('not_found', 'pin not found'));
    expect((await unpin(actors.moderator, uuidv7())).statusCode).toBe(404);
  });

  it('only unpins a pin of the channel in the path, unlike the reference', async () => {
    const elsewhere = await addMessage({ channel_id: otherChannelId });
    expect((await pin(actors.moderator, elsewhere, otherChannelId)).statusCode).toBe(200);
    const before = events.length;
    const response = await unpin(actors.moderator, elsewhere);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(error('not_found', 'pin not found'));
    expect(
      await db
        .selectFrom('pinned_messages')
        .select('message_id')
        .where('message_id', '=', elsewhere)
        .execute(),
    ).toHaveLength(1);
    expect(events.length).toBe(before);
  });

  it('unpins a message deleted since it was pinned', async () => {
    const messageId = await addMessage();
    expect((await pin(actors.moderator, messageId)).statusCode).toBe(200);
    await db.updateTable('messages').set({ deleted_at: new Date() }).where('id', '=', messageId).execute();
    expect((await unpin(actors.moderator, messageId)).statusCode).toBe(200);
  });

  it('forbids plain members and outsiders, and keeps the pin', async () => {
    const messageId = await addMessage();
    expect((await pin(actors.moderator, messageId)).statusCode).toBe(200);
    const before = events.length;
    for (const name of ['member', 'communityAdmin', 'outsider'] as const) {
      expect((await unpin(actors[name], messageId)).json()).toEqual(forbidden);
    }
    expect((await unpin(actors.member, uuidv7())).statusCode).toBe(403);
    expect(await pinnedIds()).toContain(messageId);
    expect(events.length).toBe(before);
  });

  it('lets instance staff outside the channel unpin', async () => {
    const messageId = await addMessage();
    expect((await pin(actors.moderator, messageId)).statusCode).toBe(200);
    expect((await unpin(actors.instanceAdmin, messageId)).statusCode).toBe(200);
  });
});
