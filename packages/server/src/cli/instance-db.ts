import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { type Database, openDatabase } from '../platform/db/database.js';
import type { Migration } from '../platform/db/migrations.js';
import { createLogger } from '../platform/logging.js';
import { CliError } from './cli-error.js';
import type { AnyDb } from './tables.js';

export interface SchemaLevel {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Opens the instance's database. PGlite lets a second process open a database that a running server
 * holds, which would corrupt it; the `postmaster.pid` it keeps while open tells us to stay away.
 */
export async function openInstanceDatabase(config: Config, mustExist: boolean): Promise<Database> {
  if (config.databaseUrl === null) {
    const dir = path.join(config.dataDir, 'db');
    if (existsSync(path.join(dir, 'postmaster.pid'))) {
      throw new CliError(
        `the embedded database in ${dir} is in use by a running Chatalot server, or the server was not ` +
          'stopped cleanly: stop the server first (if none is running, start it once and stop it)',
      );
    }
    if (mustExist && (!existsSync(dir) || readdirSync(dir).length === 0)) {
      throw new CliError(`there is no embedded database in ${dir} (check DATA_DIR, or set DATABASE_URL)`);
    }
  }
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    logger: createLogger('error'),
  });
}

/** The migrations applied to a database, oldest first; none when it was never migrated. */
export async function appliedMigrations(db: AnyDb): Promise<SchemaLevel[]> {
  const { rows } = await sql<{ present: boolean }>`
    select to_regclass('schema_migrations') is not null as present`.execute(db);
  if (!rows[0]?.present) return [];
  const applied = await sql<SchemaLevel>`
    select version, name, checksum from schema_migrations order by version`.execute(db);
  return applied.rows;
}

/** Throws unless `schema` is this release's migrations 1..n, unedited. */
export function checkKnownSchema(schema: SchemaLevel[], known: Migration[], what: string): void {
  schema.forEach((level, index) => {
    const migration = known[index];
    if (!migration || level.version !== migration.version) {
      throw new CliError(
        `${what} has schema version ${schema.length}, newer than this release (${known.length}): ` +
          'use the release that made it, or a newer one',
      );
    }
    if (level.checksum !== migration.checksum) {
      throw new CliError(
        `${what} has a migration ${level.version} (${level.name}) that differs from this release's`,
      );
    }
  });
}
