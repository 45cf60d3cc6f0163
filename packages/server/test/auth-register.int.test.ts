import { describe, expect, it } from 'vitest';
import { call, goodPassword, registerUser, registrationBody } from './factories.js';
import { createTestApp } from './harness.js';

const { app, database } = await createTestApp();

describe('POST /api/auth/register', () => {
  it('creates the first account as instance admin and owner, with tokens and a recovery code', async () => {
    const owner = await registerUser(app);
    expect(owner.user).toMatchObject({
      username: owner.username,
      is_admin: true,
      is_owner: true,
      status: 'offline',
    });
    expect(owner.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(owner.recovery_code).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    const me = await call(app, { url: '/api/account/me', headers: owner.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(owner.user);
  });

  it('makes later accounts ordinary members', async () => {
    const member = await registerUser(app);
    expect(member.user).toMatchObject({ is_admin: false, is_owner: false });
  });

  it('stores the identity key, the signed prekey and the one-time prekeys', async () => {
    const member = await registerUser(app);
    const keys = await database.db
      .selectFrom('one_time_prekeys')
      .select('key_id')
      .where('user_id', '=', member.user.id)
      .execute();
    expect(keys).toHaveLength(2);
    const identity = await database.db
      .selectFrom('identity_keys')
      .selectAll()
      .where('user_id', '=', member.user.id)
      .executeTakeFirstOrThrow();
    expect(identity.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('logs in with the new password', async () => {
    const member = await registerUser(app);
    const login = await call(app, {
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: member.username, password: goodPassword, totp_code: null },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.id).toBe(member.user.id);
  });

  it('answers 409 for a taken username, whatever its case', async () => {
    const member = await registerUser(app);
    const again = await call(app, {
      method: 'POST',
      url: '/api/auth/register',
      payload: registrationBody({ username: member.username.toUpperCase() }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'conflict', message: 'username already taken' } });
  });
});
