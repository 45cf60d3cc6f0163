import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { migrate, readMigrations } from '../platform/db/migrations.js';
import { type Manifest, unpackArchive } from './archive.js';
import { CliError } from './cli-error.js';
import { appliedMigrations, checkKnownSchema, openInstanceDatabase } from './instance-db.js';
import { applyCopies, planCopies } from './instance-files.js';
import { type AnyDb, importTable, listTables, quote, restoreSequences, type TableInfo } from './tables.js';

/** Filled by the migrations themselves: rows there are no sign of a used database. */
const MIGRATION_TABLES = new Set(['schema_migrations', 'instance_settings']);
/** Their seed rows are replaced by the archive's. */
const SEEDED_TABLES = ['instance_settings'];

export interface ImportSummary {
  rows: number;
  files: number;
  /** Migrations applied after the import, when the archive came from an older release. */
  upgradedTo: number | null;
}

/**
 * Restores an archive into an empty database (and this instance's files and secrets). Everything is
 * checked first — the archive's checksums, its schema version, that the database holds no data, that no
 * file would be overwritten — so a bad archive leaves the target as it was. The rows go in in one
 * transaction; an archive from an older release is then migrated to this one.
 */
export async function importInstance(config: Config, archivePath: string): Promise<ImportSummary> {
  const unpacked = mkdtempSync(path.join(tmpdir(), 'chatalot-import-'));
  try {
    const manifest = await unpackArchive(archivePath, unpacked);
    const migrations = readMigrations();
    checkKnownSchema(manifest.schema, migrations, archivePath);
    const copies = planCopies(config, unpacked, manifest);
    const database = await openInstanceDatabase(config, false);
    try {
      await checkEmptyTarget(database.db, manifest.schema.length);
      await migrate(database.db, migrations.slice(0, manifest.schema.length));
      applyCopies(copies);
      const rows = await importRows(database.db, manifest, path.join(unpacked, 'tables'));
      const upgraded = await migrate(database.db, migrations);
      return { rows, files: copies.length, upgradedTo: upgraded.length > 0 ? migrations.length : null };
    } finally {
      await database.close();
    }
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}

async function checkEmptyTarget(db: AnyDb, archiveLevel: number): Promise<void> {
  const applied = await appliedMigrations(db);
  if (applied.length > 0 && applied.length !== archiveLevel) {
    throw new CliError(
      `the target database is at schema version ${applied.length} but the archive at ${archiveLevel}: ` +
        'import into a new, empty database',
    );
  }
  const tables = await listTables(db);
  if (applied.length === 0 && tables.length > 0) {
    throw new CliError(
      'the target database has tables but is not a Chatalot database: import into a new database',
    );
  }
  for (const table of tables) {
    if (MIGRATION_TABLES.has(table.name)) continue;
    const { rows } = await sql
      .raw<{ used: boolean }>(`select exists (select 1 from ${quote(table.name)}) as used`)
      .execute(db);
    if (rows[0]?.used) {
      throw new CliError(
        `the target database is not empty (table ${table.name} has rows): import into a new database`,
      );
    }
  }
}

async function importRows(db: AnyDb, manifest: Manifest, dir: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const tables = new Map((await listTables(trx)).map((table) => [table.name, table]));
    for (const name of SEEDED_TABLES) {
      if (tables.has(name)) await sql.raw(`delete from ${quote(name)}`).execute(trx);
    }
    let total = 0;
    for (const entry of manifest.tables) {
      if (entry.name === 'schema_migrations') continue;
      const table = matchingTable(tables.get(entry.name), entry);
      const rows = await importTable(trx, table, path.join(dir, entry.file.path));
      if (rows !== entry.rows)
        throw new CliError(`table ${entry.name}: imported ${rows} rows, the archive has ${entry.rows}`);
      total += rows;
    }
    await restoreSequences(trx, manifest.sequences);
    return total;
  });
}

function matchingTable(table: TableInfo | undefined, entry: Manifest['tables'][number]): TableInfo {
  if (!table || table.columns.join(',') !== entry.columns.join(',')) {
    throw new CliError(`table ${entry.name} of the archive does not match the database schema`);
  }
  return table;
}
