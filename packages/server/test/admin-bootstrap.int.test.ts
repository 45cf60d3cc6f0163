import { describe, expect, it } from 'vitest';
import { call, registerUser } from './factories.js';
import { createTestApp, createTestDatabase } from './harness.js';

const { database } = await createTestDatabase();

const isAdmin = async (id: string) =>
  (await database.db.selectFrom('users').select('is_admin').where('id', '=', id).executeTakeFirstOrThrow())
    .is_admin;

describe('ADMIN_USERNAME', () => {
  it('makes that account an admin at start while the instance has none, and does nothing once one exists', async () => {
    const { app } = await createTestApp({ database });
    const owner = await registerUser(app);
    const chosen = await registerUser(app);
    await database.db.updateTable('users').set({ is_admin: false }).where('id', '=', owner.user.id).execute();

    await createTestApp({ database, env: { ADMIN_USERNAME: chosen.username.toUpperCase() } });
    expect(await isAdmin(chosen.user.id)).toBe(true);
    const me = await call(app, { url: '/api/account/me', headers: chosen.headers });
    expect(me.json()).toMatchObject({ is_admin: true, is_owner: false });

    const other = await registerUser(app);
    await createTestApp({ database, env: { ADMIN_USERNAME: other.username } });
    expect(await isAdmin(other.user.id)).toBe(false);
  });

  it('ignores a name that does not exist', async () => {
    await expect(
      createTestApp({ database, env: { ADMIN_USERNAME: 'not_registered_yet' } }),
    ).resolves.toBeDefined();
  });
});
