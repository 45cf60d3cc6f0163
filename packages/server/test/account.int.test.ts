import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { bearer, call, goodPassword, registerUser, type TestUser } from './factories.js';
import { createTestApp, createTestDatabase } from './harness.js';

const { database } = await createTestDatabase();
const { app } = await createTestApp({ database });
await registerUser(app);

const login = (username: string, password: string) =>
  call(app, { method: 'POST', url: '/api/auth/login', payload: { username, password } });
const refresh = (token: string) =>
  call(app, { method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } });
const me = (token: string) => call(app, { url: '/api/account/me', headers: bearer(token) });

async function secondDevice(user: TestUser) {
  return (await login(user.username, user.password)).json<{ access_token: string; refresh_token: string }>();
}

async function latest(user: TestUser) {
  const device = await secondDevice(user);
  return { headers: bearer(device.access_token) };
}

describe('PUT /api/account/password', () => {
  const change = (user: TestUser, current: string, next: string) =>
    call(app, {
      method: 'PUT',
      url: '/api/account/password',
      headers: user.headers,
      payload: { current_password: current, new_password: next },
    });

  it('changes the password and signs out every other device, not this one', async () => {
    const member = await registerUser(app);
    const other = await secondDevice(member);
    const response = await change(member, goodPassword, 'Brand-New-Pass-7');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect((await me(member.access_token)).statusCode).toBe(200);
    expect((await me(other.access_token)).statusCode).toBe(401);
    expect((await refresh(other.refresh_token)).statusCode).toBe(401);
    expect((await login(member.username, goodPassword)).statusCode).toBe(401);
    expect((await login(member.username, 'Brand-New-Pass-7')).statusCode).toBe(200);
  });

  it('refuses a wrong current password', async () => {
    const member = await registerUser(app);
    const response = await change(member, 'Not-The-Password-1', 'Brand-New-Pass-7');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('current password is incorrect');
  });

  it.each([
    ['short', 'Ab1!'],
    ['no upper case', 'lowercase-only-1'],
    ['no digit', 'No-Digits-Here'],
    ['no symbol', 'NoSymbols123'],
    ['over 128 bytes', `Aa1!${'é'.repeat(63)}`],
  ])('applies the password rules (%s)', async (_name, next) => {
    const member = await registerUser(app);
    const response = await change(member, goodPassword, next);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });
});

describe('sessions', () => {
  it('lists the signed-in devices, newest first', async () => {
    const member = await registerUser(app);
    await secondDevice(member);
    const response = await call(app, { url: '/api/account/sessions', headers: member.headers });
    const sessions = response.json();
    expect(sessions).toHaveLength(2);
    expect(Object.keys(sessions[0]).sort()).toEqual([
      'created_at',
      'device_name',
      'expires_at',
      'id',
      'ip_address',
    ]);
    expect(Date.parse(sessions[0].created_at)).toBeGreaterThanOrEqual(Date.parse(sessions[1].created_at));
  });

  it('revokes one device, whose tokens stop working at once', async () => {
    const member = await registerUser(app);
    const other = await secondDevice(member);
    const sessions = (await call(app, { url: '/api/account/sessions', headers: member.headers })).json();
    const otherId = sessions[0].id;
    const revoke = await call(app, {
      method: 'DELETE',
      url: `/api/account/sessions/${otherId}`,
      headers: member.headers,
    });
    expect(revoke.statusCode).toBe(200);
    expect((await me(other.access_token)).statusCode).toBe(401);
    expect((await refresh(other.refresh_token)).statusCode).toBe(401);
    expect((await me(member.access_token)).statusCode).toBe(200);
  });

  it("does not let one user revoke another user's session", async () => {
    const alice = await registerUser(app);
    const bob = await registerUser(app);
    const bobsSession = (await call(app, { url: '/api/account/sessions', headers: bob.headers })).json()[0]
      .id;
    const response = await call(app, {
      method: 'DELETE',
      url: `/api/account/sessions/${bobsSession}`,
      headers: alice.headers,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.message).toBe('session not found');
    expect((await me(bob.access_token)).statusCode).toBe(200);
  });

  it('answers 400 for a session id that is not a UUID', async () => {
    const member = await registerUser(app);
    const response = await call(app, {
      method: 'DELETE',
      url: '/api/account/sessions/42',
      headers: member.headers,
    });
    expect(response.statusCode).toBe(400);
  });

  it('keeps at most 20 devices signed in, ending the oldest', async () => {
    const member = await registerUser(app);
    for (let i = 0; i < 20; i++) await secondDevice(member);
    const sessions = (
      await call(app, { url: '/api/account/sessions', headers: (await latest(member)).headers })
    ).json();
    expect(sessions).toHaveLength(20);
    expect((await me(member.access_token)).statusCode).toBe(401);
  });

  it('logs out everywhere, this device included', async () => {
    const member = await registerUser(app);
    const other = await secondDevice(member);
    const response = await call(app, {
      method: 'POST',
      url: '/api/account/logout-all',
      headers: member.headers,
      payload: {},
    });
    expect(response.json()).toEqual({ revoked_count: 2 });
    expect((await me(member.access_token)).statusCode).toBe(401);
    expect((await refresh(other.refresh_token)).statusCode).toBe(401);
  });
});

describe('DELETE /api/account', () => {
  it('needs the password', async () => {
    const member = await registerUser(app);
    const response = await call(app, {
      method: 'DELETE',
      url: '/api/account',
      headers: member.headers,
      payload: { password: 'Not-The-Password-1' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('password is incorrect');
  });

  it('deletes the account cleanly and keeps the audit trail with a null actor', async () => {
    const member = await registerUser(app);
    const blocker = await registerUser(app);
    await database.db
      .insertInto('user_blocks')
      .values({ blocker_id: blocker.user.id, blocked_id: member.user.id })
      .execute();
    const response = await call(app, {
      method: 'DELETE',
      url: '/api/account',
      headers: member.headers,
      payload: { password: goodPassword },
    });
    expect(response.statusCode).toBe(200);
    expect((await me(member.access_token)).statusCode).toBe(401);
    expect((await login(member.username, goodPassword)).statusCode).toBe(401);
    const blocks = await database.db
      .selectFrom('user_blocks')
      .selectAll()
      .where('blocked_id', '=', member.user.id)
      .execute();
    expect(blocks).toEqual([]);
    const deletion = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'account_deleted')
      .executeTakeFirstOrThrow();
    expect(deletion.user_id).toBeNull();
    expect(deletion.metadata).toMatchObject({ user_id: member.user.id });
    expect((await me(blocker.access_token)).statusCode).toBe(200);
  });

  it('is refused while the member owns a community or a group, and works once they are handed over', async () => {
    const owner = await registerUser(app);
    const heir = await registerUser(app);
    const communityId = uuidv7();
    const groupId = uuidv7();
    await database.db
      .insertInto('communities')
      .values({ id: communityId, name: 'Mine', owner_id: owner.user.id })
      .execute();
    await database.db
      .insertInto('groups')
      .values({ id: groupId, name: 'Group', owner_id: owner.user.id, community_id: communityId })
      .execute();
    const remove = () =>
      call(app, {
        method: 'DELETE',
        url: '/api/account',
        headers: owner.headers,
        payload: { password: goodPassword },
      });
    expect((await remove()).json().error.message).toMatch(
      /^you must transfer or delete all communities you own/,
    );
    await database.db
      .updateTable('communities')
      .set({ owner_id: heir.user.id })
      .where('id', '=', communityId)
      .execute();
    expect((await remove()).json().error.message).toMatch(/^you must transfer or delete all groups you own/);
    await database.db
      .updateTable('groups')
      .set({ owner_id: heir.user.id })
      .where('id', '=', groupId)
      .execute();
    expect((await remove()).statusCode).toBe(200);
  });

  it('frees the username for someone else', async () => {
    const member = await registerUser(app);
    await call(app, {
      method: 'DELETE',
      url: '/api/account',
      headers: member.headers,
      payload: { password: goodPassword },
    });
    const again = await registerUser(app, { username: member.username });
    expect(again.user.id).not.toBe(member.user.id);
  });
});

describe('account recovery', () => {
  const recover = (username: string, recoveryCode: string, newPassword = 'Recovered-Pass-3') =>
    call(app, {
      method: 'POST',
      url: '/api/auth/recover',
      payload: { username, recovery_code: recoveryCode, new_password: newPassword },
    });

  it('resets the password with the recovery code, signs every device out and issues a new code', async () => {
    const member = await registerUser(app);
    const response = await recover(member.username, member.recovery_code ?? '');
    expect(response.statusCode).toBe(200);
    const { recovery_code: newCode } = response.json();
    expect(newCode).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect((await refresh(member.refresh_token)).statusCode).toBe(401);
    expect((await login(member.username, 'Recovered-Pass-3')).statusCode).toBe(200);
    expect((await recover(member.username, member.recovery_code ?? '')).statusCode).toBe(400);
    expect((await recover(member.username, newCode, 'Recovered-Again-4')).statusCode).toBe(200);
  });

  it('refuses a wrong code, a wrong name and malformed input alike', async () => {
    const member = await registerUser(app);
    const wrong = await recover(member.username, 'AAAA-BBBB-CCCC-DDDD');
    const unknown = await recover('nobody_at_all', member.recovery_code ?? '');
    expect(wrong.json()).toEqual({
      error: { code: 'validation_error', message: 'invalid username or recovery code' },
    });
    expect(unknown.json()).toEqual(wrong.json());
    expect((await recover(member.username, 'short')).json().error.message).toBe('invalid request');
  });

  it('locks recovery after 10 wrong codes', async () => {
    const member = await registerUser(app);
    for (let i = 0; i < 10; i++) await recover(member.username, 'AAAA-BBBB-CCCC-DDDD');
    const locked = await recover(member.username, member.recovery_code ?? '');
    expect(locked.statusCode).toBe(400);
    expect(locked.json().error.message).toMatch(/^too many attempts — try again in \d+ seconds$/);
  });

  it('regenerates the recovery code on request, invalidating the old one', async () => {
    const member = await registerUser(app);
    const response = await call(app, {
      method: 'POST',
      url: '/api/account/regenerate-recovery-code',
      headers: member.headers,
      payload: {},
    });
    const { recovery_code: fresh } = response.json();
    expect(fresh).not.toBe(member.recovery_code);
    expect((await recover(member.username, member.recovery_code ?? '')).statusCode).toBe(400);
    expect((await recover(member.username, fresh)).statusCode).toBe(200);
  });
});
