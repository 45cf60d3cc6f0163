import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuthResponse } from '@chatalot/protocol';
import type pg from 'pg';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { TokenService } from '../src/platform/auth/tokens.js';
import { systemClock } from '../src/platform/clock.js';
import { uuidv7 } from '../src/platform/ids.js';
import { loadSecrets } from '../src/platform/secrets.js';
import { registrationBody } from '../test/factories.js';
import { freePort } from '../test/server-process.js';

/**
 * What the benchmarks that drive a real server process share (capacity.ts, send.ts, …): starting dist/main.js or
 * src/main.ts on a throwaway PostgreSQL database, one user registered through the API and copies of it
 * inserted directly with access tokens minted with the server's own keys, and WebSocket connections from
 * distinct 127.1.x.y addresses so that the per-IP rate limit of the /ws upgrade never refuses one.
 */
export const serverDir = path.resolve(import.meta.dirname, '..');
/**
 * The server package that is started: this one, or BENCH_SERVER_DIR (a built checkout of another commit, so
 * that the same load can be run against a "before" and an "after").
 */
export const benchedServerDir = path.resolve(process.env.BENCH_SERVER_DIR ?? serverDir);
/**
 * CPUs the server process is pinned to with taskset (BENCH_SERVER_CPUS, e.g. `0`; the runner sets it and pins
 * the load generator to the others); unset → not pinned.
 */
const serverCpus = process.env.BENCH_SERVER_CPUS;
// BENCH_SERVER_NODE_ARGS: more node flags for the server, e.g. `--max-old-space-size=256` for a small machine.
/** Admin URL of PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres. */
export const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Sockets a user may hold at once (the gateway's limit). */
export const PER_USER = 8;
/** Sockets per source address: the per-IP request rate limit (burst 50) never refuses an upgrade. */
export const PER_ADDRESS = 32;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export function positiveInteger(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer (got ${raw})`);
  return value;
}

/** Soft and hard limits on open files of this process (the server inherits them). */
export function openFilesLimits(): { soft: number; hard: number } {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const parse = (raw: string | undefined) =>
    raw === 'unlimited' ? Number.POSITIVE_INFINITY : Number(raw ?? 0);
  return { soft: parse(match?.[1]), hard: parse(match?.[2]) };
}

export interface OpenFilesOptions {
  /** Prefix of the messages, e.g. `capacity`. */
  name: string;
  /** Set in the re-run's environment so that it does not try again. */
  envFlag: string;
  /** What to tell the user when the limit cannot be raised. */
  advice: (soft: number, hard: number) => string;
}

/**
 * Both ends of every socket live on this host: this process and the server each need one descriptor per
 * connection. Node cannot raise its own limit, so re-run once under `sh -c 'ulimit -n …'` (works up to the hard
 * limit, or beyond it as root); returns the exit code of that run, or null when the limit is already enough.
 */
export function ensureOpenFiles(needed: number, options: OpenFilesOptions): number | null {
  const { soft, hard } = openFilesLimits();
  if (soft >= needed) return null;
  const advice = options.advice(soft, hard);
  if (process.env[options.envFlag]) throw new Error(advice);
  console.error(
    `${options.name}: open files limit ${soft} < ${needed}; re-running under ulimit -n ${needed}`,
  );
  const script = `ulimit -n ${needed} 2>/dev/null || { echo "${options.name}: could not raise it; $0" >&2; exit 1; }; exec "$@"`;
  const result = spawnSync(
    '/bin/sh',
    ['-c', script, advice, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [options.envFlag]: '1' } },
  );
  return result.status ?? 1;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function rssKib(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

export const mb = (kib: number) => (kib / 1024).toFixed(1);

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

export interface StartOptions {
  /** dist/main.js (after `npm run build`) instead of src/main.ts through tsx. */
  compiled: boolean;
  /** Extra node flags for the server process, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Listen on this port (e.g. to restart a server where its clients will reconnect); default a free one. */
  port?: number;
}

export async function startServer(env: Record<string, string>, options: StartOptions): Promise<Server> {
  const port = options.port ?? (await freePort());
  const compiled = options.compiled || process.env.BENCH_COMPILED === '1' || benchedServerDir !== serverDir;
  const args = compiled
    ? [path.join(benchedServerDir, 'dist/main.js')]
    : ['--import', 'tsx', '--conditions=source', 'src/main.ts'];
  if (compiled && !existsSync(args[0] ?? '')) throw new Error(`${args[0]} is missing: run npm run build`);
  const extraNodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const nodeCommand = [process.execPath, ...extraNodeArgs, ...(options.nodeArgs ?? []), ...args];
  const command = serverCpus ? ['taskset', '-c', serverCpus, ...nodeCommand] : nodeCommand;
  const child = spawn(command[0] ?? 'node', command.slice(1), {
    cwd: benchedServerDir,
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

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export async function registerFirstUser(baseUrl: string, username: string): Promise<AuthResponse> {
  const response = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(registrationBody({ username })),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`registration failed (${response.status}): ${await response.text()}`);
  }
  return (await response.json()) as AuthResponse;
}

/** Mints access tokens the way the server does, with its key pair from DATA_DIR/secrets. */
export function serverTokenService(dataDir: string): TokenService {
  const secrets = loadSecrets(loadConfig({ DATA_DIR: dataDir }, serverDir));
  return new TokenService(
    { privateKey: secrets.jwtPrivateKey, publicKey: secrets.jwtPublicKey },
    'chatalot',
    systemClock,
  );
}

export interface ClonedUser {
  id: string;
  token: string;
}

export interface CloneOptions {
  /** Usernames are `<prefix>_<n>`, n from 1. */
  usernamePrefix: string;
  /** `device_name` of the sessions. */
  deviceName: string;
}

/**
 * `count` copies of the template user (new id, username and email; never admin or owner), each with one live
 * session, returned with an access token for that session.
 */
export async function cloneUsers(
  db: pg.Client,
  templateId: string,
  count: number,
  tokens: TokenService,
  options: CloneOptions,
): Promise<ClonedUser[]> {
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
    username: `${options.usernamePrefix}_${i + 1}`,
    sessionId: uuidv7(),
  }));
  await db.query(
    `insert into users (${list})
      select ${values} from users t, unnest($2::uuid[], $3::text[]) as n(id, username) where t.id = $1`,
    [templateId, users.map((user) => user.id), users.map((user) => user.username)],
  );
  await db.query(
    `insert into sessions (id, user_id, device_name, ip_address, expires_at)
      select s.id, s.user_id, $3, '127.0.0.1', now() + interval '1 day'
        from unnest($1::uuid[], $2::uuid[]) as s(id, user_id)`,
    [users.map((user) => user.sessionId), users.map((user) => user.id), options.deviceName],
  );
  return Promise.all(
    users.map(async (user) => ({
      id: user.id,
      token: await tokens.issueAccessToken({
        userId: user.id,
        username: user.username,
        isAdmin: false,
        isOwner: false,
        sessionId: user.sessionId,
      }),
    })),
  );
}

/**
 * Opens a socket from `localAddress` and resolves with the milliseconds it took once the server has answered
 * `authenticated`. Later frames are read and dropped unless the caller adds its own `message` listener then.
 */
export function connect(
  wsUrl: string,
  token: string,
  localAddress: string,
  sockets: WebSocket[],
): Promise<number> {
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

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connection `i` comes from address ⌊i/32⌋ in 127.1.0.0/16. */
export function localAddressOf(i: number): string {
  const k = Math.floor(i / PER_ADDRESS);
  return `127.1.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
