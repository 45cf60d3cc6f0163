import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AuthResponse, RegisterRequest, RegistrationInvite, UserPublic } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearer, call, registrationBody } from './factories.js';
import { createTestApp, ManualClock, type TestApp } from './harness.js';

const HOUR_MS = 3_600_000;
const setupNotDone = 'this instance is not set up yet: register with the owner setup code';
const codeRequired = 'an invite code is required to register';
const codeRefused = 'invalid, expired, or fully used invite code';

interface Owner {
  user: UserPublic;
  headers: { authorization: string };
}

function register(app: FastifyInstance, overrides: Partial<RegisterRequest> = {}) {
  return call(app, { method: 'POST', url: '/api/auth/register', payload: registrationBody(overrides) });
}

function setupCodeFile({ config }: TestApp): string {
  return path.join(config.dataDir, 'secrets', 'owner-setup-code');
}

function setupCode(testApp: TestApp): string {
  return readFileSync(setupCodeFile(testApp), 'utf8').trim();
}

/** Registers the owner with the setup code the server wrote at start-up. */
async function bootstrapOwner(testApp: TestApp): Promise<Owner> {
  const response = await register(testApp.app, { invite_code: setupCode(testApp) });
  expect(response.statusCode).toBe(200);
  const { user, access_token } = response.json<AuthResponse>();
  return { user, headers: bearer(access_token) };
}

function expectRefused(response: { statusCode: number; json(): unknown }, message: string) {
  expect(response.statusCode).toBe(400);
  expect(response.json()).toEqual({ error: { code: 'validation_error', message } });
}

describe('open registration', async () => {
  const { app } = await createTestApp({ env: { REGISTRATION_MODE: 'open' } });

  it('makes the first registrant owner and admin, ignoring any invite code', async () => {
    const response = await register(app, { invite_code: 'no-such-code' });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ is_owner: true, is_admin: true });
  });

  it('admits later registrants as members, ignoring any invite code', async () => {
    const response = await register(app, { invite_code: 'no-such-code' });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ is_owner: false, is_admin: false });
  });
});

describe('simultaneous first registrations in open mode', async () => {
  const { app, database } = await createTestApp({ env: { REGISTRATION_MODE: 'open' } });

  it('make exactly one of them the owner', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => register(app)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const owners = responses.filter((r) => r.json().user.is_owner);
    expect(owners).toHaveLength(1);
    const stored = await database.db.selectFrom('users').select('id').where('is_owner', '=', true).execute();
    expect(stored).toEqual([{ id: owners[0]?.json().user.id }]);
  });
});

describe('invite-only registration', async () => {
  const clock = new ManualClock();
  const testApp = await createTestApp({ clock, env: { REGISTRATION_MODE: 'invite_only' } });
  const { app } = testApp;
  let owner: Owner;

  async function createInvite(payload: { max_uses?: number; expires_in_hours?: number } = {}) {
    const response = await call(app, {
      method: 'POST',
      url: '/api/admin/invites',
      headers: owner.headers,
      payload,
    });
    expect(response.statusCode).toBe(200);
    return response.json<RegistrationInvite>();
  }

  async function usedCount(id: string): Promise<number | undefined> {
    const response = await call(app, { url: '/api/admin/invites', headers: owner.headers });
    return response.json<RegistrationInvite[]>().find((invite) => invite.id === id)?.used_count;
  }

  it('writes an owner setup code only its owner can read', () => {
    const file = setupCodeFile(testApp);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses the first registration without the setup code or with a wrong one', async () => {
    expectRefused(await register(app), setupNotDone);
    expectRefused(await register(app, { invite_code: 'AAAA-BBBB-CCCC-DDDD' }), setupNotDone);
  });

  it('makes the holder of the setup code the owner, then forgets the code', async () => {
    const code = setupCode(testApp);
    owner = await bootstrapOwner(testApp);
    expect(owner.user).toMatchObject({ is_owner: true, is_admin: true });
    expect(existsSync(setupCodeFile(testApp))).toBe(false);
    expectRefused(await register(app, { invite_code: code }), codeRefused);
  });

  it('then requires an invite code', async () => {
    expectRefused(await register(app), codeRequired);
    expectRefused(await register(app, { invite_code: '' }), codeRequired);
    expectRefused(await register(app, { invite_code: '   ' }), codeRequired);
  });

  it('refuses an unknown code', async () => {
    expectRefused(await register(app, { invite_code: 'nosuchcode12' }), codeRefused);
  });

  it('admits a member with a valid code and counts the use', async () => {
    const invite = await createInvite();
    const response = await register(app, { invite_code: invite.code });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ is_owner: false, is_admin: false });
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('refuses a fully used code', async () => {
    const invite = await createInvite({ max_uses: 1 });
    expect((await register(app, { invite_code: invite.code })).statusCode).toBe(200);
    expectRefused(await register(app, { invite_code: invite.code }), codeRefused);
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('lets exactly one of two simultaneous registrations use a single-use code', async () => {
    const invite = await createInvite({ max_uses: 1 });
    const responses = await Promise.all([
      register(app, { invite_code: invite.code }),
      register(app, { invite_code: invite.code }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400]);
    expect(responses.find((r) => r.statusCode === 400)?.json().error.message).toBe(codeRefused);
    expect(await usedCount(invite.id)).toBe(1);
  });

  it('does not spend the code on a registration that fails validation', async () => {
    const invite = await createInvite({ max_uses: 1 });
    expect((await register(app, { invite_code: invite.code, password: 'weak' })).statusCode).toBe(400);
    const taken = await register(app, { invite_code: invite.code, username: owner.user.username });
    expect(taken.statusCode).toBe(409);
    expect(await usedCount(invite.id)).toBe(0);
    expect((await register(app, { invite_code: invite.code })).statusCode).toBe(200);
  });

  // Last: moving the clock an hour on also expires the owner's access token.
  it('honours a code until it expires', async () => {
    const invite = await createInvite({ expires_in_hours: 1 });
    clock.advance(HOUR_MS - 1);
    expect((await register(app, { invite_code: invite.code })).statusCode).toBe(200);
    clock.advance(1);
    expectRefused(await register(app, { invite_code: invite.code }), codeRefused);
  });
});

describe('closed registration', async () => {
  const testApp = await createTestApp({ env: { REGISTRATION_MODE: 'closed' } });

  it('still lets the holder of the setup code create the owner', async () => {
    expectRefused(await register(testApp.app), setupNotDone);
    const owner = await bootstrapOwner(testApp);
    expect(owner.user).toMatchObject({ is_owner: true, is_admin: true });
  });

  it('refuses everyone once the owner exists', async () => {
    expectRefused(await register(testApp.app), 'registration is currently disabled');
  });

  it('does not reveal which names are taken', async () => {
    const owner = await testApp.database.db.selectFrom('users').select('username').executeTakeFirstOrThrow();
    expectRefused(
      await register(testApp.app, { username: owner.username }),
      'registration is currently disabled',
    );
  });
});
