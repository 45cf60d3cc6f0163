import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { uuidv7 } from '../src/platform/ids.js';
import {
  cloneUsers,
  connect,
  ensureOpenFiles,
  localAddressOf,
  PER_USER,
  positiveInteger,
  registerFirstUser,
  rssKib,
  serverDir,
  serverTokenService,
  sleep,
  startServer,
  stopServer,
  withTimeout,
} from './bench-server.js';
import { clockTicksPerSecond, userSystemTicks } from './cpu.js';
import { ciphertextOf, MAX_MESSAGES, nonceOf, Tally } from './fanout-tally.js';
import { report } from './report.js';
import { cpuProfileArgs, openScratch } from './scratch.js';

/**
 * Fan-out: one channel, `--receivers` (default 1,000) subscribed clients, one sender at rising rates. The same
 * load runs against our server (a real process on a throwaway PostgreSQL database; receivers are users who are
 * members of the channel, authenticated and subscribed with `resume`) and against bare-ws-server.ts (a plain
 * `ws` broadcast server: no authentication, no database, the floor of what Node does here).
 *
 * Each step sends `rate` messages per second for `--step-seconds` (open loop: the sender never waits for acks),
 * then waits up to DRAIN_MS for the last deliveries. Rates start at `--start` messages/s and grow by `--factor`
 * until three steps in a row fail or the time budget is spent. A step passes when every message reached every
 * receiver exactly once and the p99 send→deliver latency is under 100 ms; the sustained figure is the
 * deliveries/s of the best passing step, and the ratio ours/bare is the headline.
 *
 * Our sender is SENDER_USERS users × 8 sockets (not subscribed), round robin, so no socket comes near the
 * gateway's 10 frames/s; it sends `send_message` frames and counts the `message_sent` acks, their p99 (the
 * commit's share of the delivery latency, printed per step) and errors. The bare
 * sender is one socket sending a frame shaped and sized like our `new_message` (the bare server forwards it as
 * is), so both receive the same bytes.
 *
 * Keeping the generator from distorting the figures: the servers run as their own processes, pinned with
 * taskset to BENCH_SERVER_CPUS (the runner pins this process to the other core). Senders and receivers share
 * this process; the message index is carried in the `nonce` as decimal digits and the receivers find it with
 * `Buffer.indexOf` (no JSON.parse, no string), look the send time up in a table and count into a latency
 * histogram and a per-receiver counter. This process's CPU is reported per step: when it nears 100% of its core
 * the figure is the generator's limit, not the server's. The server's CPU per delivery (from /proc, over the
 * complete steps) is reported for both, and its ratio, which other load on a shared machine disturbs far less
 * than the latency-bound figures.
 *
 * `--cpu-prof DIR` runs our server with `node --cpu-prof` into DIR; `--only ours|bare` runs one side.
 */
const { values: flags } = parseArgs({
  options: {
    receivers: { type: 'string', default: '1000' },
    start: { type: 'string', default: '10' },
    factor: { type: 'string', default: '1.2' },
    'step-seconds': { type: 'string', default: '3' },
    'budget-seconds': { type: 'string', default: '70' },
    bytes: { type: 'string', default: '100' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
  },
});
const RECEIVERS = positiveInteger(flags.receivers, '--receivers');
const START_RATE = positiveInteger(flags.start, '--start');
const FACTOR = Number(flags.factor);
const STEP_SECONDS = positiveInteger(flags['step-seconds'], '--step-seconds');
const BUDGET_MS = positiveInteger(flags['budget-seconds'], '--budget-seconds') * 1000;
const BYTES = positiveInteger(flags.bytes, '--bytes');
if (!(FACTOR > 1 && FACTOR < 3)) throw new Error(`--factor must be between 1 and 3 (got ${flags.factor})`);
if (flags.only !== undefined && flags.only !== 'ours' && flags.only !== 'bare')
  throw new Error('--only must be ours or bare');

const P99_LIMIT_MS = 100;
/** Consecutive failing steps that end the rise (one alone may be a hiccup of a shared machine). */
const MAX_FAILURES = 3;
const DRAIN_MS = 3_000;
const WARMUP_SECONDS = 2;
/** Senders × 8 sockets × 10 frames/s is far above the highest rate a run reaches. */
const SENDER_USERS = 16;
const BATCH = 200;
const BATCH_TIMEOUT_MS = 30_000;
/** One side of the comparison: a server process, its receivers and a way to send message `index`. */
interface Target {
  name: 'ours' | 'bare';
  pid: number;
  send(index: number): void;
  /** Sender-side problems (errors, missing acks) seen so far. */
  senderIssues(): string;
  stop(): Promise<void>;
}

interface Step {
  rate: number;
  sent: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  complete: boolean;
  delivered: number;
  serverCpu: number;
  serverCpuUs: number;
  serverCpuPerDeliveryUs: number;
  /** Share of the server's CPU time spent in the kernel (socket writes). */
  serverKernelShare: number;
  generatorCpu: number;
  serverRssKib: number;
  passed: boolean;
  /** What the sender saw: acks, their p99 (the commit's share of the latency), errors. */
  sender: string;
}

const HZ = clockTicksPerSecond();
const cores = (ticks: number, ms: number) => ticks / HZ / (ms / 1000);

/** Sends `rate` messages/s for `seconds`, waits for the deliveries, measures. */
async function runStep(target: Target, tally: Tally, next: { index: number }, rate: number, seconds: number) {
  const count = Math.round(rate * seconds);
  if (next.index + count > MAX_MESSAGES) throw new Error('message table full: lower --start or the budget');
  tally.reset(next.index);
  const ticksBefore = userSystemTicks(target.pid);
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  for (let j = 0; j < count; j++) {
    const wait = started + (j * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    tally.sentAt[next.index] = performance.now();
    target.send(next.index++);
  }
  const expected = count * RECEIVERS;
  const deadline = performance.now() + DRAIN_MS;
  while (tally.delivered < expected && tally.closed === 0 && performance.now() < deadline) await sleep(10);
  const ended = Math.max(performance.now(), started + 1);
  const elapsed = Math.max(tally.lastDeliveryAt, started + seconds * 1000) - started;
  const self = process.cpuUsage(selfBefore);
  const complete = tally.closed === 0 && tally.complete(count);
  const p99 = tally.percentile(99);
  const ticksAfter = userSystemTicks(target.pid);
  const kernelTicks = ticksAfter.system - ticksBefore.system;
  const serverTicks = ticksAfter.user - ticksBefore.user + kernelTicks;
  return {
    rate,
    sent: count,
    deliveriesPerSecond: tally.delivered / (elapsed / 1000),
    p50: tally.percentile(50),
    p99,
    complete,
    delivered: tally.delivered,
    serverCpu: cores(serverTicks, ended - started) * 100,
    serverCpuUs: (serverTicks / HZ) * 1e6,
    serverCpuPerDeliveryUs: ((serverTicks / HZ) * 1e6) / Math.max(1, tally.delivered),
    serverKernelShare: kernelTicks / Math.max(1, serverTicks),
    generatorCpu: ((self.user + self.system) / 1000 / (ended - started)) * 100,
    serverRssKib: rssKib(target.pid),
    passed: complete && p99 < P99_LIMIT_MS,
    sender: target.senderIssues(),
  } satisfies Step;
}

/** Rising rates until MAX_FAILURES steps in a row fail or the budget is spent. */
async function rise(target: Target, tally: Tally): Promise<Step[]> {
  const next = { index: 0 };
  const warmup = await runStep(target, tally, next, Math.max(1, Math.round(START_RATE / 2)), WARMUP_SECONDS);
  if (!warmup.complete) throw new Error(`${target.name}: warm-up messages did not reach every receiver`);
  const steps: Step[] = [];
  const deadline = performance.now() + BUDGET_MS;
  let failures = 0;
  for (
    let rate = START_RATE;
    failures < MAX_FAILURES && performance.now() < deadline;
    rate = Math.ceil(rate * FACTOR)
  ) {
    const step = await runStep(target, tally, next, rate, STEP_SECONDS);
    steps.push(step);
    console.log(
      `fanout ${target.name}  ${rate} msg/s × ${RECEIVERS}: ${Math.round(step.deliveriesPerSecond)} deliveries/s  ` +
        `p50=${step.p50.toFixed(1)}ms p99=${step.p99.toFixed(1)}ms  all delivered=${step.complete}  ` +
        `server cpu=${step.serverCpu.toFixed(0)}% (${step.serverCpuPerDeliveryUs.toFixed(1)} µs/delivery, ${(step.serverKernelShare * 100).toFixed(0)}% kernel)  generator cpu=${step.generatorCpu.toFixed(0)}%  ` +
        `${step.passed ? 'pass' : 'FAIL'}  ${step.sender}`,
    );
    failures = step.passed ? 0 : failures + 1;
    if (tally.closed > 0) break;
  }
  return steps;
}

function listenForDeliveries(sockets: WebSocket[], tally: Tally): void {
  sockets.forEach((socket, receiver) => {
    socket.on('message', (data: Buffer) => tally.receive(receiver, data));
    socket.once('close', () => {
      tally.closed += 1;
    });
  });
}

async function openBare(port: number, count: number): Promise<WebSocket[]> {
  const open = (i: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`, {
        localAddress: localAddressOf(i),
        perMessageDeflate: false,
      });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, j) => open(start + j));
    sockets.push(...(await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, 'bare connections')));
  }
  return sockets;
}

async function startBare(): Promise<{ child: ChildProcess; port: number }> {
  const script = path.join(serverDir, 'bench/bare-ws-server.ts');
  const node = [process.execPath, '--import', 'tsx', script, '0'];
  const cpus = process.env.BENCH_SERVER_CPUS;
  const command = cpus ? ['taskset', '-c', cpus, ...node] : node;
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        const match = /listening (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
    }),
    30_000,
    'starting the bare server',
  );
  return { child, port };
}

async function bareTarget(tally: Tally): Promise<Target> {
  const { child, port } = await startBare();
  const sockets: WebSocket[] = [];
  try {
    const [sender] = await openBare(port, 1);
    sockets.push(sender as WebSocket);
    sockets.push(...(await openBare(port, RECEIVERS)));
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  listenForDeliveries(sockets.slice(1), tally);
  const sender = sockets[0] as WebSocket;
  const ids = [uuidv7(), uuidv7(), uuidv7()];
  const head = `{"type":"new_message","id":"${ids[0]}","channel_id":"${ids[1]}","sender_id":"${ids[2]}","ciphertext":${ciphertextOf(BYTES)},"nonce":`;
  const tail = `,"message_type":"text","reply_to":null,"sender_key_id":null,"created_at":"${new Date().toISOString()}","seq":`;
  return {
    name: 'bare',
    pid: child.pid ?? 0,
    send: (index) => sender.send(`${head}${nonceOf(index)}${tail}${index + 1}}`),
    senderIssues: () => '',
    stop: async () => {
      for (const socket of sockets) socket.terminate();
      await stopServer(child);
    },
  };
}

/** Acks and errors of our sender sockets. */
class SenderLog {
  acked = 0;
  readonly errors = new Map<string, number>();
  /** Send→ack latencies since the last summary: the commit's share of the delivery latency. */
  private ackLatencies: number[] = [];

  constructor(private readonly sentAt: Float64Array) {}

  receive(text: string): void {
    const frame = JSON.parse(text) as { type: string; code?: string; client_id?: string };
    if (frame.type === 'message_sent') {
      this.acked += 1;
      const index = Number(frame.client_id?.slice(1));
      this.ackLatencies.push(performance.now() - (this.sentAt[index] ?? 0));
    } else if (frame.type === 'error')
      this.errors.set(frame.code ?? '?', (this.errors.get(frame.code ?? '?') ?? 0) + 1);
  }

  summary(sent: number): string {
    const errors = [...this.errors].map(([code, count]) => `${code}=${count}`).join(' ');
    const latencies = this.ackLatencies.sort((a, b) => a - b);
    this.ackLatencies = [];
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
    return `acked ${this.acked}/${sent} (p99 ack ${p99.toFixed(1)}ms)${errors ? `  errors: ${errors}` : ''}`;
  }
}

/** Resolves when the server answers `resume` with `resumed`: the subscription is live. */
function subscribe(socket: WebSocket, channelId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; ref?: string; message?: string };
      if (frame.type === 'resumed' && frame.ref === 'sub') {
        socket.off('message', onMessage);
        resolve();
      } else if (frame.type === 'error') reject(new Error(`subscribe refused: ${frame.message}`));
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'resume', channels: { [channelId]: 0 }, ref: 'sub' }));
  });
}

async function openOurs(
  wsUrl: string,
  tokens: string[],
  firstAddress: number,
  sockets: WebSocket[],
  ready?: (socket: WebSocket) => Promise<void>,
): Promise<WebSocket[]> {
  const opened: WebSocket[] = [];
  for (let start = 0; start < tokens.length; start += BATCH) {
    const batch = tokens.slice(start, start + BATCH).map(async (token, j) => {
      const own: WebSocket[] = [];
      await connect(wsUrl, token, localAddressOf(firstAddress + start + j), own);
      sockets.push(...own);
      const socket = own[0] as WebSocket;
      await ready?.(socket);
      return socket;
    });
    opened.push(...(await withTimeout(Promise.all(batch), BATCH_TIMEOUT_MS, `connections from ${start}`)));
  }
  return opened;
}

async function oursTarget(tally: Tally, cleanups: Array<() => Promise<void>>): Promise<Target> {
  const scratch = await openScratch('fanout');
  cleanups.push(() => scratch.dispose());
  const { db, dataDir } = scratch;
  const server = await startServer(scratch.serverEnv, {
    compiled: flags.compiled,
    nodeArgs: cpuProfileArgs(flags['cpu-prof']),
  });
  const sockets: WebSocket[] = [];
  cleanups.push(async () => {
    for (const socket of sockets) socket.terminate();
    await stopServer(server.child);
  });
  const first = await registerFirstUser(server.baseUrl, `fanout_${process.pid}`);
  const users = await cloneUsers(db, first.user.id, RECEIVERS + SENDER_USERS, serverTokenService(dataDir), {
    usernamePrefix: `fanout_${process.pid}`,
    deviceName: 'fanout bench',
  });
  const channelId = uuidv7();
  await db.query(
    `insert into channels (id, name, channel_type, created_by) values ($1, 'fanout-bench', 'text', $2)`,
    [channelId, first.user.id],
  );
  await db.query(
    'insert into channel_members (channel_id, user_id) select $1, u from unnest($2::uuid[]) as u',
    [channelId, users.map((user) => user.id)],
  );

  const wsUrl = `${server.baseUrl.replace(/^http/, 'ws')}/ws`;
  const receiverTokens = users.slice(0, RECEIVERS).map((user) => user.token);
  const receivers = await openOurs(wsUrl, receiverTokens, 0, sockets, (socket) =>
    subscribe(socket, channelId),
  );
  listenForDeliveries(receivers, tally);
  const senderTokens = users.slice(RECEIVERS).flatMap((user) => Array<string>(PER_USER).fill(user.token));
  const senders = await openOurs(wsUrl, senderTokens, RECEIVERS, sockets);
  const log = new SenderLog(tally.sentAt);
  for (const socket of senders) socket.on('message', (data: Buffer) => log.receive(data.toString()));

  const head = `{"type":"send_message","channel_id":"${channelId}","ciphertext":${ciphertextOf(BYTES)},"nonce":`;
  let sent = 0;
  return {
    name: 'ours',
    pid: server.child.pid ?? 0,
    send: (index) => {
      sent += 1;
      (senders[index % senders.length] as WebSocket).send(
        `${head}${nonceOf(index)},"message_type":"text","client_id":"f${index}"}`,
      );
    },
    senderIssues: () => log.summary(sent),
    stop: async () => {},
  };
}

/** Server CPU µs per delivery over every step that delivered everything. */
function cpuPerDelivery(steps: Step[]): number {
  const complete = steps.filter((step) => step.complete);
  const cpu = complete.reduce((sum, step) => sum + step.serverCpuUs, 0);
  return (
    cpu /
    Math.max(
      1,
      complete.reduce((sum, step) => sum + step.delivered, 0),
    )
  );
}

function sustained(steps: Step[]): Step | undefined {
  return steps.filter((step) => step.passed).sort((a, b) => b.deliveriesPerSecond - a.deliveriesPerSecond)[0];
}

async function measure(
  name: 'ours' | 'bare',
  cleanups: Array<() => Promise<void>>,
): Promise<{ steps: Step[]; best: Step | undefined }> {
  const tally = new Tally(RECEIVERS);
  const target = name === 'bare' ? await bareTarget(tally) : await oursTarget(tally, cleanups);
  cleanups.push(() => target.stop());
  const steps = await rise(target, tally);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  return { steps, best: sustained(steps) };
}

function limitNote(name: string, steps: Step[], best: Step | undefined): string {
  const saturated = (step: Step) =>
    step.generatorCpu > 85 ? '; the generator is near saturation: the figure is its limit' : '';
  const failed = steps.find((step) => !step.passed && step.rate > (best?.rate ?? 0));
  if (!failed)
    return `${name}: no step failed within the budget${best ? saturated(best) : ''} (raise --budget-seconds)`;
  const why = failed.complete
    ? `p99 ${failed.p99.toFixed(0)} ms`
    : 'not every message reached every receiver';
  const sender = failed.sender ? `; sender: ${failed.sender}` : '';
  return (
    `${name}: first failing step above the best one: ${failed.rate} msg/s (${why}); server cpu ` +
    `${failed.serverCpu.toFixed(0)}%, generator cpu ${failed.generatorCpu.toFixed(0)}%${saturated(failed)}${sender}`
  );
}

async function main(): Promise<void> {
  const needed = RECEIVERS + SENDER_USERS * PER_USER + 512;
  const reran = ensureOpenFiles(needed, {
    name: 'fanout',
    envFlag: 'FANOUT_BENCH_RAISED_NOFILE',
    advice: (soft, hard) => `open files limit ${soft} (hard ${hard}) < ${needed}: raise it with ulimit -n`,
  });
  if (reran !== null) {
    process.exitCode = reran;
    return;
  }
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const bare = flags.only === 'ours' ? undefined : await measure('bare', cleanups);
    const ours = flags.only === 'bare' ? undefined : await measure('ours', cleanups);
    reportResults(ours, bare);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

function reportResults(
  ours: { steps: Step[]; best: Step | undefined } | undefined,
  bare: { steps: Step[]; best: Step | undefined } | undefined,
): void {
  const measurements = [];
  const notes = [
    `${RECEIVERS} receivers, one channel, ${BYTES}-byte ciphertext; steps of ${STEP_SECONDS} s from ${START_RATE} msg/s ×${FACTOR}; ` +
      'pass = every message reached every receiver once and p99 < 100 ms',
  ];
  const round = (value: number) => Math.round(value);
  for (const [name, result] of [
    ['ours', ours],
    ['bare ws', bare],
  ] as const) {
    if (!result) continue;
    const { best, steps } = result;
    measurements.push({
      metric: `${name}: sustained deliveries`,
      value: round(best?.deliveriesPerSecond ?? 0),
      unit: '/s',
    });
    if (best) {
      measurements.push(
        {
          metric: `${name}: p99 send→deliver`,
          value: Number(best.p99.toFixed(1)),
          unit: 'ms',
          target: { atMost: P99_LIMIT_MS },
        },
        { metric: `${name}: server CPU`, value: round(best.serverCpu), unit: '% of a core' },
        {
          metric: `${name}: server CPU per delivery (all complete steps)`,
          value: Number(cpuPerDelivery(steps).toFixed(1)),
          unit: 'µs',
        },
        { metric: `${name}: server RSS`, value: round(best.serverRssKib / 1024), unit: 'MB' },
        { metric: `${name}: generator CPU`, value: round(best.generatorCpu), unit: '% of a core' },
      );
    }
    notes.push(limitNote(name, steps, best));
  }
  if (ours?.best && bare?.best)
    measurements.push({
      metric: 'ours / bare',
      value: Number((ours.best.deliveriesPerSecond / bare.best.deliveriesPerSecond).toFixed(2)),
      unit: '×',
      target: { atLeast: 0.7 },
    });
  if (ours && bare) {
    // Less sensitive to other load on the machine than the latency-bound figure above.
    measurements.push({
      metric: 'bare / ours server CPU per delivery',
      value: Number((cpuPerDelivery(bare.steps) / cpuPerDelivery(ours.steps)).toFixed(2)),
      unit: '×',
    });
  }
  report({ name: 'fanout', measurements, notes });
}

await main();
