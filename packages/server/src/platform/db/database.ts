import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';

export type DatabaseKind = 'embedded' | 'postgres';

export interface Database {
  readonly db: Kysely<Schema>;
  readonly kind: DatabaseKind;
  /** True when a trivial query answers within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Closes connections; the embedded database flushes everything to disk first. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize: number;
  logger: Logger;
}

/** bigint (int8) columns and count(*) arrive as numbers on both drivers; our values stay below 2^53. */
const INT8_OID = 20;
const parseInt8 = (value: string) => Number(value);
/** Options every PGlite instance of ours is created with. */
export const pgliteOptions = { parsers: { [INT8_OID]: parseInt8 } };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== null)
    return openPostgres(options.databaseUrl, options.poolSize, options.logger);
  const dir = path.join(options.dataDir, 'db');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (readdirSync(dir).length === 0) await initializeEmbedded(dir);
  return wrapPGlite(await PGlite.create(dir, pgliteOptions));
}

/**
 * Creating the embedded database (initdb) leaves PGlite's WASM heap hundreds of MB larger than a reopened
 * database needs, and that memory is not given back. So a short-lived child process creates it.
 */
async function initializeEmbedded(dir: string): Promise<void> {
  const script =
    'const { PGlite } = await import(process.argv[1]); await (await PGlite.create(process.argv[2])).close();';
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, import.meta.resolve('@electric-sql/pglite'), dir],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`creating the embedded database in ${dir} failed (exit ${code})`);
}

export function openPostgres(connectionString: string, poolSize: number, logger: Logger): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: (oid, format) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)),
    },
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  // A connection that dies while checked out (mid-transaction) emits 'error' with nobody listening, which
  // would crash the process; its pending query rejects on its own and the pool discards it.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection failed'));
  });
  return makeDatabase(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}

export function wrapPGlite(pglite: PGlite): Database {
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return makeDatabase(db, 'embedded', async () => {
    await db.destroy();
    await pglite.close();
  });
}

function makeDatabase(db: Kysely<Schema>, kind: DatabaseKind, close = () => db.destroy()): Database {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    ping: (timeoutMs = 2_000) => ping(db, timeoutMs),
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

async function ping(db: Kysely<Schema>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const query = sql`select 1 as ok`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
