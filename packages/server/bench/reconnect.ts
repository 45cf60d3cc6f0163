import { parseArgs } from 'node:util';
import type pg from 'pg';
import type WebSocket from 'ws';
import { freePort } from '../test/server-process.js';
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
import { cpuProfileArgs, openScratch, type Scratch } from './scratch.js';
import { seedCommunity } from './seed.js';
import { Member, Sender, seededRandom } from './sim-client.js';

/**
 * Reconnect storm: `--clients` (default 2,000) members, one user and one socket each, spread over
 * `--communities` (4) communities of `--channels` / communities channels each (20 in all, seeded by SQL), each
 * member following every channel of its community with `resume`, like the web client. Once all hold the
 * channels' first events, a sender posts `--before` messages per channel and the server is stopped with
 * SIGTERM right after their acknowledgements (it closes every socket with 1001), then started again on the same
 * port and database. Every member reconnects on its own with the web client's backoff (0.5 s doubling, equal
 * jitter, seeded) and resumes from the last `seq` it holds; meanwhile the sender, back as soon as the server
 * answers, posts `--after` messages per channel at `--rate` per second, so every member has missed events to
 * recover, some replayed from the log and some live.
 *
 * Measured: the time from the stop until every member is authenticated, resumed and holds every event of its
 * channels (target < 15 s), how long the server was down, the connect rate during the storm and the server's
 * CPU meanwhile. Then each member's events are checked against the event log in the database: every `seq`
 * exactly once, in order, with the logged message id; anything missing or duplicated fails the run.
 *
 * The load generator is its own process (pinned by `npm run bench` to another CPU than the server); its CPU is
 * reported. Sockets come from 127.1.x.y, at most 32 per address (the per-IP limit of the upgrade).
 * `--compiled` runs dist/main.js; `--cpu-prof DIR` profiles both server processes into DIR.
 */
const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    channels: { type: 'string', default: '20' },
    communities: { type: 'string', default: '4' },
    before: { type: 'string', default: '2' },
    after: { type: 'string', default: '5' },
    rate: { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '50' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
  },
});
const CLIENTS = positiveInteger(flags.clients, '--clients');
const CHANNELS = positiveInteger(flags.channels, '--channels');
const COMMUNITIES = positiveInteger(flags.communities, '--communities');
const BEFORE = positiveInteger(flags.before, '--before');
const AFTER = positiveInteger(flags.after, '--after');
const RATE = positiveInteger(flags.rate, '--rate');
const SEED = positiveInteger(flags.seed, '--seed');
const BATCH = positiveInteger(flags.batch, '--batch');
if (CHANNELS % COMMUNITIES !== 0) throw new Error('--channels must be a multiple of --communities');
const RECOVERY_TIMEOUT_MS = 60_000;
const BATCH_TIMEOUT_MS = 30_000;
const FD_HEADROOM = 512;
const CIPHERTEXT = Array.from({ length: 100 }, (_, i) => (i * 37 + 11) % 256);
const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

interface World extends Scratch {
  /** The port both server processes (before and after the restart) listen on. */
  port: number;
}

/** Everything each channel's log holds, as message ids by seq. */
async function eventLog(db: pg.Client, channelIds: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ channel_id: string; seq: string; frame: string | object }>(
    'select channel_id, seq, frame from channel_events where channel_id = any($1::uuid[]) order by channel_id, seq',
    [channelIds],
  );
  const log = new Map<string, string[]>(channelIds.map((id) => [id, []]));
  for (const row of rows) {
    const frame = (typeof row.frame === 'string' ? JSON.parse(row.frame) : row.frame) as { id?: string };
    const list = log.get(row.channel_id) as string[];
    if (Number(row.seq) !== list.length + 1) throw new Error(`the log of ${row.channel_id} has a hole`);
    list.push(String(frame.id));
  }
  return log;
}

/** Missing, extra and misplaced events of every member against the log. */
function verify(members: readonly Member[], log: Map<string, string[]>) {
  let missing = 0;
  let extra = 0;
  let misplaced = 0;
  const samples: string[] = [];
  for (const [index, member] of members.entries()) {
    for (const [channelId, received] of member.received) {
      const expected = log.get(channelId) ?? [];
      missing += Math.max(0, expected.length - received.length);
      extra += Math.max(0, received.length - expected.length);
      received.forEach((event, i) => {
        if (event.seq === i + 1 && expected[i] === event.id) return;
        misplaced += 1;
        if (samples.length < 5) samples.push(`member ${index} ${channelId} #${i}: got seq ${event.seq}`);
      });
    }
    for (const fault of member.faults) if (samples.length < 5) samples.push(`member ${index}: ${fault}`);
  }
  const faults = members.reduce((sum, member) => sum + member.faults.length, 0);
  const errors = members.reduce((sum, member) => sum + member.errors.length, 0);
  const ok = missing + extra + misplaced + faults === 0;
  return { missing, extra, misplaced, faults, errors, samples, ok };
}

/** When a member held everything up to `final` (and had resumed), or null if it never did. */
function recoveredAt(member: Member, final: Map<string, number>): number | null {
  if (member.resumedAt === 0) return null;
  let at = member.resumedAt;
  for (const [channelId, received] of member.received) {
    const target = final.get(channelId) ?? 0;
    const event = received.find((e) => e.seq === target);
    if (target > 0 && !event) return null;
    if (event) at = Math.max(at, event.at);
  }
  return at;
}

async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function connectSender(wsUrl: string, token: string, sockets: WebSocket[]): Promise<Sender> {
  const own: WebSocket[] = [];
  await withTimeout(
    Promise.all(Array.from({ length: PER_USER }, () => connect(wsUrl, token, '127.0.0.1', own))),
    BATCH_TIMEOUT_MS,
    'sender connect',
  );
  sockets.push(...own);
  return new Sender(own, 'sender', CIPHERTEXT);
}

/** Sends `perChannel` messages to each channel, interleaved, at `rate` per second overall. */
async function post(sender: Sender, channelIds: readonly string[], perChannel: number, rate: number) {
  const started = performance.now();
  const sends: Array<Promise<unknown>> = [];
  for (let n = 0; n < perChannel * channelIds.length; n += 1) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(sender.send(channelIds[n % channelIds.length] as string));
  }
  await withTimeout(Promise.all(sends), BATCH_TIMEOUT_MS, 'acknowledgements');
}

async function main(): Promise<void> {
  const needed = CLIENTS + PER_USER + FD_HEADROOM;
  const reran = ensureOpenFiles(needed, {
    name: 'reconnect',
    envFlag: 'RECONNECT_RAISED_NOFILE',
    advice: (soft, hard) =>
      `the open files limit is ${soft} (hard ${hard}) and ${needed} are needed: run \`ulimit -n ${needed}\``,
  });
  if (reran !== null) {
    process.exitCode = reran;
    return;
  }
  const scratch = await openScratch('reconnect');
  const sockets: WebSocket[] = [];
  const members: Member[] = [];
  const servers: Server[] = [];
  try {
    await run({ ...scratch, port: await freePort() }, servers, members, sockets);
  } catch (error) {
    const output = servers.at(-1)?.output().trim();
    if (output) console.error(`reconnect  server output, last lines:\n${output.slice(-3_000)}`);
    throw error;
  } finally {
    for (const member of members) member.stop();
    for (const server of servers) await stopServer(server.child);
    for (const socket of sockets) socket.terminate();
    await scratch.dispose();
  }
}

async function run(world: World, servers: Server[], members: Member[], sockets: WebSocket[]): Promise<void> {
  const env = world.serverEnv;
  const nodeArgs = cpuProfileArgs(flags['cpu-prof']);
  const first = await startServer(env, { compiled: flags.compiled, port: world.port, nodeArgs });
  servers.push(first);
  const owner = await registerFirstUser(first.baseUrl, `reconnect_${process.pid}`);
  const users = await cloneUsers(world.db, owner.user.id, CLIENTS, serverTokenService(world.dataDir), {
    usernamePrefix: `reconnect_${process.pid}`,
    deviceName: 'reconnect bench',
  });
  const perCommunity = CHANNELS / COMMUNITIES;
  const communities = [];
  for (let c = 0; c < COMMUNITIES; c += 1) {
    const memberIds = users.filter((_, i) => i % COMMUNITIES === c).map((user) => user.id);
    communities.push(await seedCommunity(world.db, owner.user.id, `storm${c}`, perCommunity, memberIds));
  }
  const channelIds = communities.flatMap((community) => community.channelIds);
  const wsUrl = `${first.baseUrl.replace(/^http/, 'ws')}/ws`;
  let sender = await connectSender(wsUrl, owner.access_token, sockets);
  await post(sender, channelIds, 1, RATE * 4);

  const random = seededRandom(SEED);
  for (const [i, user] of users.entries()) {
    const community = communities[i % COMMUNITIES] as { channelIds: string[] };
    members.push(
      new Member({
        wsUrl,
        token: user.token,
        localAddress: localAddressOf(i),
        channelIds: community.channelIds,
        random,
      }),
    );
  }
  const connectStarted = performance.now();
  for (let start = 0; start < members.length; start += BATCH) {
    const batch = members.slice(start, start + BATCH).map((member) => member.start());
    await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, `members from ${start}`);
  }
  const initialConnectMs = performance.now() - connectStarted;
  await waitUntil(
    () => members.every((member) => [...member.received.values()].every((list) => list.length === 1)),
    BATCH_TIMEOUT_MS,
    'first events',
  );

  await post(sender, channelIds, BEFORE, RATE);
  const stoppedAt = performance.now();
  await stopServer(first.child);
  const exitedAt = performance.now();
  const second = await startServer(env, { compiled: flags.compiled, port: world.port, nodeArgs });
  servers.push(second);
  const upAt = performance.now();
  const pid = second.child.pid ?? 0;
  const hz = clockTicksPerSecond();
  const cpuBefore = sampleCpu(pid, world.name);
  sender = await connectSender(wsUrl, owner.access_token, sockets);
  await post(sender, channelIds, AFTER, RATE);
  const postedAt = performance.now();
  const { rows } = await world.db.query<{ channel_id: string; seq: string }>(
    'select channel_id, seq from channel_event_seq where channel_id = any($1::uuid[])',
    [channelIds],
  );
  const final = new Map(rows.map((row) => [row.channel_id, Number(row.seq)]));
  await waitUntil(
    () => members.every((member) => recoveredAt(member, final) !== null),
    RECOVERY_TIMEOUT_MS,
    'recovery',
  );
  const cpu = cpuBetween(cpuBefore, sampleCpu(pid, world.name), hz);
  const rss = rssKib(pid);

  const recovered = members.map((member) => (recoveredAt(member, final) as number) - stoppedAt);
  const authenticated = members.map((member) => member.authenticatedAt).sort((a, b) => a - b);
  recovered.sort((a, b) => a - b);
  const allRecoveredMs = recovered.at(-1) ?? 0;
  const stormSeconds = ((authenticated.at(-1) ?? 0) - (authenticated[0] ?? 0)) / 1000;
  const connectRate = CLIENTS / Math.max(stormSeconds, 0.001);
  const downMs = upAt - stoppedAt;
  const attempts = members.reduce((sum, member) => sum + member.attempts, 0) - CLIENTS;
  const check = verify(members, await eventLog(world.db, channelIds));
  const endings = new Map<string, number>();
  for (const member of members)
    for (const [reason, count] of member.endings) endings.set(reason, (endings.get(reason) ?? 0) + count);
  const endingList = [...endings].map(([reason, count]) => `${reason} ×${count}`).join(', ');
  const events = [...final.values()].reduce((sum, seq) => sum + seq, 0);

  console.log(
    `reconnect  clients=${CLIENTS} channels=${CHANNELS} in ${COMMUNITIES} communities  initial connect ` +
      `${(initialConnectMs / 1000).toFixed(1)}s  events=${events} (${BEFORE}/channel before the stop, ${AFTER} after)`,
  );
  console.log(
    `reconnect  stop→exit ${(exitedAt - stoppedAt).toFixed(0)}ms  down ${downMs.toFixed(0)}ms  ` +
      `posted after ${((postedAt - stoppedAt) / 1000).toFixed(1)}s  all authenticated ` +
      `${(((authenticated.at(-1) ?? 0) - stoppedAt) / 1000).toFixed(2)}s  all recovered ${(allRecoveredMs / 1000).toFixed(2)}s ` +
      `(p50 ${(percentile(recovered, 50) / 1000).toFixed(2)}s)  ${connectRate.toFixed(0)} conn/s  ` +
      `${attempts} connection attempts`,
  );
  console.log(`reconnect  why connections ended: ${endingList}`);
  console.log(
    `reconnect  cpu from restart to recovery, % of one core: server=${cpu.server.toFixed(0)}% ` +
      `postgres=${cpu.postgres.toFixed(0)}% bench=${cpu.bench.toFixed(0)}% other=${cpu.other.toFixed(0)}%  ` +
      `server rss=${mb(rss)}MB`,
  );
  console.log(
    `reconnect  verify: missing=${check.missing} extra=${check.extra} misplaced=${check.misplaced} ` +
      `faults=${check.faults} (error frames, after which the client reconnected: ${check.errors}) ${check.ok ? 'OK' : `FAILED ${check.samples.join(' | ')}`}`,
  );
  const warnings = second.output().trim();
  if (warnings) console.log(`reconnect  server output, last lines:\n${warnings.slice(-2_000)}`);
  report({
    name: 'reconnect',
    measurements: [
      {
        metric: 'stop → all recovered',
        value: fixed(allRecoveredMs / 1000, 2),
        unit: 's',
        target: { atMost: 15 },
      },
      {
        metric: 'events missing or duplicated',
        value: check.missing + check.extra + check.misplaced + check.faults,
        unit: '',
        target: { atMost: 0 },
      },
      { metric: 'error frames (client reconnected)', value: check.errors, unit: '' },
      { metric: 'server down', value: fixed(downMs / 1000, 2), unit: 's' },
      { metric: 'reconnect rate', value: fixed(connectRate, 0), unit: 'conn/s' },
      { metric: 'server CPU, restart → recovered', value: fixed(cpu.server, 0), unit: '% of a core' },
      { metric: 'generator CPU', value: fixed(cpu.bench, 0), unit: '% of a core' },
    ],
    notes: [
      `${CLIENTS} clients in ${COMMUNITIES} communities × ${CHANNELS / COMMUNITIES} channels; ${events} events, ` +
        `${AFTER} per channel posted after the restart; recovered p50 ${(percentile(recovered, 50) / 1000).toFixed(2)} s; ` +
        `client backoff 0.5 s doubling with equal jitter`,
      `connections ended: ${endingList}`,
    ],
  });
  if (!check.ok) process.exitCode = 1;
}

await main();
