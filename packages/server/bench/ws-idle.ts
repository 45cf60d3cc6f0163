import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import {
  adminUrl,
  cloneUsers,
  connect,
  ensureOpenFiles,
  localAddressOf,
  mb,
  PER_USER,
  percentile,
  positiveInteger,
  registerFirstUser,
  rssKib,
  type Server,
  serverTokenService,
  sleep,
  startServer,
  stopServer,
  withTimeout,
} from './bench-server.js';

/**
 * Idle memory per authenticated WebSocket connection: a real server process on a throwaway PostgreSQL
 * database, N sockets (`--connections`, default 5000) that authenticate and subscribe to nothing, and the
 * server's VmRSS before the first socket and after all of them have sat idle for a few seconds.
 *
 * One user registers through the API (Argon2 is slow); the other N/8 - 1 are copies of its row inserted
 * directly, each with one `sessions` row and an access token minted with the server's own key pair
 * (DATA_DIR/secrets), at most 8 sockets per user like the gateway allows. Sockets come from 127.1.x.y, at
 * most 32 per address, so the per-IP request rate limit (burst 50) never refuses an upgrade.
 *
 * Admin URL of PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
 * `--compiled` runs dist/main.js (after `npm run build`) instead of src/main.ts through tsx.
 */
const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '200' },
    compiled: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = positiveInteger(flags.connections, '--connections');
const BATCH = positiveInteger(flags.batch, '--batch');
const SETTLE_MS = 5_000;
const IDLE_MS = 5_000;
const BATCH_TIMEOUT_MS = 30_000;
/** File descriptors needed beyond one per socket (database pool, stdio, libraries). */
const FD_HEADROOM = 512;

async function main(): Promise<void> {
  const needed = CONNECTIONS + FD_HEADROOM;
  const reran = ensureOpenFiles(needed, {
    name: 'ws-idle',
    envFlag: 'WS_IDLE_RAISED_NOFILE',
    advice: (soft, hard) =>
      `the open files limit is ${soft} (hard ${hard}) and ${needed} are needed for ${CONNECTIONS} connections: ` +
      `run \`ulimit -n ${needed}\` (as root above the hard limit) in the shell that starts the bench, ` +
      `or pass --connections ${Math.max(1, soft - FD_HEADROOM)}`,
  });
  if (reran !== null) {
    process.exitCode = reran;
    return;
  }
  const userCount = Math.ceil(CONNECTIONS / PER_USER);
  const dbName = `chatalot_ws_idle_${process.pid}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-ws-idle-'));
  const admin = new pg.Client({ connectionString: adminUrl });
  const db = new pg.Client({ connectionString: databaseUrl.toString() });
  const sockets: WebSocket[] = [];
  let server: Server | null = null;
  let dbCreated = false;
  let dbConnected = false;
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await admin.connect().catch((error: unknown) => {
      throw new Error(`cannot reach PostgreSQL at ${adminUrl} (set BENCH_DATABASE_URL): ${String(error)}`);
    });
    await admin.query(`create database ${dbName}`);
    dbCreated = true;
    server = await startServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl.toString(),
        REGISTRATION_MODE: 'open',
        LOG_LEVEL: 'warn',
      },
      { compiled: flags.compiled },
    );
    const pid = server.child.pid ?? 0;

    const first = await registerFirstUser(server.baseUrl, `wsidle_${process.pid}`);
    const tokenService = serverTokenService(dataDir);
    await db.connect();
    dbConnected = true;
    const setupStarted = performance.now();
    const tokens = [
      first.access_token,
      ...(
        await cloneUsers(db, first.user.id, userCount - 1, tokenService, {
          usernamePrefix: `wsidle_${process.pid}`,
          deviceName: 'ws-idle bench',
        })
      ).map((user) => user.token),
    ];
    const setupMs = performance.now() - setupStarted;
    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;

    // Warm-up: one user's worth of sockets, then closed, so that code loading and JIT are not counted per socket.
    const warm: WebSocket[] = [];
    await withTimeout(
      Promise.all(
        Array.from({ length: PER_USER }, () => connect(wsUrl, first.access_token, '127.0.0.1', warm)),
      ),
      BATCH_TIMEOUT_MS,
      'warm-up',
    );
    await Promise.all(
      warm.map(
        (socket) => new Promise((resolve) => socket.once('close', resolve).close(1000, 'warm-up done')),
      ),
    );

    await sleep(SETTLE_MS);
    interrupted.signal.throwIfAborted();
    const before = rssKib(pid);
    const clientBefore = rssKib('self');

    const latencies: number[] = [];
    const connectStarted = performance.now();
    for (let start = 0; start < CONNECTIONS; start += BATCH) {
      interrupted.signal.throwIfAborted();
      const end = Math.min(CONNECTIONS, start + BATCH);
      const batch = Array.from({ length: end - start }, (_, j) => {
        const i = start + j;
        return connect(wsUrl, tokens[Math.floor(i / PER_USER)] ?? '', localAddressOf(i), sockets);
      });
      latencies.push(...(await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, `batch at ${start}`)));
    }
    const connectMs = performance.now() - connectStarted;

    await sleep(IDLE_MS);
    interrupted.signal.throwIfAborted();
    const after = rssKib(pid);
    const clientAfter = rssKib('self');
    const open = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
    if (open !== CONNECTIONS) throw new Error(`only ${open} of ${CONNECTIONS} sockets are still open`);

    latencies.sort((a, b) => a - b);
    const perConnection = (after - before) / CONNECTIONS;
    console.log(
      `ws-idle  connections=${CONNECTIONS}  rss_before=${mb(before)}MB  rss_after=${mb(after)}MB  ` +
        `per_connection=${perConnection.toFixed(1)}KiB  connect_all=${(connectMs / 1000).toFixed(2)}s`,
    );
    console.log(
      `ws-idle  users=${userCount} (1 registered, ${userCount - 1} inserted in ${setupMs.toFixed(0)} ms)  ` +
        `batch=${BATCH}  authenticate p50=${percentile(latencies, 50).toFixed(0)}ms ` +
        `p95=${percentile(latencies, 95).toFixed(0)}ms  ${(CONNECTIONS / (connectMs / 1000)).toFixed(0)} conn/s  ` +
        `server=${flags.compiled ? 'dist/main.js' : 'src/main.ts (tsx)'}`,
    );
    console.log(
      `ws-idle  client (this process) rss_before=${mb(clientBefore)}MB  rss_after=${mb(clientAfter)}MB  ` +
        `per_connection=${((clientAfter - clientBefore) / CONNECTIONS).toFixed(1)}KiB`,
    );
    const warnings = server.output().trim();
    if (warnings)
      console.log(`ws-idle  server output (LOG_LEVEL=warn), last lines:\n${warnings.slice(-2_000)}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (server) await stopServer(server.child);
    for (const socket of sockets) socket.terminate();
    if (dbConnected) await db.end();
    if (dbCreated) await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
