import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthResponse } from '@chatalot/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from '../../packages/server/test/factories.js';
import { freePort } from '../../packages/server/test/server-process.js';
import type { Frame, TestSocket } from '../../packages/server/test/ws-client.js';
import {
  nginxExamples,
  type RunningNginx,
  renderExampleSite,
  renderTemplate,
  startNginx,
  withUpstream,
} from './support/nginx-process.js';
import { type CompiledServer, spawnCompiledServer, untilListening } from './support/nodes-server.js';
import {
  createThrowawayDatabase,
  deleteRedisKeys,
  redisUrl,
  sharedSecrets,
  type ThrowawayDatabase,
  uniqueRedisPrefix,
} from './support/nodes-services.js';
import { type Certificate, makeSelfSignedCertificate } from './support/tls-certificate.js';
import { api, sharedChannel } from './support/tls-client.js';
import { openSecureSocket } from './support/tls-socket.js';

const migrationFiles = readdirSync(path.resolve(import.meta.dirname, '../../packages/server/migrations'));
/**
 * Messages sent during the failover test, after how many node A stops and its client comes back. With the
 * sender's other frames they stay under a socket's burst of 30 frames, so no rate limit interferes.
 */
const SENT = 18;
const STOP_AFTER = 6;
const RECONNECT_AFTER = 12;

let dir: string;
let certificate: Certificate;
let database: ThrowawayDatabase;
const redisPrefix = uniqueRedisPrefix();
let nodeA: CompiledServer;
let nodeB: CompiledServer;
let nginx: RunningNginx;
/** nginx's https address: the only one clients use. */
let baseUrl: string;
const sockets: TestSocket[] = [];
let alice: AuthResponse;
let bob: AuthResponse;
let carol: AuthResponse;
let channelId: string;
/** Node A's exit code, once the failover test has stopped it. */
let stoppedA: Promise<number | null> | undefined;

function nodeEnv(name: string, secrets: Record<string, string>): Record<string, string> {
  return {
    ...secrets,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    // Nothing else is shared on disk: each node has a data folder of its own.
    DATA_DIR: path.join(dir, `${name}-data`),
    REGISTRATION_MODE: 'open',
    COMMUNITY_CREATION_MODE: 'open',
  };
}

/** chatalot.conf with the upstream block of upstream-nodes.conf listing both nodes. */
function multiNodeSite(httpsPort: number, httpPort: number): string {
  const upstream = renderTemplate(path.join(nginxExamples, 'upstream-nodes.conf'), {
    CHATALOT_NODE_1: `127.0.0.1:${nodeA.port}`,
    CHATALOT_NODE_2: `127.0.0.1:${nodeB.port}`,
  });
  const site = renderExampleSite({ upstream: 'replaced', httpPort, httpsPort, certificate, maxBodyMb: 101 });
  return withUpstream(site, upstream);
}

const tls = () => ({ ca: certificate.pem });

async function register(): Promise<AuthResponse> {
  return api<AuthResponse>(baseUrl, 'POST', '/api/auth/register', { ...tls(), body: registrationBody() });
}

/**
 * A socket of `user` that nginx placed on `node`. Sockets that land elsewhere stay open (so least_conn
 * sends the next one to the node with fewer) and are closed at the end.
 */
async function socketOn(node: CompiledServer, user: AuthResponse): Promise<TestSocket> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const { socket, upstream } = await openSecureSocket(baseUrl, user.access_token, tls());
    sockets.push(socket);
    if (upstream === `127.0.0.1:${node.port}`) return socket;
  }
  // An `add_header` in the site would hide the test's header (nginx inherits add_header only as a whole).
  throw new Error(`nginx placed no socket on node ${node.port} (X-Test-Upstream missing or always another)`);
}

async function subscribedOn(node: CompiledServer, user: AuthResponse): Promise<TestSocket> {
  const socket = await socketOn(node, user);
  socket.send({ type: 'subscribe', channel_ids: [channelId] });
  await socket.roundTrip();
  return socket;
}

describe('two server nodes behind one nginx, sharing PostgreSQL and Redis', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatalot-nodes-'));
    certificate = makeSelfSignedCertificate(dir);
    database = await createThrowawayDatabase();
    const secrets = sharedSecrets(dir);
    const spawned = await Promise.all(['a', 'b'].map((name) => spawnCompiledServer(nodeEnv(name, secrets))));
    [nodeA, nodeB] = spawned as [CompiledServer, CompiledServer];
    await Promise.all(spawned.map(untilListening));

    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    baseUrl = `https://127.0.0.1:${httpsPort}`;
    nginx = await startNginx(path.join(dir, 'nginx'), multiNodeSite(httpsPort, httpPort), [httpsPort]);
    [alice, bob, carol] = [await register(), await register(), await register()];
    channelId = await sharedChannel(baseUrl, certificate.pem, alice, [bob, carol]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await nginx?.stop();
    for (const node of [nodeA, nodeB]) await node?.stop();
    await database?.drop();
    await deleteRedisKeys(redisPrefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('migrated the empty database once, although both nodes started at the same time', async () => {
    const migrated = [nodeA, nodeB].filter((node) => node.output().includes('database migrated'));
    expect(migrated).toHaveLength(1);
    const [counts] = await database.query<{ rows: number; versions: number }>(
      'select count(*)::int as rows, count(distinct version)::int as versions from schema_migrations',
    );
    const expected = migrationFiles.filter((file) => file.endsWith('.sql')).length;
    expect(counts).toEqual({ rows: expected, versions: expected });
  });

  it('accepts on one node the tokens another node issued', async () => {
    const issued = await api<AuthResponse>(nodeA.baseUrl, 'POST', '/api/auth/register', {
      body: registrationBody(),
    });
    const me = await api<{ id: string }>(nodeB.baseUrl, 'GET', '/api/account/me', {
      token: issued.access_token,
    });
    expect(me.id).toBe(issued.user.id);

    const refreshed = await api<AuthResponse>(nodeB.baseUrl, 'POST', '/api/auth/refresh', {
      body: { refresh_token: issued.refresh_token },
    });
    const again = await api<{ id: string }>(nodeA.baseUrl, 'GET', '/api/account/me', {
      token: refreshed.access_token,
    });
    expect(again.id).toBe(issued.user.id);
  });

  it('carries messages, typing and presence between sockets on different nodes', async () => {
    const bobOnA = await subscribedOn(nodeA, bob);
    const carolOnB = await subscribedOn(nodeB, carol);

    bobOnA.send({ type: 'send_message', ...message('across'), client_id: 'across-1' });
    const sent = await bobOnA.next('message_sent');
    const received = await carolOnB.next('new_message', (frame) => frame.id === sent.id, 5_000);
    expect(received).toMatchObject({ sender_id: bob.user.id, channel_id: channelId });

    carolOnB.send({ type: 'typing', channel_id: channelId });
    await bobOnA.next('user_typing', (frame) => frame.user_id === carol.user.id, 5_000);

    bobOnA.send({ type: 'update_presence', status: 'dnd' });
    await carolOnB.next('presence_update', (f) => f.user_id === bob.user.id && f.status === 'dnd', 5_000);
  });

  it('moves the clients of a stopped node to the other one, where they resume every event once, in order', async () => {
    const onA = await subscribedOn(nodeA, bob);
    const sender = await subscribedOn(nodeB, carol);
    const bobSockets = [onA];
    let backOnline = () => {};
    const offlineMessagesSent = new Promise<void>((resolve) => {
      backOnline = resolve;
    });
    // What the web client does on 1001: reconnect (nginx now picks B) and resume from the last seq it holds;
    // here only once the messages meant for the time it is away have been sent.
    const failover = Promise.all([onA.closed, offlineMessagesSent]).then(async () => {
      const { socket, upstream } = await openSecureSocket(baseUrl, bob.access_token, tls());
      sockets.push(socket);
      bobSockets.push(socket);
      expect(upstream).toBe(`127.0.0.1:${nodeB.port}`);
      socket.send({ type: 'resume', channels: { [channelId]: lastSeq(onA) } });
      await socket.next('resumed', () => true, 10_000);
    });
    failover.catch(() => {});

    const sentIds: unknown[] = [];
    for (let n = 1; n <= SENT; n++) {
      sender.send({ type: 'send_message', ...message(`m${n}`), client_id: `failover-${n}` });
      sentIds.push((await sender.next('message_sent', (frame) => frame.client_id === `failover-${n}`)).id);
      if (n === STOP_AFTER) {
        stoppedA = nodeA.stop('SIGTERM');
        expect((await onA.closed).code).toBe(1001);
      }
      // The messages after this one race with the reconnect and the resume.
      if (n === RECONNECT_AFTER) backOnline();
    }
    await stoppedA;
    await failover;

    const received = () => bobSockets.flatMap((socket) => channelMessages(socket));
    await expect.poll(() => received().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(SENT);
    const frames = received();
    expect(frames.map((frame) => frame.id)).toEqual(sentIds);
    const first = frames[0]?.seq as number;
    expect(frames.map((frame) => frame.seq)).toEqual(Array.from({ length: SENT }, (_, i) => first + i));
  });

  it('exits 0 when stopped with SIGTERM while clients are connected', async () => {
    expect(stoppedA, 'the failover test stops node A').toBeDefined();
    expect(await stoppedA, nodeA.output()).toBe(0);
  });
});

function message(text: string) {
  return {
    channel_id: channelId,
    ciphertext: [...Buffer.from(text)],
    nonce: [...Array(12).keys()],
    message_type: 'text',
  };
}

function channelMessages(socket: TestSocket): Frame[] {
  return socket.all('new_message').filter((frame) => frame.channel_id === channelId);
}

function lastSeq(socket: TestSocket): number {
  return (channelMessages(socket).at(-1)?.seq as number | undefined) ?? 0;
}
