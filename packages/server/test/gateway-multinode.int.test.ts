import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type AuthResponse, rateLimitTiers, wsCloseCodes } from '@chatalot/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from './factories.js';
import { createTestDatabase, type TestDatabase } from './harness.js';
import { api } from './http-client.js';
import { deleteRedisKeys, testRedisUrl as redisUrl } from './redis-keys.js';
import { type RunningServer, startServer } from './server-process.js';
import { type Frame, TestSocket } from './ws-client.js';

const redisPrefix = `chatalot-test-${randomUUID().slice(0, 8)}:`;
/** Channel events the failover test drives, and after how many of them node B dies. */
const DRIVEN = 150;
const KILL_AFTER = 50;

interface User {
  id: string;
  token: string;
}

/** A client of one channel: every socket it used, in order, and the reconnect that follows a drop. */
interface Follower {
  user: User;
  sockets: TestSocket[];
  failover?: Promise<void>;
}

let database: TestDatabase;
let dataDir: string;
let nodeA: RunningServer;
let nodeB: RunningServer;
const alive = new Set<RunningServer>();
const sockets: TestSocket[] = [];
let owner: User;
let mates: User[];
let groupId: string;
let inviteCode: string;

/** `api` on a node, as the test's callers write it. */
function call<T>(
  node: RunningServer,
  method: string,
  url: string,
  token?: string,
  body?: object,
): Promise<T> {
  return api<T>(node.baseUrl, method, url, { token, body });
}

async function register(node: RunningServer): Promise<User> {
  const auth = await call<AuthResponse>(node, 'POST', '/api/auth/register', undefined, registrationBody());
  return { id: auth.user.id, token: auth.access_token };
}

/** The status of a GET from `localAddress`, so that a test has a per-IP rate limit bucket of its own. */
function statusFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(url, { localAddress }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    call.once('error', reject);
    call.end();
  });
}

async function join(node: RunningServer, user: User): Promise<void> {
  await call(node, 'POST', `/api/community-invites/${inviteCode}/accept`, user.token);
}

async function createChannel(name: string): Promise<string> {
  const body = { name, channel_type: 'text' };
  return (await call<{ id: string }>(nodeA, 'POST', `/api/groups/${groupId}/channels`, owner.token, body)).id;
}

function setTopic(node: RunningServer, channelId: string, n: number): Promise<unknown> {
  return call(node, 'PATCH', `/api/channels/${channelId}`, owner.token, { topic: `t${n}` });
}

async function connect(node: RunningServer, user: User): Promise<TestSocket> {
  const socket = await TestSocket.connect(node.baseUrl, user.token);
  sockets.push(socket);
  return socket;
}

async function subscribed(node: RunningServer, user: User, channelId: string): Promise<TestSocket> {
  const socket = await connect(node, user);
  socket.send({ type: 'subscribe', channel_ids: [channelId] });
  await socket.roundTrip();
  return socket;
}

/** The `channel_updated` frames of a channel a follower received, across all its sockets. */
function updates(follower: Follower, channelId: string): Frame[] {
  return follower.sockets.flatMap((socket) =>
    socket.all('channel_updated').filter((frame) => frame.channel_id === channelId),
  );
}

function lastSeq(follower: Follower, channelId: string): number {
  return (updates(follower, channelId).at(-1)?.seq as number | undefined) ?? 0;
}

/** When the follower's socket drops, it reconnects to `node` and resumes from the last seq it holds. */
function failOverTo(node: RunningServer, follower: Follower, channelId: string): void {
  const first = follower.sockets[0] as TestSocket;
  follower.failover = first.closed.then(async () => {
    const socket = await connect(node, follower.user);
    follower.sockets.push(socket);
    const from = lastSeq(follower, channelId);
    socket.send({ type: 'resume', channels: { [channelId]: from } });
    const resumed = await socket.next('resumed', () => true, 10_000);
    expect((resumed.channels as Record<string, number>)[channelId]).toBeGreaterThanOrEqual(from);
  });
  // Awaited by the test; this only keeps an early failure from counting as an unhandled rejection first.
  follower.failover.catch(() => {});
}

/** Authenticates `user` on a new socket of `node`: the first frame back, and the socket. */
async function tryConnect(node: RunningServer, user: User): Promise<{ frame: Frame; socket: TestSocket }> {
  const socket = await TestSocket.open(node.baseUrl);
  sockets.push(socket);
  socket.send({ type: 'authenticate', token: user.token });
  await expect.poll(() => socket.frames.length, { timeout: 5_000 }).toBeGreaterThan(0);
  return { frame: socket.frames[0] as Frame, socket };
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  const timeout = delay(ms, undefined, { ref: false }).then(() =>
    Promise.reject(new Error(`${what}: no end in ${ms} ms`)),
  );
  return Promise.race([promise, timeout]);
}

async function stop(node: RunningServer, signal: NodeJS.Signals): Promise<void> {
  if (!alive.delete(node)) return;
  await within(10_000, 'stopping', node.stop(signal)).catch(() => node.stop('SIGKILL'));
}

async function startNode(): Promise<RunningServer> {
  const node = await startServer({
    DATABASE_URL: database.url ?? '',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    REGISTRATION_MODE: 'open',
    DATA_DIR: dataDir,
    // `startServer` waits for the info-level "Chatalot is listening" line, so `warn` would never look ready.
    LOG_LEVEL: 'info',
  });
  alive.add(node);
  return node;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two server processes sharing Redis', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-multinode-'));
    nodeA = await startNode();
    nodeB = await startNode();
    owner = await register(nodeA);
    const named = { name: 'Nodes' };
    const community = await call<{ id: string }>(nodeA, 'POST', '/api/communities', owner.token, named);
    const group = { community_id: community.id, name: 'General', visibility: 'public' };
    groupId = (await call<{ id: string }>(nodeA, 'POST', '/api/groups', owner.token, group)).id;
    const invites = `/api/communities/${community.id}/invites`;
    inviteCode = (await call<{ code: string }>(nodeA, 'POST', invites, owner.token, {})).code;
    mates = [await register(nodeA), await register(nodeB), await register(nodeB)];
    for (const mate of mates) await join(nodeB, mate);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const node of [...alive]) await stop(node, 'SIGTERM');
    await database?.drop();
    await deleteRedisKeys(redisPrefix);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers to a client on A what happens through B: channel events, presence and typing', async () => {
    const [watcher, mate] = mates as [User, User];
    const channelId = await createChannel('crossing');
    const onA = await subscribed(nodeA, watcher, channelId);

    await setTopic(nodeB, channelId, 1);
    const update = await onA.next('channel_updated', (frame) => frame.channel_id === channelId, 5_000);
    expect(update).toMatchObject({ seq: 1, topic: 't1' });

    const onB = await connect(nodeB, mate);
    const presence = await onA.next('presence_update', (frame) => frame.user_id === mate.id, 5_000);
    expect(presence.status).toBe('online');

    onB.send({ type: 'typing', channel_id: channelId });
    const typing = await onA.next('user_typing', (frame) => frame.user_id === mate.id, 5_000);
    expect(typing.channel_id).toBe(channelId);
  });

  it('caps a user at 8 sockets counted over both nodes', async () => {
    const user = await register(nodeA);
    for (let i = 0; i < 5; i++) await connect(nodeA, user);
    for (let i = 0; i < 3; i++) await connect(nodeB, user);
    for (const node of [nodeA, nodeB]) {
      const { frame, socket } = await tryConnect(node, user);
      expect(frame).toMatchObject({ type: 'error', code: 'too_many_sessions' });
      expect((await socket.closed).code).toBe(wsCloseCodes.tooManySessions);
    }
  });

  it('loses no channel event and repeats none when B dies and its clients resume on A', async () => {
    const channelId = await createChannel('failover');
    const control: Follower = { user: owner, sockets: [await subscribed(nodeA, owner, channelId)] };
    const plan = mates.flatMap((mate, index) => (index === 1 ? [mate] : [mate, mate]));
    const onB: Follower[] = [];
    for (const user of plan) onB.push({ user, sockets: [await subscribed(nodeB, user, channelId)] });
    for (const follower of onB) failOverTo(nodeA, follower, channelId);

    for (let n = 1; n <= DRIVEN; n++) {
      await setTopic(nodeA, channelId, n);
      if (n === KILL_AFTER) await stop(nodeB, 'SIGKILL');
    }
    await within(20_000, 'reconnecting to A', Promise.all(onB.map((follower) => follower.failover)));

    const expected = Array.from({ length: DRIVEN }, (_, index) => index + 1);
    for (const follower of [control, ...onB]) {
      await expect.poll(() => lastSeq(follower, channelId), { timeout: 15_000 }).toBe(DRIVEN);
      const frames = updates(follower, channelId);
      expect(frames.map((frame) => frame.seq)).toEqual(expected);
      expect(frames.map((frame) => frame.topic)).toEqual(expected.map((n) => `t${n}`));
    }
    for (const follower of onB) expect(follower.sockets).toHaveLength(2);
  }, 90_000);

  it('a node stopped with SIGTERM closes its sockets with 1001, reports them offline and exits 0', async () => {
    const nodeC = await startNode();
    const leaving = await register(nodeC);
    await join(nodeC, leaving);
    const watcher = await connect(nodeA, owner);
    const socket = await connect(nodeC, leaving);
    await watcher.next('presence_update', (frame) => frame.user_id === leaving.id, 5_000);

    alive.delete(nodeC);
    const { code } = await nodeC.stop('SIGTERM');
    expect(code).toBe(0);
    expect((await socket.closed).code).toBe(wsCloseCodes.goingAway);
    const offline = await watcher.next(
      'presence_update',
      (frame) => frame.user_id === leaving.id && frame.status === 'offline',
      5_000,
    );
    expect(offline.status).toBe('offline');
  });

  it('counts a client address against one request limit across both nodes', async () => {
    const nodeC = await startNode();
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const node = i % 2 === 0 ? nodeA : nodeC;
      statuses.push(await statusFrom('127.0.0.77', `${node.baseUrl}/api/auth/config`));
    }
    const seconds = (performance.now() - started) / 1000;
    const { burst, refillPerSecond } = rateLimitTiers.auth;
    const allowed = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status === 429).length).toBe(30 - allowed);
    expect(allowed).toBeLessThanOrEqual(burst + Math.ceil(seconds * refillPerSecond));
  });
});
