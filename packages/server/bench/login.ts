import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, openPostgres, pgliteOptions, wrapPGlite } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrations.js';
import { loadSecrets } from '../src/platform/secrets.js';
import { goodPassword, registrationBody } from '../test/factories.js';

/**
 * Sign-in latency and throughput: LOGINS logins of one account, CONCURRENCY at a time, through the
 * whole HTTP stack in-process (Argon2id m=64 MiB, t=3, p=4 dominates). Embedded database unless
 * BENCH_DATABASE_URL points at an empty PostgreSQL database.
 */
const LOGINS = Number(process.env.LOGINS ?? 64);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

async function openBenchDatabase(): Promise<Database> {
  const url = process.env.BENCH_DATABASE_URL;
  const database = url
    ? openPostgres(url, 10, pino({ level: 'silent' }))
    : wrapPGlite(await PGlite.create(pgliteOptions));
  await migrate(database.db);
  return database;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, REGISTRATION_MODE: 'open' });
  const database = await openBenchDatabase();
  const app = await buildApp({
    config,
    database,
    secrets: loadSecrets(config),
    logger: pino({ level: 'silent' }),
  });
  const body = registrationBody();
  await app.inject({ method: 'POST', url: '/api/auth/register', payload: body });
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < LOGINS) {
      const n = next++;
      const started = performance.now();
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: body.username, password: goodPassword },
        remoteAddress: `10.9.${n >> 8}.${n & 255}`,
      });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `login (${database.kind}, ${LOGINS} logins, ${CONCURRENCY} at a time): ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, ` +
      `${(LOGINS / seconds).toFixed(1)} logins/s`,
  );
  const single = performance.now();
  await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: body.username, password: goodPassword },
  });
  console.log(`login (${database.kind}, alone): ${(performance.now() - single).toFixed(1)} ms`);
  await app.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
