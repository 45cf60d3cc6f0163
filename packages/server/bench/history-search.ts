import { parseArgs } from 'node:util';
import {
  percentile,
  positiveInteger,
  registerFirstUser,
  type Server,
  startServer,
  stopServer,
} from './bench-server.js';
import { clockTicksPerSecond, cpuBetween, sampleCpu } from './cpu.js';
import { seed, VOCABULARY } from './history-seed.js';
import { type Measurement, report } from './report.js';
import { cpuProfileArgs, openScratch } from './scratch.js';

/**
 * History and search in a big channel, through HTTP against a started server (so routing, authentication,
 * the queries and the JSON serialisation are all in the figures): one channel holds `--messages` (default
 * 1,000,000) messages and nine others half as many again, so that the indexes have to tell channels apart.
 * The data is seeded with one generate_series INSERT (bench/history-seed.ts; works on the schema of
 * migrations 0001–0007 too, for a "before" build).
 *
 * Then, one request at a time by a member of every channel, `--requests` of each kind after a warm-up: the
 * newest history page (`GET /api/channels/:id/messages`, 50 messages), an older page (`?before=` a random
 * message of the channel), and searches in the channel (`GET /api/channels/:id/messages/search`) for a word,
 * for two words, and for the first letters of a word as someone types it. Reported: p50 and p95 of each, with
 * the targets p95 ≤ 20 ms (history) and ≤ 100 ms (search), and server and PostgreSQL CPU per request.
 *
 * Requests come from the load generator's own process (the runner pins it apart from the server) one at a
 * time, so it never queues work on the server; each carries its own X-Forwarded-For address (loopback is a
 * trusted proxy by default) so that the per-address rate limit never answers 429.
 */
const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    compiled: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const TOTAL = Math.round(positiveInteger(flags.messages, '--messages') * 1.5);
const REQUESTS = positiveInteger(flags.requests, '--requests');
const WARMUP = positiveInteger(flags.warmup, '--warmup');
const TARGETS = { historyMs: 20, searchMs: 100 } as const;
const REQUESTS_PER_ADDRESS = 20;

/** A deterministic pseudo-random source (mulberry32), so that every run asks the same questions. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** What people look for: any word but the shortest. */
const SEARCHED = VOCABULARY.filter((word) => word.length >= 3);

interface Kind {
  name: string;
  target: number;
  /** The path and query of the i-th request. */
  url: (i: number) => string;
}

function kinds(channelId: string, olderIds: string[]): Kind[] {
  const next = random(42);
  const word = () => SEARCHED[Math.floor(next() * SEARCHED.length)] ?? 'server';
  const base = `/api/channels/${channelId}/messages`;
  const search = (q: string) => `${base}/search?q=${encodeURIComponent(q)}`;
  return [
    { name: 'history, newest page', target: TARGETS.historyMs, url: () => base },
    {
      name: 'history, older page (before)',
      target: TARGETS.historyMs,
      url: (i) => `${base}?before=${olderIds[i % olderIds.length]}`,
    },
    { name: 'search, one word', target: TARGETS.searchMs, url: () => search(word()) },
    { name: 'search, two words', target: TARGETS.searchMs, url: () => search(`${word()} ${word()}`) },
    {
      name: 'search, a word being typed',
      target: TARGETS.searchMs,
      url: () => {
        const typed = word();
        return search(typed.slice(0, Math.max(2, Math.ceil(typed.length / 2))));
      },
    },
  ];
}

let requestCount = 0;

/** One GET as the reader; the response body is read in full. Milliseconds. */
async function timedGet(server: Server, token: string, url: string): Promise<number> {
  const address = Math.floor(requestCount++ / REQUESTS_PER_ADDRESS);
  const forwarded = `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
  const started = performance.now();
  const response = await fetch(`${server.baseUrl}${url}`, {
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwarded },
  });
  const body = await response.text();
  const elapsed = performance.now() - started;
  if (!response.ok) throw new Error(`GET ${url} → ${response.status}: ${body.slice(0, 200)}`);
  return elapsed;
}

async function measureKind(server: Server, token: string, kind: Kind): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await timedGet(server, token, kind.url(i));
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push(await timedGet(server, token, kind.url(WARMUP + i)));
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const scratch = await openScratch('history');
  const { db } = scratch;
  let server: Server | null = null;
  try {
    server = await startServer(scratch.serverEnv, {
      compiled: flags.compiled,
      nodeArgs: cpuProfileArgs(flags['cpu-prof']),
    });
    const pid = server.child.pid ?? 0;
    const reader = await registerFirstUser(server.baseUrl, `reader_${process.pid}`);
    const seedStarted = performance.now();
    const { bigChannelId, messagesInBig, phases } = await seed(db, reader.user.id, TOTAL);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(
      `history  seeded ${TOTAL} messages (${messagesInBig} in the big channel) in ${seedSeconds.toFixed(1)}s (${phases.join(', ')})`,
    );
    const { rows: older } = await db.query<{ id: string }>(
      'select id from messages where channel_id = $1 order by md5(id::text) limit 500',
      [bigChannelId],
    );

    const hz = clockTicksPerSecond();
    const results: Measurement[] = [];
    const cpuNotes: string[] = [];
    for (const kind of kinds(
      bigChannelId,
      older.map((row) => row.id),
    )) {
      const before = sampleCpu(pid, scratch.name);
      const times = await measureKind(server, reader.access_token, kind);
      const cpu = cpuBetween(before, sampleCpu(pid, scratch.name), hz);
      const seconds = (performance.now() - before.at) / 1000;
      const perRequest = (percent: number) => Math.round((percent * seconds * 10_000) / (REQUESTS + WARMUP));
      const p50 = Number(percentile(times, 50).toFixed(1));
      const p95 = Number(percentile(times, 95).toFixed(1));
      console.log(
        `history  ${kind.name}: p50=${p50}ms p95=${p95}ms max=${percentile(times, 100).toFixed(1)}ms  ` +
          `cpu per request: server ${perRequest(cpu.server)}µs, postgres ${perRequest(cpu.postgres)}µs`,
      );
      results.push(
        { metric: `p95 ${kind.name}`, value: p95, unit: 'ms', target: { atMost: kind.target } },
        { metric: `p50 ${kind.name}`, value: p50, unit: 'ms' },
      );
      cpuNotes.push(`${kind.name} ${perRequest(cpu.server)}/${perRequest(cpu.postgres)}`);
    }
    results.push({ metric: 'seeding', value: Number(seedSeconds.toFixed(1)), unit: 's' });
    report({
      name: 'history',
      measurements: results,
      notes: [
        `${messagesInBig} messages in the channel, ${TOTAL} in all; ${REQUESTS} requests of each kind over HTTP, ` +
          'one at a time, 50 messages a page, searches in the channel',
        `server/PostgreSQL CPU µs per request: ${cpuNotes.join('; ')}`,
      ],
    });
    const warnings = server.output().trim();
    if (warnings)
      console.log(`history  server output (LOG_LEVEL=warn), last lines:\n${warnings.slice(-2_000)}`);
  } finally {
    if (server) await stopServer(server.child);
    await scratch.dispose();
  }
}

await main();
