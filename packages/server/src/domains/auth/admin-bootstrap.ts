import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';

/**
 * `ADMIN_USERNAME`: while the instance has no admin, makes that existing account an admin (not owner).
 * Returns whether it did; a name that does not exist yet is left for a later start.
 */
export async function promoteConfiguredAdmin(db: Kysely<Schema>, username: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ is_admin: true, updated_at: sql`now()` })
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .where((eb) => eb.not(eb.exists(eb.selectFrom('users').select('id').where('is_admin', '=', true))))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
