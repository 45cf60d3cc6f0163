import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';

/** Shallow merge in one statement, so that saves from two devices cannot drop each other's keys. */
export async function mergePreferences(
  db: Kysely<Schema>,
  id: string,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const row = await db
    .updateTable('users')
    .set({ preferences: sql<string>`preferences || ${JSON.stringify(patch)}::jsonb`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returning('preferences')
    .executeTakeFirstOrThrow();
  return row.preferences;
}
