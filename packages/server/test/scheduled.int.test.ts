import type { DmChannel, ScheduledMessage } from '@chatalot/protocol';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { claimScheduled } from '../src/domains/scheduled/scheduled.repo.js';
import { deliverScheduledMessages } from '../src/jobs/scheduled-delivery.js';
import type { ChannelRole } from '../src/platform/db/schema.js';
import type { FrameEvent } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, suspend, type TestUser } from './factories.js';
import { createTestApp, databaseKind, ManualClock, silentLogger } from './harness.js';
import { buildWorld } from './world.js';

const MINUTE = 60_000;
/** Items are due this soon and the clock moves this far: access tokens outlive the whole file. */
const DUE_IN = 1_000;
const STEP = 2_000;
const DAY = 24 * 3600_000;
const clock = new ManualClock(Date.now());
const { app, database, config, events, hub } = await createTestApp({ clock });
const world = await buildWorld(app, database);
const { db } = database;
const { member, moderator, communityOwner, outsider, timedOut } = world.actors;

const deliver = () => deliverScheduledMessages({ config, database, db, hub, clock }, silentLogger);
const at = (ms: number) => new Date(clock.now() + ms).toISOString();
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

function schedule(user: TestUser, overrides: Record<string, unknown> = {}) {
  const payload = {
    channel_id: world.channelId,
    ciphertext: '[104,105]',
    nonce: '[1,2,3]',
    scheduled_for: at(DUE_IN),
    ...overrides,
  };
  return call(app, { method: 'POST', url: '/api/messages/schedule', headers: user.headers, payload });
}

async function scheduled(user: TestUser, overrides: Record<string, unknown> = {}): Promise<ScheduledMessage> {
  const response = await schedule(user, overrides);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ScheduledMessage>();
}

const list = (user: TestUser) =>
  call(app, { method: 'GET', url: '/api/messages/scheduled', headers: user.headers });
const cancel = (user: TestUser, id: string) =>
  call(app, { method: 'DELETE', url: `/api/messages/scheduled/${id}`, headers: user.headers });

async function newUser(...channelIds: string[]): Promise<TestUser> {
  const user = await registerUser(app);
  for (const channelId of channelIds) await addMember(channelId, user);
  return user;
}

async function addMember(channelId: string, user: TestUser, role: ChannelRole = 'member') {
  await db
    .insertInto('channel_members')
    .values({ channel_id: channelId, user_id: user.user.id, role })
    .execute();
}

/** A text channel of the world's group that the community owner owns, with `members` in it. */
async function freshChannel(...members: TestUser[]): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('channels')
    .values({
      id,
      name: 'c',
      channel_type: 'text',
      created_by: communityOwner.user.id,
      group_id: world.groupId,
    })
    .execute();
  await addMember(id, communityOwner, 'owner');
  for (const user of members) await addMember(id, user);
  return id;
}

const messagesOf = (scheduledId: string) =>
  db.selectFrom('messages').selectAll().where('client_id', '=', `scheduled:${scheduledId}`).execute();
const stillScheduled = async (id: string) =>
  (await db.selectFrom('scheduled_messages').select('id').where('id', '=', id).executeTakeFirst()) !==
  undefined;

/** The `new_message` frames published from `since` on. */
const newMessages = (since: number) =>
  events
    .slice(since)
    .filter((event): event is FrameEvent => event.kind === 'frame' && event.frame.type === 'new_message');

describe('POST /api/messages/schedule', () => {
  it('stores the item as sent and answers a ScheduledMessage', async () => {
    const when = new Date(clock.now() + 3_600_000);
    const body = await scheduled(member, { scheduled_for: when.toISOString(), content_preview: 'preview' });

    expect(body).toEqual({
      id: expect.any(String),
      channel_id: world.channelId,
      scheduled_for: when.toISOString(),
      created_at: new Date(clock.now()).toISOString(),
      content_preview: 'preview',
    });
    const row = await db
      .selectFrom('scheduled_messages')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: member.user.id, ciphertext: '[104,105]', nonce: '[1,2,3]' });
    await cancel(member, body.id);
  });

  it('accepts any RFC 3339 offset and omits an empty preview', async () => {
    const when = new Date(clock.now() + DAY);
    const local = new Date(when.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');

    const item = await scheduled(member, { scheduled_for: local, content_preview: '' });

    expect(item.scheduled_for).toBe(when.toISOString());
    expect(item).not.toHaveProperty('content_preview');
    await cancel(member, item.id);
  });

  it('refuses a non-member with 403 before looking at anything else', async () => {
    const response = await schedule(outsider, { scheduled_for: 'tomorrow', ciphertext: '' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: 'forbidden', message: 'forbidden' } });
  });

  it.each([
    ['an unparsable time', { scheduled_for: 'tomorrow' }, 'invalid scheduled_for datetime'],
    ['a time without an offset', { scheduled_for: '2030-01-01T10:00:00' }, 'invalid scheduled_for datetime'],
    [
      'a day that does not exist',
      { scheduled_for: '2030-02-30T10:00:00Z' },
      'invalid scheduled_for datetime',
    ],
    ['the current instant', { scheduled_for: at(0) }, 'scheduled_for must be in the future'],
    ['a past time', { scheduled_for: at(-MINUTE) }, 'scheduled_for must be in the future'],
    ['a time past 30 days', { scheduled_for: at(30 * DAY + 1) }, 'cannot schedule more than 30 days ahead'],
    ['an empty ciphertext', { ciphertext: '' }, 'ciphertext and nonce are required'],
    ['an empty nonce', { nonce: '' }, 'ciphertext and nonce are required'],
    [
      'a ciphertext over 100 000 bytes',
      { ciphertext: 'é'.repeat(50_001) },
      'ciphertext too large (max 100 KB)',
    ],
    ['a nonce over 256 bytes', { nonce: 'n'.repeat(257) }, 'nonce too large (max 256 bytes)'],
    [
      'a preview over 10 000 bytes',
      { content_preview: 'p'.repeat(10_001) },
      'content_preview too large (max 10000 bytes)',
    ],
  ])('answers 400 for %s', async (_, overrides, message) => {
    const response = await schedule(member, overrides);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation(message));
  });

  it('answers 400 for a malformed body', async () => {
    const missing = await schedule(member, { channel_id: undefined });
    expect(missing.statusCode).toBe(400);
    const notUuid = await schedule(member, { channel_id: 'general' });
    expect(notUuid.statusCode).toBe(400);
    const notText = await schedule(member, { ciphertext: [1, 2] });
    expect(notText.statusCode).toBe(400);
  });

  it('accepts the largest sizes and exactly 30 days ahead', async () => {
    const item = await scheduled(member, {
      scheduled_for: at(30 * DAY),
      ciphertext: 'c'.repeat(100_000),
      nonce: 'n'.repeat(256),
      content_preview: 'p'.repeat(10_000),
    });
    expect(await cancel(member, item.id)).toMatchObject({ statusCode: 200 });
  });

  it('answers 401 without a token', async () => {
    const response = await call(app, { method: 'POST', url: '/api/messages/schedule', payload: {} });
    expect(response.statusCode).toBe(401);
  });

  it('keeps at most 50 pending items per user, even under concurrent requests', async () => {
    const user = await newUser(world.channelId);
    for (let i = 0; i < 45; i++) await scheduled(user, { scheduled_for: at(20 * DAY + i) });
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => schedule(user, { scheduled_for: at(21 * DAY + i) })),
    );
    expect(burst.filter((response) => response.statusCode === 200)).toHaveLength(5);
    const refused = burst.filter((response) => response.statusCode !== 200);
    expect(refused.map((response) => response.json())).toEqual(
      Array(5).fill(validation('cannot have more than 50 scheduled messages')),
    );
    const [first] = (await list(user)).json<ScheduledMessage[]>();
    expect((await cancel(user, first?.id ?? '')).statusCode).toBe(200);
    expect((await schedule(user, { scheduled_for: at(22 * DAY) })).statusCode).toBe(200);
    await db.deleteFrom('scheduled_messages').where('user_id', '=', user.user.id).execute();
  });
});

describe('GET /api/messages/scheduled', () => {
  it("lists only the caller's items, soonest first", async () => {
    const user = await newUser(world.channelId);
    const later = await scheduled(user, { scheduled_for: at(2 * DAY), content_preview: 'later' });
    const sooner = await scheduled(user, { scheduled_for: at(DAY) });
    const foreign = await scheduled(member, { scheduled_for: at(DAY) });

    const response = await list(user);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([sooner, later]);
    await db.deleteFrom('scheduled_messages').where('id', 'in', [later.id, sooner.id, foreign.id]).execute();
  });

  it('returns at most 200 items', async () => {
    const user = await newUser(world.channelId);
    await db
      .insertInto('scheduled_messages')
      .values(
        Array.from({ length: 205 }, (_, i) => ({
          id: uuidv7(),
          channel_id: world.channelId,
          user_id: user.user.id,
          ciphertext: '[1]',
          nonce: '[1]',
          scheduled_for: new Date(clock.now() + DAY + i),
        })),
      )
      .execute();

    expect((await list(user)).json()).toHaveLength(200);
    await db.deleteFrom('scheduled_messages').where('user_id', '=', user.user.id).execute();
  });
});

describe('DELETE /api/messages/scheduled/{id}', () => {
  it('cancels an item of the caller with an empty 200', async () => {
    const item = await scheduled(member, { scheduled_for: at(DAY) });

    const response = await cancel(member, item.id);

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await stillScheduled(item.id)).toBe(false);
  });

  it("answers 404 for someone else's item and leaves it alone", async () => {
    const item = await scheduled(member, { scheduled_for: at(DAY) });

    const response = await cancel(moderator, item.id);

    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'scheduled message not found' } });
    expect(await stillScheduled(item.id)).toBe(true);
    await cancel(member, item.id);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await cancel(member, uuidv7())).statusCode).toBe(404);
    expect((await cancel(member, 'not-a-uuid')).statusCode).toBe(400);
  });
});

describe('delivery', () => {
  it('sends a due item as its author to the channel and removes it; later items wait', async () => {
    const since = events.length;
    const due = await scheduled(member);
    const later = await scheduled(member, { scheduled_for: at(DAY) });
    clock.advance(STEP);

    const reports = await deliver();

    expect(reports).toEqual([{ id: due.id, outcome: 'delivered' }]);
    const [message, ...others] = await messagesOf(due.id);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      channel_id: world.channelId,
      sender_id: member.user.id,
      message_type: 'text',
      created_at: new Date(clock.now()),
    });
    expect([...(message?.ciphertext ?? [])]).toEqual([104, 105]);
    expect([...(message?.nonce ?? [])]).toEqual([1, 2, 3]);
    expect(events.slice(since)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'channel', channelId: world.channelId },
        frame: {
          type: 'new_message',
          id: message?.id,
          channel_id: world.channelId,
          sender_id: member.user.id,
          ciphertext: [104, 105],
          nonce: [1, 2, 3],
          message_type: 'text',
          reply_to: null,
          sender_key_id: null,
          created_at: new Date(clock.now()).toISOString(),
        },
      },
    ]);
    expect(await stillScheduled(due.id)).toBe(false);
    expect(await stillScheduled(later.id)).toBe(true);
    await cancel(member, later.id);
  });

  it('takes a ciphertext that is not a JSON byte array as its UTF-8 bytes and applies the channel TTL', async () => {
    const channelId = await freshChannel(member);
    await db.updateTable('channels').set({ message_ttl_seconds: 3600 }).where('id', '=', channelId).execute();
    const item = await scheduled(member, { channel_id: channelId, ciphertext: 'héllo', nonce: '[256]' });
    clock.advance(STEP);

    await deliver();

    const [message] = await messagesOf(item.id);
    expect(Buffer.from(message?.ciphertext ?? [])).toEqual(Buffer.from('héllo'));
    expect(Buffer.from(message?.nonce ?? [])).toEqual(Buffer.from('[256]'));
    expect(message?.expires_at).toEqual(new Date(clock.now() + 3_600_000));
  });

  it('ignores slow mode: the author waited already', async () => {
    const channelId = await freshChannel(member);
    await db.updateTable('channels').set({ slow_mode_seconds: 3600 }).where('id', '=', channelId).execute();
    await db
      .insertInto('channel_slowmode')
      .values({ channel_id: channelId, user_id: member.user.id, last_sent: new Date(clock.now()) })
      .execute();
    const item = await scheduled(member, { channel_id: channelId });
    clock.advance(STEP);

    expect(await deliver()).toEqual([{ id: item.id, outcome: 'delivered' }]);
  });

  it('sends a DM item to the other member directly', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/dms',
      headers: member.headers,
      payload: { target_user_id: moderator.user.id },
    });
    const dm = response.json<DmChannel>().channel.id;
    const since = events.length;
    await scheduled(member, { channel_id: dm });
    clock.advance(STEP);

    await deliver();

    const [frame] = newMessages(since);
    expect(frame?.audience).toEqual({ kind: 'channel', channelId: dm, alsoUsers: [moderator.user.id] });
  });

  describe('drops an item silently, whoever the author is, when', () => {
    async function expectDropped(user: TestUser, channelId: string, change: () => Promise<unknown>) {
      const since = events.length;
      const item = await scheduled(user, { channel_id: channelId });
      await change();
      clock.advance(STEP);

      const reports = await deliver();

      expect(reports).toEqual([{ id: item.id, outcome: 'dropped', reason: expect.any(String) }]);
      expect(await messagesOf(item.id)).toEqual([]);
      expect(await stillScheduled(item.id)).toBe(false);
      expect(newMessages(since)).toEqual([]);
    }
    const setChannel = (id: string, changes: { archived?: boolean; read_only?: boolean }) =>
      db.updateTable('channels').set(changes).where('id', '=', id).execute();

    it('the author is suspended', async () => {
      const user = await newUser(world.channelId);
      await expectDropped(user, world.channelId, () => suspend(database, user.user.id));
    });

    it('the author left the channel', async () => {
      const channelId = await freshChannel(member);
      await expectDropped(member, channelId, () =>
        db
          .deleteFrom('channel_members')
          .where('channel_id', '=', channelId)
          .where('user_id', '=', member.user.id)
          .execute(),
      );
    });

    it('the channel is archived', async () => {
      const channelId = await freshChannel();
      await expectDropped(communityOwner, channelId, () => setChannel(channelId, { archived: true }));
    });

    it('the channel is read-only, even for its owner', async () => {
      const channelId = await freshChannel();
      await expectDropped(communityOwner, channelId, () => setChannel(channelId, { read_only: true }));
    });

    it('the author is timed out in the channel', async () => {
      await expectDropped(timedOut, world.channelId, async () => {});
    });

    it('the DM peer blocked the author', async () => {
      const peer = await registerUser(app);
      await db
        .insertInto('community_members')
        .values({ community_id: world.communityId, user_id: peer.user.id, role: 'member' })
        .execute();
      const response = await call(app, {
        method: 'POST',
        url: '/api/dms',
        headers: member.headers,
        payload: { target_user_id: peer.user.id },
      });
      const dm = response.json<DmChannel>().channel.id;
      await expectDropped(member, dm, () =>
        db
          .insertInto('user_blocks')
          .values({ blocker_id: peer.user.id, blocked_id: member.user.id })
          .execute(),
      );
    });
  });
});

describe('delivery happens exactly once', () => {
  it('when two runs race on the same database', async () => {
    const since = events.length;
    const items = await Promise.all(
      Array.from({ length: 8 }, (_, i) => scheduled(member, { scheduled_for: at(DUE_IN + i) })),
    );
    clock.advance(STEP);

    await Promise.all([deliver(), deliver()]);

    for (const item of items) {
      expect(await messagesOf(item.id)).toHaveLength(1);
      expect(await stillScheduled(item.id)).toBe(false);
    }
    expect(newMessages(since)).toHaveLength(items.length);
  });

  it('when a run died between sending the message and removing the item', async () => {
    const item = await scheduled(member);
    clock.advance(STEP);
    const earlier = uuidv7();
    await db
      .insertInto('messages')
      .values({
        id: earlier,
        channel_id: world.channelId,
        sender_id: member.user.id,
        client_id: `scheduled:${item.id}`,
        ciphertext: Buffer.from([104, 105]),
        nonce: Buffer.from([1, 2, 3]),
      })
      .execute();
    const since = events.length;

    expect(await deliver()).toEqual([{ id: item.id, outcome: 'delivered' }]);

    expect((await messagesOf(item.id)).map((message) => message.id)).toEqual([earlier]);
    expect(await stillScheduled(item.id)).toBe(false);
    expect(newMessages(since)).toEqual([]);
  });

  it.skipIf(databaseKind === 'embedded')('when another process holds the item', async () => {
    const item = await scheduled(member);
    clock.advance(STEP);

    await db.transaction().execute(async (trx) => {
      expect(await claimScheduled(trx, item.id)).toMatchObject({ id: item.id });
      expect(await deliver()).toEqual([]);
    });

    expect(await deliver()).toEqual([{ id: item.id, outcome: 'delivered' }]);
    expect(await messagesOf(item.id)).toHaveLength(1);
  });
});

/** Last: moving the clock past the retry window outlives the access tokens. */
describe('delivery after an unexpected failure', () => {
  it('keeps an item whose send fails unexpectedly, and drops it once 5 minutes overdue', async () => {
    const channelId = await freshChannel(member);
    await sql`create function fail_insert() returns trigger language plpgsql as $$
      begin raise exception 'disk full'; end $$`.execute(db);
    await sql`create trigger fail_insert before insert on messages for each row
      when (new.channel_id = ${sql.lit(channelId)}::uuid) execute function fail_insert()`.execute(db);
    const item = await scheduled(member, { channel_id: channelId });
    clock.advance(STEP);

    expect(await deliver()).toEqual([{ id: item.id, outcome: 'retry', error: expect.any(Error) }]);
    expect(await stillScheduled(item.id)).toBe(true);
    clock.advance(5 * MINUTE);
    expect(await deliver()).toEqual([{ id: item.id, outcome: 'dropped', reason: expect.any(String) }]);
    expect(await stillScheduled(item.id)).toBe(false);
    await sql`drop function fail_insert() cascade`.execute(db);
  });
});
