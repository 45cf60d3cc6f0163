import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CLEANUP_LOCK_ID, runCleanup } from '../src/jobs/cleanup.js';
import { uuidv7 } from '../src/platform/ids.js';
import { registerUser } from './factories.js';
import { createTestApp, createTestDatabase, databaseKind, ManualClock } from './harness.js';

const DAY = 24 * 3600_000;
const clock = new ManualClock(Date.now());
const { database } = await createTestDatabase();
const { app } = await createTestApp({ database, clock });
const { db } = database;

describe('the cleanup job', () => {
  it('deletes long-ended sessions, idle lockouts, old audit entries and expired timeouts, and keeps the rest', async () => {
    const member = await registerUser(app);
    const now = clock.now();
    const session = (id: string, revokedAt: Date | null, expiresAt: Date) =>
      db
        .insertInto('sessions')
        .values({ id, user_id: member.user.id, revoked_at: revokedAt, expires_at: expiresAt })
        .execute();
    const oldRevoked = crypto.randomUUID();
    const recentRevoked = crypto.randomUUID();
    await session(oldRevoked, new Date(now - 8 * DAY), new Date(now + DAY));
    await session(recentRevoked, new Date(now - DAY), new Date(now + DAY));
    await db
      .insertInto('auth_failures')
      .values([
        { key: 'login:idle', failures: 3, last_failure_at: new Date(now - 2 * DAY) },
        { key: 'login:fresh', failures: 3, last_failure_at: new Date(now - 60_000) },
      ])
      .execute();
    await db
      .insertInto('audit_log')
      .values({
        id: uuidv7(),
        user_id: member.user.id,
        action: 'login',
        created_at: new Date(now - 91 * DAY),
      })
      .execute();

    const counts = await runCleanup(db, clock);

    expect(counts).toMatchObject({ sessions: 1, authFailures: 1, auditLog: 1 });
    const sessions = (await db.selectFrom('sessions').select('id').execute()).map((row) => row.id);
    expect(sessions).not.toContain(oldRevoked);
    expect(sessions).toContain(recentRevoked);
    const keys = (await db.selectFrom('auth_failures').select('key').execute()).map((row) => row.key);
    expect(keys).toEqual(['login:fresh']);
    const me = await app.inject({
      url: '/api/account/me',
      headers: member.headers,
      remoteAddress: '10.97.0.1',
    });
    expect(me.statusCode).toBe(200);
  });

  it('purges messages deleted 30 days ago and expired ones, keeping the replies, and old channel events', async () => {
    const owner = await registerUser(app);
    const channelId = uuidv7();
    await db.insertInto('channels').values({ id: channelId, name: 'c', channel_type: 'text' }).execute();
    const now = clock.now();
    const message = (values: {
      reply_to_id?: string;
      thread_id?: string;
      deleted_at?: Date;
      expires_at?: Date;
    }) => {
      const id = uuidv7();
      const row = {
        id,
        channel_id: channelId,
        sender_id: owner.user.id,
        ciphertext: Buffer.from('x'),
        nonce: Buffer.from('n'),
      };
      return db
        .insertInto('messages')
        .values({ ...row, ...values })
        .execute()
        .then(() => id);
    };
    const oldDeleted = await message({ deleted_at: new Date(now - 31 * DAY) });
    const reply = await message({ reply_to_id: oldDeleted, thread_id: oldDeleted });
    const recentDeleted = await message({ deleted_at: new Date(now - DAY) });
    const expired = await message({ expires_at: new Date(now - 1000) });
    await db
      .insertInto('channel_events')
      .values([
        { channel_id: channelId, seq: 1, frame: '{}', created_at: new Date(now - 25 * 3600_000) },
        { channel_id: channelId, seq: 2, frame: '{}', created_at: new Date(now - 3600_000) },
      ])
      .execute();

    expect(await runCleanup(db, clock)).toMatchObject({
      deletedMessages: 1,
      expiredMessages: 1,
      channelEvents: 1,
    });
    const left = await db
      .selectFrom('messages')
      .select(['id', 'reply_to_id', 'thread_id'])
      .where('channel_id', '=', channelId)
      .execute();
    expect(left.map((row) => row.id).sort()).toEqual([reply, recentDeleted].sort());
    expect(left.find((row) => row.id === reply)).toMatchObject({ reply_to_id: null, thread_id: null });
    expect(left.map((row) => row.id)).not.toContain(expired);
    const events = await db
      .selectFrom('channel_events')
      .select('seq')
      .where('channel_id', '=', channelId)
      .execute();
    expect(events).toEqual([{ seq: 2 }]);
  });

  it.skipIf(databaseKind === 'embedded')('skips a round while another process is cleaning', async () => {
    const otherProcess = await db.startTransaction().execute();
    await sql`select pg_advisory_xact_lock(${CLEANUP_LOCK_ID})`.execute(otherProcess);
    try {
      expect(await runCleanup(db, clock)).toBeNull();
    } finally {
      await otherProcess.rollback().execute();
    }
    expect(await runCleanup(db, clock)).not.toBeNull();
  });
});
