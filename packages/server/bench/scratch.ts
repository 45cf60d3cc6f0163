import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { adminUrl } from './bench-server.js';

/** A throwaway PostgreSQL database and data directory for one benchmark run. */
export interface Scratch {
  /** The database's name, `chatalot_<bench>_<pid>` (CPU accounting finds its backends by it). */
  name: string;
  url: string;
  dataDir: string;
  /** A client connected to the database, for seeding. */
  db: pg.Client;
  /** The server environment every benchmark starts with: this database and data directory, open registration. */
  serverEnv: Record<string, string>;
  /** Closes the client, drops the database and removes the data directory; call it after the server stopped. */
  dispose(): Promise<void>;
}

export async function openScratch(bench: string): Promise<Scratch> {
  const name = `chatalot_${bench}_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().catch((error: unknown) => {
    throw new Error(`cannot reach PostgreSQL at ${adminUrl} (set BENCH_DATABASE_URL): ${String(error)}`);
  });
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const dataDir = mkdtempSync(path.join(tmpdir(), `chatalot-${bench}-`));
  return {
    name,
    url: url.toString(),
    dataDir,
    db,
    serverEnv: {
      DATA_DIR: dataDir,
      DATABASE_URL: url.toString(),
      REGISTRATION_MODE: 'open',
      LOG_LEVEL: 'warn',
    },
    async dispose() {
      await db.end().catch(() => {});
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Node flags that write the server's CPU profile into `dir` (`--cpu-prof DIR` of the benchmarks). */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`];
}
