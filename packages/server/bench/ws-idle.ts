import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AuthResponse } from '@chatalot/protocol';
import pg from 'pg';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { TokenService } from '../src/platform/auth/tokens.js';
import { systemClock } from '../src/platform/clock.js';
import { uuidv7 } from '../src/platform/ids.js';
import { loadSecrets } from '../src/platform/secrets.js';
import { registrationBody } from '../test/factories.js';
import { freePort } from '../test/server-process.js';

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
const serverDir = path.resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '200' },
    compiled: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = positiveInteger(flags.connections, '--connections');
const BATCH = positiveInteger(flags.batch, '--batch');
const PER_USER = 8;
const PER_ADDRESS = 32;
const SETTLE_MS = 5_000;
const IDLE_MS = 5_000;
const START_TIMEOUT_MS = 60_000;
const BATCH_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** File descriptors needed beyond one per socket (database pool, stdio, libraries). */
const FD_HEADROOM = 512;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function positiveInteger(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer (got ${raw})`);
  return value;
}

/** Soft and hard limits on open files of this process (the server inherits them). */
function openFilesLimits(): { soft: number; hard: number } {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const parse = (raw: string | undefined) =>
    raw === 'unlimited' ? Number.POSITIVE_INFINITY : Number(raw ?? 0);
  return { soft: parse(match?.[1]), hard: parse(match?.[2]) };
}

/**
 * Both ends of every socket live on this host: this process and the server each need one descriptor per
 * connection. Node cannot raise its own limit, so re-run once under `sh -c 'ulimit -n …'` (works up to the hard
 * limit, or beyond it as root); returns the exit code of that run, or null when the limit is already enough.
 */
function ensureOpenFiles(needed: number): number | null {
  const { soft, hard } = openFilesLimits();
  if (soft >= needed) return null;
  const advice =
    `the open files limit is ${soft} (hard ${hard}) and ${needed} are needed for ${CONNECTIONS} connections: ` +
    `run \`ulimit -n ${needed}\` (as root above the hard limit) in the shell that starts the bench, ` +
    `or pass --connections ${Math.max(1, soft - FD_HEADROOM)}`;
  if (process.env.WS_IDLE_RAISED_NOFILE) throw new Error(advice);
  console.error(`ws-idle: open files limit ${soft} < ${needed}; re-running under ulimit -n ${needed}`);
  const script = `ulimit -n ${needed} 2>/dev/null || { echo "ws-idle: could not raise it; $0" >&2; exit 1; }; exec "$@"`;
  const result = spawnSync(
    '/bin/sh',
    ['-c', script, advice, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, WS_IDLE_RAISED_NOFILE: '1' } },
  );
  return result.status ?? 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rssKib(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

const mb = (kib: number) => (kib / 1024).toFixed(1);

interface Server {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const args = flags.compiled
    ? [path.join(serverDir, 'dist/main.js')]
    : ['--import', 'tsx', '--conditions=source', 'src/main.ts'];
  if (flags.compiled && !existsSync(args[0] ?? ''))
    throw new Error('dist/main.js is missing: run npm run build');
  const child = spawn(process.execPath, args, {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', LISTEN_ADDR: `127.0.0.1:${port}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const server = { child, baseUrl: `http://127.0.0.1:${port}`, output: () => text };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${text}`);
    if (Date.now() > deadline) throw new Error(`server did not answer /api/health in time:\n${text}`);
    const healthy = await fetch(`${server.baseUrl}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return server;
    await sleep(200);
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function registerFirstUser(baseUrl: string): Promise<AuthResponse> {
  const response = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(registrationBody({ username: `wsidle_${process.pid}` })),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`registration failed (${response.status}): ${await response.text()}`);
  }
  return (await response.json()) as AuthResponse;
}

/**
 * `count` copies of the template user (new id, username and email; never admin or owner), each with one live
 * session, returned with an access token for that session.
 */
async function cloneUsers(
  db: pg.Client,
  templateId: string,
  count: number,
  tokens: TokenService,
): Promise<string[]> {
  if (count === 0) return [];
  const { rows: columns } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = 'users' order by ordinal_position`,
  );
  const replaced: Record<string, string> = {
    id: 'n.id',
    username: 'n.username',
    email: `n.username || '@example.org'`,
    is_admin: 'false',
    is_owner: 'false',
    created_at: 'now()',
    updated_at: 'now()',
  };
  const names = columns.map((column) => column.column_name);
  const list = names.map((name) => `"${name}"`).join(', ');
  const values = names.map((name) => replaced[name] ?? `t."${name}"`).join(', ');
  const users = Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    username: `wsidle_${process.pid}_${i + 1}`,
    sessionId: uuidv7(),
  }));
  await db.query(
    `insert into users (${list})
      select ${values} from users t, unnest($2::uuid[], $3::text[]) as n(id, username) where t.id = $1`,
    [templateId, users.map((user) => user.id), users.map((user) => user.username)],
  );
  await db.query(
    `insert into sessions (id, user_id, device_name, ip_address, expires_at)
      select s.id, s.user_id, 'ws-idle bench', '127.0.0.1', now() + interval '1 day'
        from unnest($1::uuid[], $2::uuid[]) as s(id, user_id)`,
    [users.map((user) => user.sessionId), users.map((user) => user.id)],
  );
  return Promise.all(
    users.map((user) =>
      tokens.issueAccessToken({
        userId: user.id,
        username: user.username,
        isAdmin: false,
        isOwner: false,
        sessionId: user.sessionId,
      }),
    ),
  );
}

/** Opens a socket from `localAddress` and resolves once the server has answered `authenticated`. */
function connect(wsUrl: string, token: string, localAddress: string, sockets: WebSocket[]): Promise<number> {
  const started = performance.now();
  const socket = new WebSocket(wsUrl, { localAddress, perMessageDeflate: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'authenticate', token })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; code?: string; message?: string };
      if (frame.type === 'authenticated') {
        // Later frames (pong, heartbeats) are read and dropped by ws.
        socket.removeAllListeners('message');
        resolve(performance.now() - started);
      } else if (frame.type === 'error') reject(new Error(`refused: ${frame.code}: ${frame.message}`));
    });
    socket.on('error', (error) => reject(new Error(`socket error: ${error.message}`)));
    socket.once('close', (code, reason) => reject(new Error(`closed: ${code} ${reason.toString()}`)));
  });
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connection `i` belongs to user ⌊i/8⌋ and comes from address ⌊i/32⌋ in 127.1.0.0/16. */
function localAddressOf(i: number): string {
  const k = Math.floor(i / PER_ADDRESS);
  return `127.1.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const reran = ensureOpenFiles(CONNECTIONS + FD_HEADROOM);
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
    server = await startServer({
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl.toString(),
      REGISTRATION_MODE: 'open',
      LOG_LEVEL: 'warn',
    });
    const pid = server.child.pid ?? 0;

    const first = await registerFirstUser(server.baseUrl);
    const secrets = loadSecrets(loadConfig({ DATA_DIR: dataDir }, serverDir));
    const tokenService = new TokenService(
      { privateKey: secrets.jwtPrivateKey, publicKey: secrets.jwtPublicKey },
      'chatalot',
      systemClock,
    );
    await db.connect();
    dbConnected = true;
    const setupStarted = performance.now();
    const tokens = [
      first.access_token,
      ...(await cloneUsers(db, first.user.id, userCount - 1, tokenService)),
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
