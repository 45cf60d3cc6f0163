import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { readMigrations } from '../platform/db/migrations.js';
import { serverVersion } from '../platform/version.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  describePart,
  MANIFEST_NAME,
  type Manifest,
  packArchive,
} from './archive.js';
import { appliedMigrations, checkKnownSchema, openInstanceDatabase } from './instance-db.js';
import { listFiles, readSecrets } from './instance-files.js';
import { type AnyDb, exportTable, listTables, readSequences } from './tables.js';

export interface ExportSummary {
  tables: number;
  rows: number;
  files: number;
  secrets: number;
}

/**
 * Writes the whole instance into one archive: every table's rows from one consistent snapshot, then the
 * uploaded files and the secrets. The database is read before the files, so every file a row refers to
 * is in the archive (uploads only add files).
 */
export async function exportInstance(config: Config, archivePath: string): Promise<ExportSummary> {
  const staging = mkdtempSync(path.join(tmpdir(), 'chatalot-export-'));
  try {
    const database = await openInstanceDatabase(config, true);
    let manifest: Manifest;
    try {
      manifest = await exportDatabase(database.db, staging, database.kind);
    } finally {
      await database.close();
    }
    manifest.files = await stageFiles(config.fileStoragePath, staging);
    manifest.secrets = await stageSecrets(config, staging);
    writeFileSync(path.join(staging, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
    await packArchive(staging, archivePath);
    return {
      tables: manifest.tables.length,
      rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
      files: manifest.files.length,
      secrets: manifest.secrets.length,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function exportDatabase(db: AnyDb, staging: string, source: Manifest['source']): Promise<Manifest> {
  const schema = await appliedMigrations(db);
  checkKnownSchema(schema, readMigrations(), 'the database');
  const dir = path.join(staging, 'tables');
  mkdirSync(dir);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local bytea_output = 'hex'`.execute(trx);
      const tables: Manifest['tables'] = [];
      for (const table of await listTables(trx)) {
        const file = `${table.name}.jsonl`;
        const rows = await exportTable(trx, table, path.join(dir, file));
        tables.push({ name: table.name, columns: table.columns, rows, file: await describePart(dir, file) });
      }
      return {
        format: ARCHIVE_FORMAT,
        version: ARCHIVE_VERSION,
        createdAt: new Date().toISOString(),
        serverVersion,
        source,
        schema,
        tables,
        sequences: await readSequences(trx),
        files: [],
        secrets: [],
      };
    });
}

async function stageFiles(root: string, staging: string): Promise<Manifest['files']> {
  const files = listFiles(root);
  if (files.length === 0) mkdirSync(path.join(staging, 'files'));
  else symlinkSync(root, path.join(staging, 'files'), 'dir');
  const parts: Manifest['files'] = [];
  for (const file of files) parts.push(await describePart(root, file));
  return parts;
}

async function stageSecrets(config: Config, staging: string): Promise<Manifest['secrets']> {
  const dir = path.join(staging, 'secrets');
  mkdirSync(dir, { mode: 0o700 });
  const parts: Manifest['secrets'] = [];
  for (const [name, contents] of readSecrets(config)) {
    writeFileSync(path.join(dir, name), contents, { mode: 0o600 });
    parts.push(await describePart(dir, name));
  }
  return parts;
}
