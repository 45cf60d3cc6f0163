import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type WebSocket from 'ws';
import { uuidv7 } from '../src/platform/ids.js';
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
 * Persisted, acknowledged messages per second: a real server process on a throwaway PostgreSQL database and
 * `--senders` (default 200) concurrent senders in one text channel. Each sender is one user and loops for
 * `--warmup` + `--seconds` (default 2 + 10): send `send_message`, wait for its `message_sent` (matched by
 * `ref`; the server acknowledges only after the commit), record the latency, send the next. So exactly
 * `--senders` messages are in flight at any moment; acks/s = senders / mean latency.
 *
 * The gateway lets one connection send 10 frames/s after a burst of 30, far below what 200 senders can ask for,
 * so each sender owns `--connections-per-sender` sockets (default 6, at most 8 per user) and uses them round
 * robin, each paced on the client to at most 9 frames/s after a burst of 10: the client never trips the
 * server's limit, and the run can reach senders × sockets × 9 messages/s at most. Time a sender spends waiting
 * for that budget is reported as `paced`; when it is not ~0 the result is capped by the budget, not the server.
 *
 * Nobody subscribes to the channel, so fan-out is not measured, only the write path. Afterwards PostgreSQL's
 * own single-row autocommit INSERT rate is measured on 1 and on 8 connections (`--pg-seconds` each) against a
 * scratch table of the same database, and the rows of `messages` are checked against the acknowledgements.
 *
 * CPU of the server (/proc/<pid>/stat), of all `postgres` processes, of this process and of the whole machine
 * over the measured window is reported in % of one core, so that the sharing of the cores is visible.
 *
 * Admin URL of PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
 * `--compiled` runs dist/main.js (after `npm run build`) instead of src/main.ts through tsx; `--pool N` sets
 * the server's DATABASE_POOL_SIZE; `--cpu-prof DIR` runs the server with `node --cpu-prof` into DIR.
 */
const { values: flags } = parseArgs({
  options: {
    senders: { type: 'string', default: '200' },
    'connections-per-sender': { type: 'string', default: '6' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    bytes: { type: 'string', default: '100' },
    'pg-seconds': { type: 'string', default: '3' },
    batch: { type: 'string', default: '200' },
    pool: { type: 'string' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
  },
});
const SENDERS = positiveInteger(flags.senders, '--senders');
const PER_SENDER = positiveInteger(flags['connections-per-sender'], '--connections-per-sender');
const SECONDS = positiveInteger(flags.seconds, '--seconds');
const WARMUP_SECONDS = Number(flags.warmup);
const BYTES = positiveInteger(flags.bytes, '--bytes');
const PG_SECONDS = positiveInteger(flags['pg-seconds'], '--pg-seconds');
const BATCH = positiveInteger(flags.batch, '--batch');
const POOL = flags.pool === undefined ? undefined : positiveInteger(flags.pool, '--pool');
if (PER_SENDER > PER_USER)
  throw new Error(`--connections-per-sender must be at most ${PER_USER}, a user's connection limit`);
if (!Number.isFinite(WARMUP_SECONDS) || WARMUP_SECONDS < 0)
  throw new Error(`--warmup must be a number of seconds ≥ 0 (got ${flags.warmup})`);
if (BYTES > 65_536) throw new Error('--bytes must be at most 65536, the ciphertext limit');
const CONNECTIONS = SENDERS * PER_SENDER;
/** The client's pacing per socket, below the gateway's 30 burst and 10/s so that jitter never trips it. */
const CLIENT_BUCKET = { burst: 10, refillPerSecond: 9 } as const;
const PG_CONNECTIONS = 8;
const ACK_TIMEOUT_MS = 30_000;
const BATCH_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = ACK_TIMEOUT_MS + 5_000;
const FD_HEADROOM = 512;
const NONCE = '[1,2,3,4,5,6,7,8,9,10,11,12]';

interface Reply {
  type: string;
  ref?: string;
  id?: string;
  code?: string;
  message?: string;
}

/** One socket of a sender, with the client-side frame budget. */
class Outlet {
  private tokens: number = CLIENT_BUCKET.burst;
  private refilledAt = performance.now();
  alive = true;
  /** Refs sent on this socket and not answered yet. */
  readonly pending = new Set<string>();

  constructor(readonly socket: WebSocket) {}

  /** Milliseconds until a frame may be sent; 0 means now. */
  waitMs(now: number): number {
    const refill = ((now - this.refilledAt) / 1000) * CLIENT_BUCKET.refillPerSecond;
    this.tokens = Math.min(CLIENT_BUCKET.burst, this.tokens + refill);
    this.refilledAt = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / CLIENT_BUCKET.refillPerSecond) * 1000;
  }

  take(): void {
    this.tokens -= 1;
  }
}

interface Waiter {
  sentAt: number;
  outlet: Outlet;
  resolve: (reply: Reply) => void;
}

/** Everything the senders record, shared by all of them. */
class Tally {
  readonly waiters = new Map<string, Waiter>();
  readonly latencies: number[] = [];
  readonly ackedIds: string[] = [];
  readonly errors = new Map<string, number>();
  readonly errorSamples: string[] = [];
  ackedInWindow = 0;
  lateAcks = 0;
  readonly unexpected = new Map<string, number>();
  pacedMs = 0;
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;

  error(code: string, detail: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    if (this.errorSamples.length < 5) this.errorSamples.push(`${code}: ${detail}`);
  }

  get errorCount(): number {
    let total = 0;
    for (const count of this.errors.values()) total += count;
    return total;
  }

  /** A frame from the server: resolves the send it answers. */
  receive(text: string): void {
    const reply = JSON.parse(text) as Reply;
    if (reply.type === 'message_sent' && reply.id !== undefined) {
      this.ackedIds.push(reply.id);
      const now = performance.now();
      if (now >= this.windowStart && now < this.windowEnd) this.ackedInWindow += 1;
    }
    const waiter = reply.ref === undefined ? undefined : this.waiters.get(reply.ref);
    if (reply.ref !== undefined && waiter) {
      this.waiters.delete(reply.ref);
      waiter.outlet.pending.delete(reply.ref);
      waiter.resolve(reply);
    } else if (reply.type === 'message_sent') this.lateAcks += 1;
    else if (reply.type === 'error') this.error(reply.code ?? 'error', reply.message ?? '');
    else this.unexpected.set(reply.type, (this.unexpected.get(reply.type) ?? 0) + 1);
  }

  /** Settles the sends of a socket that closed, and those that waited longer than ACK_TIMEOUT_MS. */
  expire(now: number, closed?: Outlet): void {
    for (const [ref, waiter] of this.waiters) {
      if (waiter.outlet === closed)
        waiter.resolve({ type: 'error', code: 'closed', message: 'socket closed' });
      else if (now - waiter.sentAt > ACK_TIMEOUT_MS)
        waiter.resolve({ type: 'error', code: 'timeout', message: `no reply in ${ACK_TIMEOUT_MS} ms` });
      else continue;
      this.waiters.delete(ref);
      waiter.outlet.pending.delete(ref);
    }
  }
}

/** One sender: a user with its sockets; one message in flight at a time. */
async function runSender(
  index: number,
  outlets: Outlet[],
  frameOf: (ref: string) => string,
  tally: Tally,
  stop: { now: boolean },
): Promise<void> {
  let next = 0;
  let seq = 0;
  while (!stop.now) {
    const alive = outlets.filter((outlet) => outlet.alive);
    const outlet = alive[next++ % Math.max(1, alive.length)];
    if (!outlet) return;
    const wait = outlet.waitMs(performance.now());
    if (wait > 0) {
      tally.pacedMs += wait;
      await sleep(wait);
      if (stop.now) return;
      outlet.waitMs(performance.now());
    }
    outlet.take();
    const ref = `${index}.${seq++}`;
    const sentAt = performance.now();
    const reply = await new Promise<Reply>((resolve) => {
      tally.waiters.set(ref, { sentAt, outlet, resolve });
      outlet.pending.add(ref);
      outlet.socket.send(frameOf(ref));
    });
    const ackedAt = performance.now();
    if (reply.type === 'message_sent') {
      if (sentAt >= tally.windowStart && sentAt < tally.windowEnd) tally.latencies.push(ackedAt - sentAt);
    } else tally.error(reply.code ?? reply.type, reply.message ?? '');
  }
}

/** utime and stime of a process in clock ticks, or 0 when it is gone. */
function userSystemTicks(pid: number | string): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return { user: 0, system: 0 };
  }
}

function cpuTicks(pid: number | string): number {
  const { user, system } = userSystemTicks(pid);
  return user + system;
}

/**
 * CPU ticks by pid of the `postgres` processes on this host that work for this run: the backends of `dbName`
 * and the shared auxiliary processes (WAL writer, checkpointer, …), not the backends of other databases.
 */
function postgresTicks(dbName: string): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const otherBackend = /\(\d+\)/.test(title) && !title.includes(` ${dbName} `);
      if (!otherBackend) ticks.set(pid, cpuTicks(pid));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/**
 * Busy and total ticks of the whole machine (all cores) from /proc/stat, and the part spent in interrupts
 * (loopback TCP is processed there; no process is charged for it).
 */
function machineTicks(): { busy: number; total: number; interrupts: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total, interrupts: (values[5] ?? 0) + (values[6] ?? 0) };
}

function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}

interface CpuSample {
  at: number;
  server: number;
  serverSystem: number;
  postgres: Map<string, number>;
  self: NodeJS.CpuUsage;
  machine: { busy: number; total: number; interrupts: number };
}

function sampleCpu(serverPid: number, dbName: string): CpuSample {
  return {
    at: performance.now(),
    server: cpuTicks(serverPid),
    serverSystem: userSystemTicks(serverPid).system,
    postgres: postgresTicks(dbName),
    self: process.cpuUsage(),
    machine: machineTicks(),
  };
}

/** Percent of one core used between two samples by the server, PostgreSQL, this process and the machine. */
function cpuBetween(before: CpuSample, after: CpuSample, hz: number) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => (ticks / hz / seconds) * 100;
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) postgres += ticks - (before.postgres.get(pid) ?? 0);
  const self = process.cpuUsage(before.self);
  const machineTotal = after.machine.total - before.machine.total;
  const cores = machineTotal / hz / seconds;
  const server = pct(after.server - before.server);
  const bench = ((self.user + self.system) / 1e6 / seconds) * 100;
  const machine =
    machineTotal > 0 ? ((after.machine.busy - before.machine.busy) / machineTotal) * cores * 100 : 0;
  const interrupts =
    machineTotal > 0
      ? ((after.machine.interrupts - before.machine.interrupts) / machineTotal) * cores * 100
      : 0;
  const other = Math.max(0, machine - server - pct(postgres) - bench - interrupts);
  const serverSystem = pct(after.serverSystem - before.serverSystem);
  return { server, serverSystem, postgres: pct(postgres), bench, interrupts, machine, other, cores };
}

/**
 * Single-row autocommit INSERTs into a scratch table for `seconds` on `connections` sessions: rows/s, and the
 * CPU samples around the run (taken before the sessions close, so that their backends are counted).
 */
async function commitRate(
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

const fixed = (value: number, digits = 1) => value.toFixed(digits);

interface PgCounters {
  /** Committed transactions of this database, single statements included (reported with up to ~1 s delay). */
  commits: number;
  /** WAL flushes to disk of the whole cluster (other databases' work included). */
  walSyncs: number;
}

async function pgCounters(db: pg.Client, dbName: string): Promise<PgCounters> {
  const { rows } = await db.query<{ commits: string; syncs: string }>(
    `select (select xact_commit from pg_stat_database where datname = $1) as commits,
      (select wal_sync from pg_stat_wal) as syncs`,
    [dbName],
  );
  return { commits: Number(rows[0]?.commits), walSyncs: Number(rows[0]?.syncs) };
}

async function main(): Promise<void> {
  const needed = CONNECTIONS + FD_HEADROOM;
  const reran = ensureOpenFiles(needed, {
    name: 'send',
    envFlag: 'SEND_BENCH_RAISED_NOFILE',
    advice: (soft, hard) =>
      `the open files limit is ${soft} (hard ${hard}) and ${needed} are needed for ${CONNECTIONS} connections: ` +
      `run \`ulimit -n ${needed}\` (as root above the hard limit) in the shell that starts the bench, ` +
      `or pass fewer --senders or --connections-per-sender`,
  });
  if (reran !== null) {
    process.exitCode = reran;
    return;
  }
  const dbName = `chatalot_send_${process.pid}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-send-'));
  const admin = new pg.Client({ connectionString: adminUrl });
  const db = new pg.Client({ connectionString: databaseUrl.toString() });
  const sockets: WebSocket[] = [];
  let server: Server | null = null;
  let dbCreated = false;
  let dbConnected = false;
  const stop = { now: false };
  const interrupted = new AbortController();
  const onSignal = () => {
    stop.now = true;
    interrupted.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await admin.connect().catch((error: unknown) => {
      throw new Error(`cannot reach PostgreSQL at ${adminUrl} (set BENCH_DATABASE_URL): ${String(error)}`);
    });
    await admin.query(`create database ${dbName}`);
    dbCreated = true;
    const nodeArgs =
      flags['cpu-prof'] === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags['cpu-prof'])}`];
    server = await startServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl.toString(),
        REGISTRATION_MODE: 'open',
        LOG_LEVEL: 'warn',
        ...(POOL !== undefined && { DATABASE_POOL_SIZE: String(POOL) }),
      },
      { compiled: flags.compiled, nodeArgs },
    );
    const pid = server.child.pid ?? 0;

    const first = await registerFirstUser(server.baseUrl, `send_${process.pid}`);
    await db.connect();
    dbConnected = true;
    const users = await cloneUsers(db, first.user.id, SENDERS, serverTokenService(dataDir), {
      usernamePrefix: `send_${process.pid}`,
      deviceName: 'send bench',
    });
    const channelId = uuidv7();
    await db.query(
      `insert into channels (id, name, channel_type, created_by) values ($1, 'send-bench', 'text', $2)`,
      [channelId, first.user.id],
    );
    await db.query(
      `insert into channel_members (channel_id, user_id)
        select $1, u from unnest($2::uuid[]) as u`,
      [channelId, users.map((user) => user.id)],
    );

    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;
    const tally = new Tally();
    const outlets: Outlet[] = [];
    const connectStarted = performance.now();
    for (let start = 0; start < CONNECTIONS; start += BATCH) {
      interrupted.signal.throwIfAborted();
      const end = Math.min(CONNECTIONS, start + BATCH);
      const batch = Array.from({ length: end - start }, (_, j) => {
        const i = start + j;
        return connect(wsUrl, users[Math.floor(i / PER_SENDER)]?.token ?? '', localAddressOf(i), sockets);
      });
      await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, `connections from ${start}`);
    }
    const connectMs = performance.now() - connectStarted;
    for (const socket of sockets) {
      const outlet = new Outlet(socket);
      outlets.push(outlet);
      socket.on('message', (data) => tally.receive(data.toString()));
      socket.on('close', () => {
        outlet.alive = false;
        tally.expire(performance.now(), outlet);
      });
    }

    const ciphertext = `[${Array.from({ length: BYTES }, (_, i) => (i * 37 + 11) % 256).join(',')}]`;
    const frameOf = (ref: string) =>
      `{"type":"send_message","channel_id":"${channelId}","ciphertext":${ciphertext},"nonce":${NONCE},` +
      `"message_type":"text","client_id":"${ref}","ref":"${ref}"}`;
    const hz = clockTicksPerSecond();
    const runStarted = performance.now();
    tally.windowStart = runStarted + WARMUP_SECONDS * 1000;
    tally.windowEnd = tally.windowStart + SECONDS * 1000;
    const sweeper = setInterval(() => tally.expire(performance.now()), 1_000);
    const senders = Array.from({ length: SENDERS }, (_, s) =>
      runSender(s, outlets.slice(s * PER_SENDER, (s + 1) * PER_SENDER), frameOf, tally, stop),
    );

    await sleep(tally.windowStart - performance.now());
    const pacedBefore = tally.pacedMs;
    const pgBefore = await pgCounters(db, dbName);
    const cpuBefore = sampleCpu(pid, dbName);
    await sleep(tally.windowEnd - performance.now());
    const cpuAfter = sampleCpu(pid, dbName);
    const pgAfter = await pgCounters(db, dbName);
    const pacedInWindow = tally.pacedMs - pacedBefore;
    const serverRss = rssKib(pid);
    const serverPeak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const windowSeconds = (cpuAfter.at - cpuBefore.at) / 1000;
    stop.now = true;
    await withTimeout(Promise.all(senders), DRAIN_TIMEOUT_MS, 'draining the senders');
    clearInterval(sweeper);
    interrupted.signal.throwIfAborted();
    // Acks of sends that timed out may still come; give them a moment before counting rows.
    if (tally.errors.has('timeout')) await sleep(2_000);
    for (const socket of sockets) socket.close(1000, 'bench done');
    await sleep(200);

    const { rows: counted } = await db.query<{ total: string; acked: string }>(
      `select count(*) as total, count(*) filter (where id = any($1::uuid[])) as acked from messages`,
      [tally.ackedIds],
    );
    const rows = Number(counted[0]?.total);
    const ackedRows = Number(counted[0]?.acked);
    const distinctAcks = new Set(tally.ackedIds).size;
    const verified = rows === tally.ackedIds.length && ackedRows === rows && distinctAcks === rows;

    await db.query(
      'create table bench_commit_scratch (id bigint generated always as identity primary key, payload bytea not null)',
    );
    const sample = () => sampleCpu(pid, dbName);
    const single = await commitRate(databaseUrl.toString(), 1, PG_SECONDS, BYTES, sample);
    const many = await commitRate(databaseUrl.toString(), PG_CONNECTIONS, PG_SECONDS, BYTES, sample);
    const pgSingle = single.rate;
    const pgMany = many.rate;
    const pgCpuSingle = cpuBetween(single.before, single.after, hz);
    const pgCpuMany = cpuBetween(many.before, many.after, hz);

    const cpu = cpuBetween(cpuBefore, cpuAfter, hz);
    tally.latencies.sort((a, b) => a - b);
    const latency = (p: number) => fixed(percentile(tally.latencies, p));
    const mean = tally.latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, tally.latencies.length);
    const ackRate = tally.ackedInWindow / windowSeconds;
    const budget = CONNECTIONS * CLIENT_BUCKET.refillPerSecond;
    const pacedShare = (pacedInWindow / (SENDERS * windowSeconds * 1000)) * 100;
    const errorList = [...tally.errors].map(([code, count]) => `${code}=${count}`).join(' ') || 'none';

    console.log(
      `send  senders=${SENDERS} (1 user each)  connections=${CONNECTIONS} (${PER_SENDER} per sender, round robin, ` +
        `client-paced ≤${CLIENT_BUCKET.refillPerSecond} frames/s each: budget ${budget}/s)  ` +
        `ciphertext=${BYTES}B  window=${SECONDS}s after ${WARMUP_SECONDS}s warm-up  ` +
        `server=${flags.compiled ? 'dist/main.js' : 'src/main.ts (tsx)'}  pool=${POOL ?? 'default'}  ` +
        `connect_all=${fixed(connectMs / 1000, 2)}s`,
    );
    console.log(
      `send  acked_in_window=${tally.ackedInWindow} (${fixed(ackRate, 0)}/s)  latency ms: ` +
        `p50=${latency(50)} p95=${latency(95)} p99=${latency(99)} max=${latency(100)} mean=${fixed(mean)}  ` +
        `errors: ${errorList}  late_acks=${tally.lateAcks}  other_frames=${[...tally.unexpected].map(([type, count]) => `${type}:${count}`).join(',') || 0}  ` +
        `paced=${fixed(pacedShare)}% of sender time${pacedShare > 1 ? ' (capped by the frame budget!)' : ''}`,
    );
    console.log(
      `send  cpu in % of one core over the window (${fixed(cpu.cores, 0)} cores = ${fixed(cpu.cores * 100, 0)}%): ` +
        `server=${fixed(cpu.server)}% (kernel ${fixed(cpu.serverSystem)}%)  postgres(this db+aux)=${fixed(cpu.postgres)}%  bench=${fixed(cpu.bench)}%  ` +
        `irq+softirq=${fixed(cpu.interrupts)}%  other processes=${fixed(cpu.other)}%  machine_busy=${fixed(cpu.machine)}%  (no taskset pinning: the OS shares the cores)  ` +
        `server rss=${mb(serverRss)}MB peak=${mb(serverPeak)}MB`,
    );
    console.log(
      `send  postgres single-row autocommit INSERT, scratch table, ${PG_SECONDS}s each, server idle: ` +
        `1 connection=${fixed(pgSingle, 0)}/s (postgres cpu ${fixed(pgCpuSingle.postgres)}%, other ` +
        `${fixed(pgCpuSingle.other)}%)  ${PG_CONNECTIONS} connections=${fixed(pgMany, 0)}/s (postgres cpu ` +
        `${fixed(pgCpuMany.postgres)}%, other ${fixed(pgCpuMany.other)}%)`,
    );
    console.log(
      `send  verify: messages rows=${rows}  acks=${tally.ackedIds.length}  distinct acked ids=${distinctAcks}  ` +
        `acked ids in table=${ackedRows}  ${verified ? 'OK' : 'MISMATCH'}`,
    );
    const commits = pgAfter.commits - pgBefore.commits;
    const walSyncs = pgAfter.walSyncs - pgBefore.walSyncs;
    console.log(
      `send  postgres over the window: ${fixed(commits / windowSeconds, 0)} transactions/s in this database ` +
        `(${fixed(commits / Math.max(1, tally.ackedInWindow), 2)} per ack; single statements count as one)  ` +
        `${fixed(walSyncs / windowSeconds, 0)} WAL syncs/s (whole cluster, ` +
        `${fixed(tally.ackedInWindow / Math.max(1, walSyncs), 1)} acks per sync)`,
    );
    if (tally.errorSamples.length > 0) console.log(`send  first errors: ${tally.errorSamples.join(' | ')}`);
    console.log(
      `send  senders=${SENDERS}  acked=${fixed(ackRate, 0)}/s  p50=${latency(50)}ms  p99=${latency(99)}ms  ` +
        `errors=${tally.errorCount}  pg_single_commit=${fixed(pgSingle, 0)}/s  ` +
        `pg_${PG_CONNECTIONS}conn_commit=${fixed(pgMany, 0)}/s  server_cpu=${fixed(cpu.server, 0)}%`,
    );
    const warnings = server.output().trim();
    if (warnings) console.log(`send  server output (LOG_LEVEL=warn), last lines:\n${warnings.slice(-2_000)}`);
    if (!verified) process.exitCode = 1;
  } finally {
    stop.now = true;
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
