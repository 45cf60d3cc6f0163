import pg from 'pg';
import type { CpuSample } from './cpu.js';

/** PostgreSQL's own figures for the send benchmark: its single-row commit rate, and its counters. */
/**
 * Single-row autocommit INSERTs into a scratch table for `seconds` on `connections` sessions: rows/s, and the
 * CPU samples around the run (taken before the sessions close, so that their backends are counted).
 */
export async function commitRate(
  url: string,
  connections: number,
  seconds: number,
  bytes: number,
  sample: () => CpuSample,
): Promise<{ rate: number; before: CpuSample; after: CpuSample }> {
  const clients = Array.from({ length: connections }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((client) => client.connect()));
  const payload = Buffer.alloc(bytes, 7);
  try {
    const before = sample();
    const end = performance.now() + seconds * 1000;
    const started = performance.now();
    const counts = await Promise.all(
      clients.map(async (client) => {
        let count = 0;
        while (performance.now() < end) {
          await client.query('insert into bench_commit_scratch (payload) values ($1)', [payload]);
          count += 1;
        }
        return count;
      }),
    );
    const total = counts.reduce((sum, count) => sum + count, 0);
    const rate = total / ((performance.now() - started) / 1000);
    return { rate, before, after: sample() };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

export interface PgCounters {
  /** Committed transactions of this database, single statements included (reported with up to ~1 s delay). */
  commits: number;
  /** WAL flushes to disk of the whole cluster (other databases' work included). */
  walSyncs: number;
}

export async function pgCounters(db: pg.Client, dbName: string): Promise<PgCounters> {
  const { rows } = await db.query<{ commits: string; syncs: string }>(
    `select (select xact_commit from pg_stat_database where datname = $1) as commits,
      (select wal_sync from pg_stat_wal) as syncs`,
    [dbName],
  );
  return { commits: Number(rows[0]?.commits), walSyncs: Number(rows[0]?.syncs) };
}
