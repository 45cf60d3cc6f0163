import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { bearer, call, goodPassword, registerUser, suspend } from './factories.js';
import { createTestApp, createTestDatabase, ManualClock } from './harness.js';

const clock = new ManualClock(Date.now());
const { database } = await createTestDatabase();
const { app } = await createTestApp({ database, clock });
/** The first account becomes the owner; the tests below are about ordinary members. */
await registerUser(app);

const me = (token: string) => call(app, { url: '/api/account/me', headers: bearer(token) });
const refresh = (token: string) =>
  call(app, { method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } });

describe('access tokens', () => {
  it('carry the reference claims plus issuer, key id and session', async () => {
    const member = await registerUser(app);
    const claims = decodeJwt(member.access_token);
    expect(claims).toMatchObject({
      sub: member.user.id,
      username: member.username,
      is_admin: false,
      is_owner: false,
    });
    expect(claims.aud).toBe('chatalot');
    expect(claims.iss).toBe('chatalot');
    expect(typeof claims.sid).toBe('string');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
    expect(decodeProtectedHeader(member.access_token)).toMatchObject({
      alg: 'EdDSA',
      kid: expect.any(String),
    });
  });

  it('expire after 15 minutes (with a minute of leeway) and then answer 401, never 403', async () => {
    const member = await registerUser(app);
    expect((await me(member.access_token)).statusCode).toBe(200);
    clock.advance(15 * 60_000 + 30_000);
    expect((await me(member.access_token)).statusCode).toBe(200);
    clock.advance(60_000);
    const expired = await me(member.access_token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual({ error: { code: 'unauthorized', message: 'unauthorized' } });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['garbage', 'Bearer not-a-jwt'],
    ['lower-case scheme', 'bearer x'],
  ])('are required: %s → 401', async (_name, authorization) => {
    const response = await call(app, {
      url: '/api/account/me',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
  });

  it('signed by another key are refused', async () => {
    const member = await registerUser(app);
    const { privateKey } = generateKeyPairSync('ed25519');
    const claims = decodeJwt(member.access_token);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(member.access_token).kid ?? '' })
      .sign(privateKey);
    expect((await me(forged)).statusCode).toBe(401);
  });

  it('stop working the moment their user is suspended', async () => {
    const member = await registerUser(app);
    await suspend(database, member.user.id);
    expect((await me(member.access_token)).statusCode).toBe(401);
    expect((await refresh(member.refresh_token)).statusCode).toBe(401);
  });

  it('reflect admin rights as they are now, not as they were when issued', async () => {
    const member = await registerUser(app);
    await database.db.updateTable('users').set({ is_admin: true }).where('id', '=', member.user.id).execute();
    expect((await me(member.access_token)).json().is_admin).toBe(true);
    const rotated = (await refresh(member.refresh_token)).json();
    expect(decodeJwt(rotated.access_token).is_admin).toBe(true);
  });
});

describe('refresh tokens', () => {
  it('rotate: each refresh returns a new pair and the old refresh token is spent', async () => {
    const member = await registerUser(app);
    const response = await refresh(member.refresh_token);
    expect(response.statusCode).toBe(200);
    const pair = response.json();
    expect(Object.keys(pair).sort()).toEqual(['access_token', 'refresh_token']);
    expect(pair.refresh_token).not.toBe(member.refresh_token);
    expect((await me(pair.access_token)).statusCode).toBe(200);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(200);
  });

  it('presented twice revoke the whole session: the thief and the owner are both signed out', async () => {
    const member = await registerUser(app);
    const rotated = (await refresh(member.refresh_token)).json();
    const replay = await refresh(member.refresh_token);
    expect(replay.statusCode).toBe(401);
    expect((await refresh(rotated.refresh_token)).statusCode).toBe(401);
    expect((await me(rotated.access_token)).statusCode).toBe(401);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('user_id', '=', member.user.id)
      .where('action', '=', 'refresh_token_reused')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('do not touch the user’s other sessions when one is revoked for reuse', async () => {
    const member = await registerUser(app);
    const other = (
      await call(app, {
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: member.username, password: goodPassword },
      })
    ).json();
    await refresh(member.refresh_token);
    await refresh(member.refresh_token);
    expect((await refresh(other.refresh_token)).statusCode).toBe(200);
  });

  it.each(['', 'xyz', 'ab'.repeat(32), 'A'.repeat(300)])(
    'that are unknown or malformed answer 401 or 400 (%#)',
    async (token) => {
      const response = await refresh(token);
      expect([400, 401]).toContain(response.statusCode);
      expect(response.json().error.code).toMatch(/^(unauthorized|validation_error)$/);
    },
  );

  it('expire after 30 days', async () => {
    const member = await registerUser(app);
    clock.advance(30 * 24 * 3600 * 1000 + 1000);
    expect((await refresh(member.refresh_token)).statusCode).toBe(401);
  });
});
