import { parseArgs } from 'node:util';
import type pg from 'pg';
import type WebSocket from 'ws';
import {
  type ClonedUser,
  cloneUsers,
  connect,
  ensureOpenFiles,
  localAddressOf,
  mb,
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
import { type SeededCommunity, seedCommunity } from './seed.js';
import { type Frame, Member, Sender, seededRandom } from './sim-client.js';

/**
 * Community: a realistic mix on one server. `--members` (3,000) users in `--communities` (3) communities of
 * `--channels` (20) text channels each, seeded by SQL; every member belongs to one community, every 50th to the
 * next one as well. Each member is online with one socket (every 10th with two), following every channel of
 * its communities with `resume` like the web client. Then, for `--warmup` (10) + `--seconds` (60) seconds:
 * - presence: members flip between idle and online, each every few minutes (`--presence`, 5 changes/s
 *   overall), each change going to the member's community mates;
 * - messages: `--rate` (50) per second overall, spread at random over the channels, sent by 10 members per
 *   community on a second socket each (paced under the gateway's frame budget), `--typing` (30 %) of them
 *   preceded by a `typing` frame one second earlier.
 *
 * Measured over the window: the server's CPU in % of one core and of the machine, p50/p99 delivery latency
 * (send → `new_message` on a member's socket, in this process's clock, so it includes the generator's own
 * delay), deliveries per second, server RSS, and the generator's own CPU. Only every 10th member parses what
 * it receives (an observer: latency and completeness are taken there); the others read their frames without
 * parsing them, so the generator's CPU goes to reading sockets. The generator is its own process (pinned to
 * another CPU than the server by `npm run bench`).
 *
 * `--compiled` runs dist/main.js; `--cpu-prof DIR` runs the server with `node --cpu-prof` into DIR.
 */
const { values: flags } = parseArgs({
  options: {
    members: { type: 'string', default: '3000' },
    communities: { type: 'string', default: '3' },
    channels: { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    presence: { type: 'string', default: '5' },
    typing: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '25' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
  },
});
const MEMBERS = positiveInteger(flags.members, '--members');
const COMMUNITIES = positiveInteger(flags.communities, '--communities');
const CHANNELS = positiveInteger(flags.channels, '--channels');
const RATE = positiveInteger(flags.rate, '--rate');
const PRESENCE_RATE = positiveInteger(flags.presence, '--presence');
const TYPING_PERCENT = Number(flags.typing);
const SECONDS = positiveInteger(flags.seconds, '--seconds');
const WARMUP = positiveInteger(flags.warmup, '--warmup');
const BATCH = positiveInteger(flags.batch, '--batch');
const random = seededRandom(positiveInteger(flags.seed, '--seed'));
const SENDERS_PER_COMMUNITY = 10;
const TWO_COMMUNITIES_EVERY = 50;
const SECOND_SOCKET_EVERY = 10;
const OBSERVER_EVERY = 10;
const TYPING_LEAD_MS = 1_000;
const BATCH_TIMEOUT_MS = 60_000;
const FD_HEADROOM = 512;
const CIPHERTEXT = Array.from({ length: 100 }, (_, i) => (i * 37 + 11) % 256);
const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));

interface Simulation {
  communities: SeededCommunity[];
  /** Communities of each member, by member index. */
  membership: number[][];
  members: Member[];
  /** Senders per community. */
  senders: Sender[][];
  deliveries: Array<{ id: string; at: number }>;
}

function communitiesOf(i: number): number[] {
  const home = i % COMMUNITIES;
  return i % TWO_COMMUNITIES_EVERY === 0 && COMMUNITIES > 1 ? [home, (home + 1) % COMMUNITIES] : [home];
}

async function seed(db: pg.Client, ownerId: string, users: readonly ClonedUser[]) {
  const membership = users.map((_, i) => communitiesOf(i));
  const communities: SeededCommunity[] = [];
  for (let c = 0; c < COMMUNITIES; c += 1) {
    const ids = users.filter((_, i) => membership[i]?.includes(c)).map((user) => user.id);
    communities.push(await seedCommunity(db, ownerId, `community${c}`, CHANNELS, ids));
  }
  return { communities, membership };
}

async function connectMembers(
  wsUrl: string,
  users: readonly ClonedUser[],
  sim: Pick<Simulation, 'communities' | 'membership' | 'members' | 'deliveries'>,
): Promise<number> {
  const record = (_: Member, frame: Frame, at: number) => {
    if (frame.type === 'new_message') sim.deliveries.push({ id: String(frame.id), at });
  };
  let socketIndex = 0;
  for (const [i, user] of users.entries()) {
    const channelIds = (sim.membership[i] ?? []).flatMap((c) => sim.communities[c]?.channelIds ?? []);
    const devices = i % SECOND_SOCKET_EVERY === 0 ? 2 : 1;
    for (let d = 0; d < devices; d += 1) {
      const observer = i % OBSERVER_EVERY === 0 && d === 0;
      sim.members.push(
        new Member({
          wsUrl,
          token: user.token,
          localAddress: localAddressOf(socketIndex++),
          channelIds,
          random,
          parse: observer,
          ...(observer && { onFrame: record }),
        }),
      );
    }
  }
  for (let start = 0; start < sim.members.length; start += BATCH) {
    const batch = sim.members.slice(start, start + BATCH).map((member) => member.start());
    await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, `members from ${start}`);
  }
  return socketIndex;
}

async function connectSenders(
  wsUrl: string,
  users: readonly ClonedUser[],
  sim: Pick<Simulation, 'membership'>,
  firstAddress: number,
  sockets: WebSocket[],
): Promise<Sender[][]> {
  const senders: Sender[][] = Array.from({ length: COMMUNITIES }, () => []);
  let address = firstAddress;
  for (const [i, user] of users.entries()) {
    const home = sim.membership[i]?.[0] ?? 0;
    const list = senders[home] as Sender[];
    // Observers never send: their own messages would not reach them (echo filter).
    if (list.length >= SENDERS_PER_COMMUNITY || i % OBSERVER_EVERY === 0) continue;
    const own: WebSocket[] = [];
    await connect(wsUrl, user.token, localAddressOf(address++), own);
    sockets.push(...own);
    list.push(new Sender(own, `s${i}`, CIPHERTEXT));
  }
  return senders;
}

/** Runs the mix until `until`; returns the sends in flight so the caller can wait for them. */
async function drive(sim: Simulation, until: number): Promise<Array<Promise<unknown>>> {
  const started = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  let messages = 0;
  let presenceChanges = 0;
  const idle = new Set<Member>();
  while (performance.now() < until) {
    const elapsed = (performance.now() - started) / 1000;
    while (messages < elapsed * RATE) {
      messages += 1;
      const c = Math.floor(random() * COMMUNITIES);
      const community = sim.communities[c] as SeededCommunity;
      const channelId = community.channelIds[Math.floor(random() * community.channelIds.length)] as string;
      const list = sim.senders[c] as Sender[];
      const sender = list[Math.floor(random() * list.length)] as Sender;
      if (random() * 100 < TYPING_PERCENT) {
        inFlight.push(
          sender
            .sendFrame({ type: 'typing', channel_id: channelId })
            .then(() => sleep(TYPING_LEAD_MS))
            .then(() => sender.send(channelId)),
        );
      } else inFlight.push(sender.send(channelId));
    }
    while (presenceChanges < elapsed * PRESENCE_RATE) {
      presenceChanges += 1;
      const member = sim.members[Math.floor(random() * sim.members.length)] as Member;
      const status = idle.has(member) ? 'online' : 'idle';
      if (status === 'idle') idle.add(member);
      else idle.delete(member);
      member.send({ type: 'update_presence', status });
    }
    await sleep(5);
  }
  return inFlight;
}

function latencies(sim: Simulation, from: number, to: number): number[] {
  const sentAt = new Map<string, number>();
  for (const list of sim.senders)
    for (const sender of list)
      for (const ack of sender.acks)
        if (ack.sentAt >= from && ack.sentAt < to) sentAt.set(ack.id, ack.sentAt);
  const values: number[] = [];
  for (const delivery of sim.deliveries) {
    const sent = sentAt.get(delivery.id);
    if (sent !== undefined) values.push(delivery.at - sent);
  }
  return values.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const sockets = Math.ceil(MEMBERS * 1.1) + COMMUNITIES * SENDERS_PER_COMMUNITY;
  const needed = sockets + FD_HEADROOM;
  const reran = ensureOpenFiles(needed, {
    name: 'community',
    envFlag: 'COMMUNITY_RAISED_NOFILE',
    advice: (soft, hard) =>
      `the open files limit is ${soft} (hard ${hard}) and ${needed} are needed: run \`ulimit -n ${needed}\``,
  });
  if (reran !== null) {
    process.exitCode = reran;
    return;
  }
  const scratch = await openScratch('community');
  const { db, dataDir } = scratch;
  const senderSockets: WebSocket[] = [];
  const members: Member[] = [];
  let server: Server | null = null;
  try {
    server = await startServer(scratch.serverEnv, {
      compiled: flags.compiled,
      nodeArgs: cpuProfileArgs(flags['cpu-prof']),
    });
    const owner = await registerFirstUser(server.baseUrl, `community_${process.pid}`);
    const users = await cloneUsers(db, owner.user.id, MEMBERS, serverTokenService(dataDir), {
      usernamePrefix: `community_${process.pid}`,
      deviceName: 'community bench',
    });
    const { communities, membership } = await seed(db, owner.user.id, users);
    const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;
    const partial = { communities, membership, members, deliveries: [] as Simulation['deliveries'] };
    const connectStarted = performance.now();
    const used = await connectMembers(wsUrl, users, partial);
    const connectMs = performance.now() - connectStarted;
    const senders = await connectSenders(wsUrl, users, partial, used, senderSockets);
    const sim: Simulation = { ...partial, senders };
    console.log(
      `community  ${members.length} member sockets (${MEMBERS} members) + ${senderSockets.length} sender sockets ` +
        `connected in ${(connectMs / 1000).toFixed(1)}s; warm-up ${WARMUP}s`,
    );

    const warm = await drive(sim, performance.now() + WARMUP * 1000);
    const pid = server.child.pid ?? 0;
    const hz = clockTicksPerSecond();
    const windowStart = performance.now();
    const cpuBefore = sampleCpu(pid, scratch.name);
    const frames = () => members.reduce((sum, member) => sum + member.frames, 0);
    const framesBefore = frames();
    const measured = await drive(sim, windowStart + SECONDS * 1000);
    const windowEnd = performance.now();
    const cpu = cpuBetween(cpuBefore, sampleCpu(pid, scratch.name), hz);
    const framesInWindow = frames() - framesBefore;
    const rss = rssKib(pid);
    await withTimeout(Promise.all([...warm, ...measured]), BATCH_TIMEOUT_MS, 'last acknowledgements');
    await sleep(1_000);

    const values = latencies(sim, windowStart, windowEnd);
    const acks = sim.senders.flat().flatMap((sender) => sender.acks);
    const inWindow = acks.filter((ack) => ack.sentAt >= windowStart && ack.sentAt < windowEnd);
    const errors = sim.senders.flat().flatMap((sender) => sender.errors);
    const observers = members.filter((member) => member.options.parse !== false);
    const expected = inWindow.reduce(
      (sum, ack) => sum + observers.filter((member) => member.follows(ack.channelId)).length,
      0,
    );
    const faults = members.reduce((sum, member) => sum + member.faults.length, 0);
    const seconds = (windowEnd - windowStart) / 1000;
    const p = (q: number) => fixed(percentile(values, q), 1);
    const serverShareOfBox = cpu.server / cpu.cores;
    console.log(
      `community  window ${seconds.toFixed(1)}s: ${inWindow.length} messages (${(inWindow.length / seconds).toFixed(1)}/s) ` +
        `latency p50=${p(50)}ms p99=${p(99)}ms max=${p(100)}ms (${values.length} of ${expected} observer deliveries)  ` +
        `${(framesInWindow / seconds).toFixed(0)} frames/s to members  errors=${errors.length} faults=${faults}`,
    );
    console.log(
      `community  cpu % of one core: server=${cpu.server.toFixed(1)}% (${serverShareOfBox.toFixed(1)}% of the box) ` +
        `postgres=${cpu.postgres.toFixed(1)}% bench=${cpu.bench.toFixed(1)}% other=${cpu.other.toFixed(1)}% ` +
        `machine=${cpu.machine.toFixed(0)}% of ${(cpu.cores * 100).toFixed(0)}%  server rss=${mb(rss)}MB`,
    );
    if (errors.length > 0) console.log(`community  first errors: ${errors.slice(0, 5).join(' | ')}`);
    report({
      name: 'community',
      measurements: [
        { metric: 'server CPU', value: fixed(cpu.server, 0), unit: '% of a core' },
        { metric: 'server CPU share of the box', value: fixed(serverShareOfBox, 0), unit: '%' },
        { metric: 'delivery p50', value: p(50), unit: 'ms' },
        { metric: 'delivery p99', value: p(99), unit: 'ms' },
        { metric: 'server RSS', value: fixed(rss / 1024, 0), unit: 'MB' },
        { metric: 'generator CPU', value: fixed(cpu.bench, 0), unit: '% of a core' },
        { metric: 'messages', value: fixed(inWindow.length / seconds, 1), unit: '/s' },
        { metric: 'frames to members', value: fixed(framesInWindow / seconds, 0), unit: '/s' },
      ],
      notes: [
        `${MEMBERS} members (${members.length} sockets) in ${COMMUNITIES} communities × ${CHANNELS} channels, ` +
          `${RATE} messages/s (${TYPING_PERCENT}% after typing), ${PRESENCE_RATE} presence changes/s, ` +
          `${SECONDS} s after ${WARMUP} s warm-up; observers got ${values.length} of ${expected} deliveries; ` +
          `PostgreSQL ${cpu.postgres.toFixed(0)}% of a core; send errors ${errors.length}`,
      ],
    });
    if (errors.length > 0 || faults > 0 || values.length !== expected) process.exitCode = 1;
  } catch (error) {
    const output = server?.output().trim();
    if (output) console.error(`community  server output, last lines:\n${output.slice(-3_000)}`);
    throw error;
  } finally {
    for (const member of members) member.stop();
    if (server) await stopServer(server.child);
    for (const socket of senderSockets) socket.terminate();
    await scratch.dispose();
  }
}

await main();
