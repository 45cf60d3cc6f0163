import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
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
import { clockTicksPerSecond, cpuBetween, sampleCpu } from './cpu.js';
import { report } from './report.js';
import { cpuProfileArgs, openScratch } from './scratch.js';

/**
 * Capacity: idle memory per authenticated WebSocket connection. A real server process on a throwaway PostgreSQL
 * database, N sockets (`--connections`, default 10,000) that authenticate and subscribe to nothing, and the
 * server's VmRSS before the first socket and after all of them have sat idle for a few seconds: RSS per
 * connection ((after − before) / N, target ≤ 20 KiB), total RSS (target ≤ 400 MB), the time to connect them
 * all (in batches of `--batch` concurrent handshakes) and the server's CPU while they connect.
 *
 * One user registers through the API (Argon2 is slow); the other N/8 - 1 are copies of its row inserted
 * directly, each with one `sessions` row and an access token minted with the server's own key pair
 * (DATA_DIR/secrets), at most 8 sockets per user like the gateway allows. Sockets come from 127.1.x.y, at
 * most 32 per address, so the per-IP request rate limit (burst 50) never refuses an upgrade. Both ends of
 * every socket live on this host, so the open files limit is raised for this process and the server.
 *
 * The load generator is a separate process (pinned by `npm run bench` to another CPU than the server); its
 * own CPU and RSS are reported. A warm-up user's sockets connect and close first so that code loading and
 * JIT are not counted per socket.
 *
 * Admin URL of PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
 * `--compiled` runs dist/main.js (after `npm run build`) instead of src/main.ts through tsx;
 * `--cpu-prof DIR` runs the server with `node --cpu-prof` into DIR.
 */
const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '200' },
    'cpu-prof': { type: 'string' },
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
const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const needed = CONNECTIONS + FD_HEADROOM;
  const reran = ensureOpenFiles(needed, {
    name: 'capacity',
    envFlag: 'CAPACITY_RAISED_NOFILE',
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
  const scratch = await openScratch('capacity');
  const { db, dataDir } = scratch;
  const sockets: WebSocket[] = [];
  let server: Server | null = null;
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    server = await startServer(scratch.serverEnv, {
      compiled: flags.compiled,
      nodeArgs: cpuProfileArgs(flags['cpu-prof']),
    });
    const pid = server.child.pid ?? 0;

    const first = await registerFirstUser(server.baseUrl, `capacity_${process.pid}`);
    const tokenService = serverTokenService(dataDir);
    const setupStarted = performance.now();
    const tokens = [
      first.access_token,
      ...(
        await cloneUsers(db, first.user.id, userCount - 1, tokenService, {
          usernamePrefix: `capacity_${process.pid}`,
          deviceName: 'capacity bench',
        })
      ).map((user) => user.token),
    ];
    const setupMs = performance.now() - setupStarted;
    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;

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
    const hz = clockTicksPerSecond();
    const cpuBefore = sampleCpu(pid, scratch.name);

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
    const cpu = cpuBetween(cpuBefore, sampleCpu(pid, scratch.name), hz);

    await sleep(IDLE_MS);
    interrupted.signal.throwIfAborted();
    const after = rssKib(pid);
    const clientAfter = rssKib('self');
    const open = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
    if (open !== CONNECTIONS) throw new Error(`only ${open} of ${CONNECTIONS} sockets are still open`);

    latencies.sort((a, b) => a - b);
    const perConnection = (after - before) / CONNECTIONS;
    const connectSeconds = connectMs / 1000;
    const serverCpuMsPerConnect = ((cpu.server / 100) * connectSeconds * 1000) / CONNECTIONS;
    console.log(
      `capacity  connections=${CONNECTIONS}  rss_before=${mb(before)}MB  rss_after=${mb(after)}MB  ` +
        `per_connection=${perConnection.toFixed(1)}KiB  connect_all=${connectSeconds.toFixed(2)}s`,
    );
    console.log(
      `capacity  users=${userCount} (1 registered, ${userCount - 1} inserted in ${setupMs.toFixed(0)} ms)  ` +
        `batch=${BATCH}  authenticate p50=${percentile(latencies, 50).toFixed(0)}ms ` +
        `p95=${percentile(latencies, 95).toFixed(0)}ms  ${(CONNECTIONS / connectSeconds).toFixed(0)} conn/s`,
    );
    console.log(
      `capacity  cpu while connecting, % of one core: server=${cpu.server.toFixed(1)}% ` +
        `(${serverCpuMsPerConnect.toFixed(2)} ms per connection) postgres=${cpu.postgres.toFixed(1)}% ` +
        `bench=${cpu.bench.toFixed(1)}% other=${cpu.other.toFixed(1)}%  ` +
        `client rss_before=${mb(clientBefore)}MB rss_after=${mb(clientAfter)}MB`,
    );
    const warnings = server.output().trim();
    if (warnings)
      console.log(`capacity  server output (LOG_LEVEL=warn), last lines:\n${warnings.slice(-2_000)}`);
    report({
      name: 'capacity',
      measurements: [
        {
          metric: 'RSS per idle connection',
          value: fixed(perConnection),
          unit: 'KiB',
          target: { atMost: 20 },
        },
        {
          metric: `total RSS, ${CONNECTIONS} connections`,
          value: fixed(after / 1024, 0),
          unit: 'MB',
          target: { atMost: 400 },
        },
        { metric: 'connect all', value: fixed(connectSeconds, 2), unit: 's' },
        { metric: 'connect rate', value: fixed(CONNECTIONS / connectSeconds, 0), unit: 'conn/s' },
        { metric: 'authenticate p95', value: fixed(percentile(latencies, 95), 0), unit: 'ms' },
        { metric: 'server CPU while connecting', value: fixed(cpu.server, 0), unit: '% of a core' },
        { metric: 'server CPU per connection', value: fixed(serverCpuMsPerConnect, 2), unit: 'ms' },
        { metric: 'generator CPU while connecting', value: fixed(cpu.bench, 0), unit: '% of a core' },
      ],
      notes: [
        `RSS ${mb(before)} MB before the first socket (after a warm-up), ${mb(after)} MB after ${CONNECTIONS} ` +
          `idle sockets (${IDLE_MS / 1000} s idle); ${BATCH} handshakes in flight; PostgreSQL ${cpu.postgres.toFixed(0)}% of a core`,
      ],
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (server) await stopServer(server.child);
    for (const socket of sockets) socket.terminate();
    await scratch.dispose();
  }
}

await main();
