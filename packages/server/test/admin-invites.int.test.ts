import { type RegistrationInvite, registrationInvite } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser } from './factories.js';
import { createTestApp, ManualClock } from './harness.js';

const clock = new ManualClock();
const { app, database } = await createTestApp({ clock });
const owner = await registerUser(app);
const member = await registerUser(app);

function createInvite(payload: unknown, headers = owner.headers) {
  return call(app, { method: 'POST', url: '/api/admin/invites', headers, payload: payload as object });
}

async function listInvites(): Promise<RegistrationInvite[]> {
  const response = await call(app, { url: '/api/admin/invites', headers: owner.headers });
  expect(response.statusCode).toBe(200);
  return registrationInvite.array().parse(response.json());
}

const validation = (message: string) => ({ error: { code: 'validation_error', message } });

describe('POST /api/admin/invites', () => {
  it('creates an unlimited invite with a 12-character alphanumeric code', async () => {
    const response = await createInvite({});
    expect(response.statusCode).toBe(200);
    const invite = registrationInvite.parse(response.json());
    expect(invite).toMatchObject({
      created_by: owner.user.id,
      max_uses: null,
      used_count: 0,
      expires_at: null,
    });
    expect(invite.code).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(Date.parse(invite.created_at)).not.toBeNaN();
  });

  it('limits uses and sets the expiry from the server clock', async () => {
    const response = await createInvite({ max_uses: 3, expires_in_hours: 24 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      max_uses: 3,
      expires_at: new Date(clock.now() + 24 * 3_600_000).toISOString(),
    });
  });

  it('treats null options as absent', async () => {
    const response = await createInvite({ max_uses: null, expires_in_hours: null });
    expect(response.json()).toMatchObject({ max_uses: null, expires_at: null });
  });

  it('accepts expiries of 1 and 8760 hours', async () => {
    expect((await createInvite({ expires_in_hours: 1 })).statusCode).toBe(200);
    expect((await createInvite({ expires_in_hours: 8760 })).statusCode).toBe(200);
  });

  it.each([0, 8761, -1, 1.5, '24'])('refuses expires_in_hours %j', async (hours) => {
    const response = await createInvite({ expires_in_hours: hours });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('names the allowed expiry range', async () => {
    const response = await createInvite({ expires_in_hours: 0 });
    expect(response.json()).toEqual(validation('expires_in_hours: must be between 1 and 8760'));
  });

  it.each([0, -5, 2.5, 2 ** 31])('refuses max_uses %j', async (maxUses) => {
    const response = await createInvite({ max_uses: maxUses });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/admin/invites',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"max_uses": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('records the creation in the audit log', async () => {
    const invite = (await createInvite({ max_uses: 2 })).json<RegistrationInvite>();
    const row = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'registration_invite_created')
      .where('user_id', '=', owner.user.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.metadata).toMatchObject({ invite_id: invite.id, max_uses: 2 });
  });
});

describe('GET /api/admin/invites', () => {
  it('lists invites newest first', async () => {
    const older = (await createInvite({})).json<RegistrationInvite>();
    const newer = (await createInvite({})).json<RegistrationInvite>();
    const ids = (await listInvites()).map((invite) => invite.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(ids[0]).toBe(newer.id);
  });
});

describe('DELETE /api/admin/invites/:id', () => {
  it('deletes an invite with an empty 200 and audits it', async () => {
    const invite = (await createInvite({})).json<RegistrationInvite>();
    const response = await call(app, {
      method: 'DELETE',
      url: `/api/admin/invites/${invite.id}`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect((await listInvites()).map((i) => i.id)).not.toContain(invite.id);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('metadata')
      .where('action', '=', 'registration_invite_deleted')
      .where('user_id', '=', owner.user.id)
      .execute();
    expect(audit.map((row) => row.metadata)).toContainEqual({ invite_id: invite.id });
  });

  it('answers 404 for an unknown invite', async () => {
    const response = await call(app, {
      method: 'DELETE',
      url: `/api/admin/invites/${uuidv7()}`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'invite not found' } });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await call(app, {
      method: 'DELETE',
      url: '/api/admin/invites/not-a-uuid',
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('access', () => {
  const routes = [
    { method: 'GET', url: '/api/admin/invites' },
    { method: 'POST', url: '/api/admin/invites', payload: {} },
    { method: 'DELETE', url: `/api/admin/invites/${uuidv7()}` },
  ] as const;

  it.each(routes)('$method $url is 403 for members', async (route) => {
    const response = await call(app, { ...route, headers: member.headers });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: 'forbidden', message: 'forbidden' } });
  });

  it.each(routes)('$method $url is 401 without a token', async (route) => {
    const response = await call(app, route);
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
  });

  it('follows admin rights as they are now, not as the token remembers them', async () => {
    const admin = await registerUser(app);
    await database.db.updateTable('users').set({ is_admin: true }).where('id', '=', admin.user.id).execute();
    const response = await createInvite({}, admin.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json().created_by).toBe(admin.user.id);
  });
});

describe('list cap', () => {
  it('returns at most 500 invites', async () => {
    await database.db
      .insertInto('registration_invites')
      .values(Array.from({ length: 501 }, (_, i) => ({ id: uuidv7(), code: `bulk${i}` })))
      .execute();
    expect(await listInvites()).toHaveLength(500);
  });
});
