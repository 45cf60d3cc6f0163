import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { call, goodPassword, registerUser, suspend } from './factories.js';
import { createTestApp, createTestDatabase, ManualClock } from './harness.js';

const clock = new ManualClock();
const { database } = await createTestDatabase();
const { app } = await createTestApp({ database, clock });

function login(username: string, password: string, extra: Record<string, unknown> = {}) {
  return call(app, {
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password, totp_code: null, ...extra },
    headers: {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36',
    },
  });
}

describe('POST /api/auth/login', () => {
  it('signs in and records the login in the audit log with address and user agent', async () => {
    const member = await registerUser(app);
    const response = await login(member.username, goodPassword);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user.id).toBe(member.user.id);
    expect(body.recovery_code).toBeUndefined();
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('user_id', '=', member.user.id)
      .where('action', '=', 'login')
      .executeTakeFirstOrThrow();
    expect(audit.ip_address).toMatch(/^10\./);
    expect(audit.user_agent).toContain('Chrome/130.0');
  });

  it('accepts the username in any case', async () => {
    const member = await registerUser(app);
    expect((await login(member.username.toUpperCase(), goodPassword)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const member = await registerUser(app);
    const wrong = await login(member.username, 'Wrong-Password-1');
    const unknown = await login('nobody_here', goodPassword);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('keeps other devices signed in', async () => {
    const member = await registerUser(app);
    const second = (await login(member.username, goodPassword)).json();
    const first = await call(app, {
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: member.refresh_token },
    });
    expect(first.statusCode).toBe(200);
    const sessions = await call(app, {
      url: '/api/account/sessions',
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(sessions.json()).toHaveLength(2);
    expect(sessions.json()[0].device_name).toBe('Chrome on Linux');
  });

  it('refuses a suspended account', async () => {
    const member = await registerUser(app);
    await suspend(database, member.user.id);
    const response = await login(member.username, goodPassword);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('account is suspended');
  });
});

describe('account lockout', () => {
  it('locks a name for 15 minutes after 10 failures, tells how long, then lets it in again', async () => {
    const member = await registerUser(app);
    for (let i = 0; i < 10; i++)
      expect((await login(member.username, 'Wrong-Password-1')).statusCode).toBe(401);
    const locked = await login(member.username, goodPassword);
    expect(locked.statusCode).toBe(400);
    expect(locked.json().error.message).toBe('account temporarily locked, try again in 900 seconds');
    expect(locked.headers['retry-after']).toBe('900');
    clock.advance(15 * 60_000 + 1000);
    expect((await login(member.username, goodPassword)).statusCode).toBe(200);
  });

  it('forgets failures spread further apart than the window', async () => {
    const member = await registerUser(app);
    for (let i = 0; i < 9; i++) await login(member.username, 'Wrong-Password-1');
    clock.advance(16 * 60_000);
    for (let i = 0; i < 9; i++) await login(member.username, 'Wrong-Password-1');
    expect((await login(member.username, goodPassword)).statusCode).toBe(200);
  });

  it('survives a restart and is shared by every server process on the database', async () => {
    const member = await registerUser(app);
    for (let i = 0; i < 10; i++) await login(member.username, 'Wrong-Password-1');
    const { app: otherProcess } = await createTestApp({ database, clock });
    const response = await otherProcess.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: member.username, password: goodPassword },
      remoteAddress: '10.200.0.1',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^account temporarily locked/);
  });

  it('counts failures for names that do not exist, so lockout reveals nothing', async () => {
    for (let i = 0; i < 10; i++) await login('ghost_account', 'Wrong-Password-1');
    const response = await login('ghost_account', goodPassword);
    expect(response.json().error.message).toMatch(/^account temporarily locked/);
    const rows = await sql<{
      key: string;
    }>`select key from auth_failures where key = 'login:ghost_account'`.execute(database.db);
    expect(rows.rows).toHaveLength(1);
  });
});
