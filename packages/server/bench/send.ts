import { parseArgs } from 'node:util';
import type pg from 'pg';
import type WebSocket from 'ws';
import { uuidv7 } from '../src/platform/ids.js';
import {
  cloneUsers,
  connect,
  ensureOpenFiles,
  localAddressOf,
  PER_USER,
  positiveInteger,
  registerFirstUser,
  type Server,
  serverTokenService,
  startServer,
  stopServer,
  withTimeout,
} from './bench-server.js';
import { type CpuSample, clockTicksPerSecond, cpuBetween, sampleCpu } from './cpu.js';
import { type Measurement, report } from './report.js';
import { cpuProfileArgs, openScratch } from './scratch.js';
import { CLIENT_BUCKET, SendLoad, type StepResult } from './send-load.js';
import { commitRate, type PgCounters, pgCounters } from './send-postgres.js';

/**
 * Persisted, acknowledged messages per second: a real server process on a throwaway PostgreSQL database and
 * `--senders` (default 200) users sending into one text channel, each over `--connections-per-sender` sockets
 * (default 6: the gateway allows 10 frames/s per socket, so 1,200 sockets can carry 10,800/s).
 *
 * The load is open-loop, at rising offered rates (`--rates`, default 1,000 … 8,000/s, `--step-seconds` each,
 * the first second of each not counted, after an unreported 3 s at 1,000/s): frames go out on schedule
 * whether or not earlier ones were answered, and the latency of each is send → its `message_sent` (the server acknowledges only after the commit). A step
 * *sustains* its rate when ≥ 97% of it is acknowledged with p99 ≤ 50 ms; the headline is the highest such
 * rate. The steps stop once one falls far behind. Nobody subscribes to the channel: only the write path.
 *
 * Then PostgreSQL's own single-row autocommit INSERT rate is measured on 1 connection and on as many as the
 * server's pool (`--pg-seconds` each) against a scratch table of the same database, and the rows of
 * `messages` are checked against the acknowledgements (every ack is a row, no row without an ack).
 *
 * Keeping the generator from distorting the figures: it is its own process (the runner pins it with taskset
 * to the CPU the server is not pinned to), and the CPU of the server, of PostgreSQL (this database's backends
 * and the shared WAL writer and checkpointer), of this generator and of other processes is reported per
 * step, with server and PostgreSQL CPU per acknowledged message.
 *
 * Admin URL of PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
 * `--compiled` runs dist/main.js (after `npm run build`) instead of src/main.ts through tsx; `--pool N` sets
 * the server's DATABASE_POOL_SIZE; `--cpu-prof DIR` runs the server with `node --cpu-prof` into DIR.
 */
const { values: flags } = parseArgs({
  options: {
    senders: { type: 'string', default: '200' },
    'connections-per-sender': { type: 'string', default: '6' },
    rates: { type: 'string', default: '1000,2000,3000,4000,5000,6000,7000,8000' },
    'step-seconds': { type: 'string', default: '5' },
    bytes: { type: 'string', default: '100' },
    'pg-seconds': { type: 'string', default: '3' },
    pool: { type: 'string' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
  },
});
const SENDERS = positiveInteger(flags.senders, '--senders');
const PER_SENDER = positiveInteger(flags['connections-per-sender'], '--connections-per-sender');
const RATES = flags.rates.split(',').map((rate) => positiveInteger(rate, '--rates'));
const STEP_SECONDS = positiveInteger(flags['step-seconds'], '--step-seconds');
const BYTES = positiveInteger(flags.bytes, '--bytes');
const PG_SECONDS = positiveInteger(flags['pg-seconds'], '--pg-seconds');
const POOL = flags.pool === undefined ? undefined : positiveInteger(flags.pool, '--pool');
if (PER_SENDER > PER_USER)
  throw new Error(`--connections-per-sender must be at most ${PER_USER}, a user's connection limit`);
if (BYTES > 65_536) throw new Error('--bytes must be at most 65536, the ciphertext limit');
if (STEP_SECONDS < 2) throw new Error('--step-seconds must be at least 2 (the first is warm-up)');
const CONNECTIONS = SENDERS * PER_SENDER;
/** The server's default DATABASE_POOL_SIZE. */
const DEFAULT_POOL = 10;
const PG_CONNECTIONS = POOL ?? DEFAULT_POOL;
const TARGET = { rate: 5_000, p99Ms: 50 } as const;
/** A step keeps up when this share of its offered rate is acknowledged. */
const KEPT_UP = 0.97;
/** After a step this far behind (acks or p99), higher rates are not tried. */
const GAVE_UP = { ackShare: 0.8, p99Ms: 1_000 } as const;
/** An unreported first step, so that the server's code is compiled and its pool open before measuring. */
const WARMUP_RATE = 1_000;
const WARMUP_SECONDS = 3;
const CONNECT_BATCH = 200;
const CONNECT_TIMEOUT_MS = 30_000;
const FD_HEADROOM = 512;
const NONCE = '[1,2,3,4,5,6,7,8,9,10,11,12]';

interface Step extends StepResult {
  cpu: ReturnType<typeof cpuBetween>;
  transactions: number;
  walSyncs: number;
}

const sustains = (step: Step) => step.acked >= step.offered * KEPT_UP && step.p99 <= TARGET.p99Ms;
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const round = (value: number) => Math.round(value);
const perMessage = (percentOfCore: number, rate: number) =>
  round((percentOfCore * 10_000) / Math.max(1, rate));

interface Probes {
  sample: () => CpuSample;
  counters: () => Promise<PgCounters>;
  hz: number;
}

async function runSteps(load: SendLoad, probes: Probes): Promise<Step[]> {
  await load.step(WARMUP_RATE, WARMUP_SECONDS, 1);
  const steps: Step[] = [];
  for (const rate of RATES) {
    const pgBefore = await probes.counters();
    const before = probes.sample();
    const result = await load.step(rate, STEP_SECONDS, 1);
    const cpu = cpuBetween(before, probes.sample(), probes.hz);
    const pgAfter = await probes.counters();
    const step: Step = {
      ...result,
      cpu,
      transactions: pgAfter.commits - pgBefore.commits,
      walSyncs: pgAfter.walSyncs - pgBefore.walSyncs,
    };
    steps.push(step);
    console.log(
      `send  offered=${rate}/s  acked=${fixed(step.acked, 0)}/s  p50=${fixed(step.p50)}ms  p99=${fixed(step.p99)}ms  ` +
        `errors=${step.errors}  unsent=${step.unsent}  unanswered=${step.unanswered}  ` +
        `cpu %: server=${fixed(cpu.server)} (${perMessage(cpu.server, step.acked)}µs/msg)  ` +
        `postgres=${fixed(cpu.postgres)} (${perMessage(cpu.postgres, step.acked)}µs/msg)  ` +
        `generator=${fixed(cpu.bench)}  other=${fixed(cpu.other)}  ` +
        `pg transactions/msg=${fixed(step.transactions / Math.max(1, step.acked * STEP_SECONDS), 2)}  ` +
        `wal syncs/s=${fixed(step.walSyncs / STEP_SECONDS, 0)} (whole cluster)` +
        `${sustains(step) ? '  sustained' : ''}`,
    );
    if (step.acked < rate * GAVE_UP.ackShare || step.p99 > GAVE_UP.p99Ms) break;
  }
  return steps;
}

async function openSockets(wsUrl: string, tokens: string[], sockets: WebSocket[]): Promise<void> {
  for (let start = 0; start < CONNECTIONS; start += CONNECT_BATCH) {
    const end = Math.min(CONNECTIONS, start + CONNECT_BATCH);
    const batch = Array.from({ length: end - start }, (_, j) => {
      const i = start + j;
      return connect(wsUrl, tokens[Math.floor(i / PER_SENDER)] ?? '', localAddressOf(i), sockets);
    });
    await withTimeout(Promise.all(batch), CONNECT_TIMEOUT_MS, `connections from ${start}`);
  }
}

/** Every acknowledged id is a row, and every row was acknowledged. */
async function verifyRows(db: pg.Client, ackedIds: string[]): Promise<boolean> {
  const { rows } = await db.query<{ total: string; acked: string }>(
    `select count(*) as total, count(*) filter (where id = any($1::uuid[])) as acked from messages`,
    [ackedIds],
  );
  const total = Number(rows[0]?.total);
  const distinct = new Set(ackedIds).size;
  console.log(
    `send  verify: rows=${total} acks=${ackedIds.length} distinct=${distinct} acked rows=${rows[0]?.acked}`,
  );
  return total === ackedIds.length && Number(rows[0]?.acked) === total && distinct === total;
}

/** The step at the target rate (or the last one reached): its latency and CPU are the ones reported. */
const targetStep = (steps: Step[]) => steps.find((step) => step.offered === TARGET.rate) ?? steps.at(-1);

function measurements(steps: Step[], pgSingle: number, pgMany: number): Measurement[] {
  const best = steps.filter(sustains).at(-1);
  const atTarget = targetStep(steps);
  const fastest = Math.max(...steps.map((step) => step.acked));
  const list: Measurement[] = [
    {
      metric: `sustained acks/s (≥ ${KEPT_UP * 100}% of offered, p99 ≤ ${TARGET.p99Ms} ms)`,
      value: round(best?.acked ?? 0),
      unit: '/s',
      target: { atLeast: TARGET.rate },
    },
  ];
  if (atTarget) {
    list.push(
      {
        metric: `p99 ack at ${atTarget.offered}/s offered`,
        value: Number(fixed(atTarget.p99)),
        unit: 'ms',
        target: { atMost: TARGET.p99Ms },
      },
      { metric: `p50 ack at ${atTarget.offered}/s offered`, value: Number(fixed(atTarget.p50)), unit: 'ms' },
    );
  }
  list.push(
    { metric: 'most acks/s in a step', value: round(fastest), unit: '/s' },
    { metric: 'PostgreSQL single-row commits, 1 connection', value: round(pgSingle), unit: '/s' },
    {
      metric: `PostgreSQL single-row commits, ${PG_CONNECTIONS} connections`,
      value: round(pgMany),
      unit: '/s',
    },
  );
  if (atTarget) {
    const at = `at ${atTarget.offered}/s`;
    list.push(
      { metric: `server CPU ${at}`, value: round(atTarget.cpu.server), unit: '% of a core' },
      {
        metric: `server CPU per message ${at}`,
        value: perMessage(atTarget.cpu.server, atTarget.acked),
        unit: 'µs',
      },
      {
        metric: `PostgreSQL CPU per message ${at}`,
        value: perMessage(atTarget.cpu.postgres, atTarget.acked),
        unit: 'µs',
      },
      { metric: `load generator CPU ${at}`, value: round(atTarget.cpu.bench), unit: '% of a core' },
    );
  }
  return list;
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
  const scratch = await openScratch('send');
  const { db, dataDir, name: dbName } = scratch;
  const sockets: WebSocket[] = [];
  let server: Server | null = null;
  try {
    server = await startServer(
      { ...scratch.serverEnv, ...(POOL !== undefined && { DATABASE_POOL_SIZE: String(POOL) }) },
      { compiled: flags.compiled, nodeArgs: cpuProfileArgs(flags['cpu-prof']) },
    );
    const pid = server.child.pid ?? 0;

    const first = await registerFirstUser(server.baseUrl, `send_${process.pid}`);
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
      `insert into channel_members (channel_id, user_id) select $1, u from unnest($2::uuid[]) as u`,
      [channelId, users.map((user) => user.id)],
    );

    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;
    const connectStarted = performance.now();
    await openSockets(
      wsUrl,
      users.map((user) => user.token),
      sockets,
    );
    console.log(
      `send  ${SENDERS} senders, ${CONNECTIONS} sockets (client-paced ≤${CLIENT_BUCKET.refillPerSecond}/s each) ` +
        `connected in ${fixed((performance.now() - connectStarted) / 1000, 2)}s; ciphertext ${BYTES} B; ` +
        `server ${flags.compiled || process.env.BENCH_COMPILED === '1' ? 'dist/main.js' : 'src/main.ts (tsx)'}`,
    );
    const ciphertext = `[${Array.from({ length: BYTES }, (_, i) => (i * 37 + 11) % 256).join(',')}]`;
    const load = new SendLoad(
      sockets,
      (ref) =>
        `{"type":"send_message","channel_id":"${channelId}","ciphertext":${ciphertext},"nonce":${NONCE},` +
        `"message_type":"text","client_id":"${ref}","ref":"${ref}"}`,
    );
    const steps = await runSteps(load, {
      sample: () => sampleCpu(pid, dbName),
      counters: () => pgCounters(db, dbName),
      hz: clockTicksPerSecond(),
    });
    const verified = await verifyRows(db, load.ackedIds);

    await db.query(
      'create table bench_commit_scratch (id bigint generated always as identity primary key, payload bytea not null)',
    );
    const sample = () => sampleCpu(pid, dbName);
    const single = await commitRate(scratch.url, 1, PG_SECONDS, BYTES, sample);
    const many = await commitRate(scratch.url, PG_CONNECTIONS, PG_SECONDS, BYTES, sample);
    console.log(
      `send  postgres single-row autocommit INSERT, ${PG_SECONDS}s each, server idle: 1 connection=` +
        `${fixed(single.rate, 0)}/s  ${PG_CONNECTIONS} connections=${fixed(many.rate, 0)}/s`,
    );
    const shown = targetStep(steps);
    report({
      name: 'send',
      measurements: measurements(steps, single.rate, many.rate),
      notes: [
        `open loop, ${SENDERS} senders over ${CONNECTIONS} sockets, steps of ${STEP_SECONDS} s at ` +
          `${steps.map((step) => step.offered).join(', ')}/s; rows checked against acks: ${verified ? 'OK' : 'MISMATCH'}`,
        ...(shown
          ? [
              `at ${shown.offered}/s: other processes ${round(shown.cpu.other)}% of a core, machine ` +
                `${round(shown.cpu.machine)}% of ${round(shown.cpu.cores * 100)}%; PostgreSQL ` +
                `${round(shown.cpu.postgres)}% of a core; ${shown.unsent} frames unsent by the generator, ` +
                `${shown.errors} errors${load.errorSamples.length > 0 ? ` (${load.errorSamples.join('; ')})` : ''}`,
            ]
          : []),
      ],
    });
    const warnings = server.output().trim();
    if (warnings) console.log(`send  server output (LOG_LEVEL=warn), last lines:\n${warnings.slice(-2_000)}`);
    if (!verified) process.exitCode = 1;
  } finally {
    if (server) await stopServer(server.child);
    for (const socket of sockets) socket.terminate();
    await scratch.dispose();
  }
}

await main();
