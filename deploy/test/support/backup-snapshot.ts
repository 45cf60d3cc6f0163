import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Every table's rows as canonical JSON text, sorted: equal snapshots mean equal data. */
export type TableSnapshot = Record<string, string[]>;
type Query = (text: string) => Promise<Array<Record<string, unknown>>>;

/** Columns that differ by design: the import applies the migrations itself, at its own time. */
const IGNORED: Record<string, string[]> = { schema_migrations: ['applied_at'] };

export async function snapshotPostgres(
  url: string,
  options = { ignoreMigrationTimes: false },
): Promise<TableSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await snapshot(async (text) => (await client.query(text)).rows, options.ignoreMigrationTimes);
  } finally {
    await client.end();
  }
}

export async function snapshotEmbedded(
  dataDir: string,
  options = { ignoreMigrationTimes: false },
): Promise<TableSnapshot> {
  const pglite = await PGlite.create(path.join(dataDir, 'db'));
  try {
    return await snapshot(
      async (text) => (await pglite.query<Record<string, unknown>>(text)).rows,
      options.ignoreMigrationTimes,
    );
  } finally {
    await pglite.close();
  }
}

async function snapshot(query: Query, ignoreMigrationTimes: boolean): Promise<TableSnapshot> {
  await query(`set timezone = 'UTC'`);
  const tables = await query(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  const result: TableSnapshot = {};
  for (const { name } of tables as Array<{ name: string }>) {
    const ignored = ignoreMigrationTimes ? (IGNORED[name] ?? []) : [];
    const row = ignored.reduce((expression, column) => `${expression} - '${column}'`, 'to_jsonb(t)');
    const rows = await query(`select (${row})::text as line from "${name}" t`);
    result[name] = rows.map((r) => String(r.line)).sort();
  }
  return result;
}

/** sha256 of every file under `root`, by relative path. */
export function hashTree(root: string): Record<string, string> {
  if (!existsSync(root)) return {};
  const result: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    result[path.relative(root, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return result;
}

export const rowCount = (snapshot: TableSnapshot) =>
  Object.values(snapshot).reduce((sum, rows) => sum + rows.length, 0);
