import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Arbitrary constant ('CHAT') that every server process locks on while it migrates. */
const MIGRATION_LOCK_ID = 0x43484154;
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export const migrationsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
);

export function readMigrations(dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match?.[1] || !match[2])
        throw new MigrationError(`migration file name must look like 0001_name.sql: ${file}`);
      const text = readFileSync(path.join(dir, file), 'utf8');
      return { version: Number(match[1]), name: match[2], sql: text, checksum: sha256(text) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new MigrationError(`migration ${index + 1} is missing or repeated`);
  });
  return migrations;
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so two processes starting
 * together take turns and the second finds nothing left to do. Refuses a database that is newer than
 * this code or whose applied migrations were edited afterwards.
 */
export async function migrate(db: Kysely<Schema>, migrations = readMigrations()): Promise<Migration[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = await trx.selectFrom('schema_migrations').select(['version', 'checksum']).execute();
    checkApplied(applied, migrations);
    const done = new Set(applied.map((row) => row.version));
    const pending = migrations.filter((migration) => !done.has(migration.version));
    for (const migration of pending) {
      await sql.raw(migration.sql).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, checksum: migration.checksum })
        .execute();
    }
    return pending;
  });
}

function checkApplied(applied: Array<{ version: number; checksum: string }>, known: Migration[]): void {
  const byVersion = new Map(known.map((migration) => [migration.version, migration]));
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (!migration) {
      throw new MigrationError(
        `the database has migration ${row.version}, which this version of Chatalot does not know: ` +
          'it was upgraded by a newer release. Run that release (or newer) instead.',
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.version} (${migration.name}) was changed after it was applied`,
      );
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
