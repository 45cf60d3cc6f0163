import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { sealSecret } from '../src/platform/auth/totp-crypto.js';
import { call, goodPassword, registerUser, type TestUser } from './factories.js';
import { createTestApp, createTestDatabase, ManualClock } from './harness.js';

const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
const { database } = await createTestDatabase();
const totpKeyHex = 'ab'.repeat(32);
const { app } = await createTestApp({ database, clock, env: { TOTP_ENCRYPTION_KEY: totpKeyHex } });
await registerUser(app);

const post = (user: TestUser, url: string, payload: Record<string, unknown> = {}) =>
  call(app, { method: 'POST', url, headers: user.headers, payload });
const login = (user: TestUser, totpCode: string | null) =>
  call(app, {
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: user.username, password: goodPassword, totp_code: totpCode },
  });
const codeAt = (secret: string, ms: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: ms,
  });

/** Enables 2FA through the API and returns the secret and backup codes. */
async function enable(user: TestUser) {
  const setup = (await post(user, '/api/totp/setup')).json<{ secret: string; otpauth_url: string }>();
  const verified = await post(user, '/api/totp/verify', { code: codeAt(setup.secret, clock.now()) });
  clock.advance(30_000);
  return { ...setup, backupCodes: verified.json<{ backup_codes: string[] }>().backup_codes };
}

describe('TOTP against the RFC 6238 test vectors (SHA-1, truncated to 6 digits)', () => {
  const rfcSecret = Buffer.from('12345678901234567890');
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('at T=%i the code %s signs in', async (seconds, code) => {
    const member = await registerUser(app);
    const key = Buffer.from(totpKeyHex, 'hex');
    await database.db
      .updateTable('users')
      .set({ totp_secret: sealSecret(key, rfcSecret), totp_enabled: true })
      .where('id', '=', member.user.id)
      .execute();
    const vectorClock = new ManualClock(seconds * 1000);
    const { app: atThatTime } = await createTestApp({
      database,
      clock: vectorClock,
      env: { TOTP_ENCRYPTION_KEY: totpKeyHex },
    });
    const response = await atThatTime.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: member.username, password: goodPassword, totp_code: code },
      remoteAddress: '10.250.0.1',
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('two-factor authentication', () => {
  it('is set up with a secret and an otpauth URL, and switched on only by a valid code', async () => {
    const member = await registerUser(app);
    const setup = (await post(member, '/api/totp/setup')).json();
    expect(setup.otpauth_url).toMatch(/^otpauth:\/\/totp\/Chatalot:.+\?.*secret=/);
    expect(setup.otpauth_url).toContain('issuer=Chatalot');
    expect((await login(member, null)).statusCode).toBe(200);
    const wrong = await post(member, '/api/totp/verify', { code: '000000' });
    expect(wrong.json().error.message).toBe('invalid TOTP code');
    const verified = await post(member, '/api/totp/verify', { code: codeAt(setup.secret, clock.now()) });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().enabled).toBe(true);
    expect(verified.json().backup_codes).toHaveLength(8);
    for (const code of verified.json().backup_codes)
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  });

  it('asks for the code with the message the web client looks for', async () => {
    const member = await registerUser(app);
    await enable(member);
    const response = await login(member, null);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('2FA code required');
  });

  it('signs in with a current code, or one from the previous or next step, but never twice with the same code', async () => {
    const member = await registerUser(app);
    const { secret } = await enable(member);
    const code = codeAt(secret, clock.now() - 30_000 + 30_000);
    expect((await login(member, code)).statusCode).toBe(200);
    expect((await login(member, code)).statusCode).toBe(401);
    clock.advance(30_000);
    expect((await login(member, codeAt(secret, clock.now() + 30_000))).statusCode).toBe(200);
    expect((await login(member, codeAt(secret, clock.now() - 120_000))).statusCode).toBe(401);
  });

  it('accepts each backup code once', async () => {
    const member = await registerUser(app);
    const { backupCodes } = await enable(member);
    const [first = ''] = backupCodes;
    expect((await login(member, first)).statusCode).toBe(200);
    expect((await login(member, first)).statusCode).toBe(401);
    expect((await login(member, backupCodes[1]?.toLowerCase() ?? '')).statusCode).toBe(200);
  });

  it('refuses setup while enabled, and disable or new backup codes without a valid TOTP code', async () => {
    const member = await registerUser(app);
    const { secret, backupCodes } = await enable(member);
    expect((await post(member, '/api/totp/setup')).statusCode).toBe(409);
    expect((await post(member, '/api/totp/disable', { code: backupCodes[0] })).statusCode).toBe(400);
    clock.advance(30_000);
    const regenerated = await post(member, '/api/totp/regenerate-backup-codes', {
      code: codeAt(secret, clock.now()),
    });
    expect(regenerated.json().backup_codes).toHaveLength(8);
    expect((await login(member, backupCodes[0] ?? '')).statusCode).toBe(401);
    clock.advance(30_000);
    const disabled = await post(member, '/api/totp/disable', { code: codeAt(secret, clock.now()) });
    expect(disabled.json()).toEqual({ enabled: false });
    expect((await login(member, null)).statusCode).toBe(200);
    expect((await post(member, '/api/totp/disable', { code: '123456' })).json().error.message).toBe(
      '2FA is not enabled',
    );
  });

  it('keeps the secret encrypted at rest', async () => {
    const member = await registerUser(app);
    const { secret } = await enable(member);
    const row = await database.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_backup_codes'])
      .where('id', '=', member.user.id)
      .executeTakeFirstOrThrow();
    const raw = Buffer.from(Secret.fromBase32(secret).bytes);
    expect(row.totp_secret?.includes(raw)).toBe(false);
    expect(row.totp_secret?.length).toBe(12 + raw.length + 16);
    for (const stored of row.totp_backup_codes ?? []) expect(stored).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses verify before setup', async () => {
    const member = await registerUser(app);
    const response = await post(member, '/api/totp/verify', { code: '123456' });
    expect(response.json().error.message).toBe('no TOTP secret configured, call /totp/setup first');
  });
});
