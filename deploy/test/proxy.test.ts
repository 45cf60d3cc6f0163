import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthResponse, SessionInfo } from '@chatalot/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from '../../packages/server/test/factories.js';
import { freePort } from '../../packages/server/test/server-process.js';
import type { TestSocket } from '../../packages/server/test/ws-client.js';
import { type RunningNginx, renderExampleSite, startNginx } from './support/nginx-process.js';
import { type CompiledServer, startCompiledServer } from './support/nodes-server.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './support/nodes-services.js';
import { type Certificate, makeSelfSignedCertificate } from './support/tls-certificate.js';
import { api, request, sharedChannel } from './support/tls-client.js';
import { openSecureSocket } from './support/tls-socket.js';

const MAX_FILE_SIZE_MB = 2;
const MiB = 1024 * 1024;
/** An address a client claims for itself in X-Forwarded-For (TEST-NET-3): never to be recorded. */
const FORGED = '203.0.113.7';

/** A server behind its own nginx, both on loopback; `baseUrl` is nginx's https address. */
interface Site {
  server: CompiledServer;
  nginx: RunningNginx;
  baseUrl: string;
  httpsPort: number;
  httpPort: number;
}

let dir: string;
let certificate: Certificate;
let database: ThrowawayDatabase;
let trusted: Site;
let untrusted: Site;
const running: Array<{ stop(): Promise<unknown> }> = [];
const sockets: TestSocket[] = [];

/** The compiled server trusting `trustedProxies`, behind nginx running the example chatalot.conf. */
async function startSite(name: string, trustedProxies: string): Promise<Site> {
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const baseUrl = `https://127.0.0.1:${httpsPort}`;
  const server = await startCompiledServer({
    DATABASE_URL: database.url,
    DATA_DIR: path.join(dir, `${name}-data`),
    REGISTRATION_MODE: 'open',
    COMMUNITY_CREATION_MODE: 'open',
    PUBLIC_URL: baseUrl,
    TRUSTED_PROXIES: trustedProxies,
    MAX_FILE_SIZE_MB: String(MAX_FILE_SIZE_MB),
  });
  running.push(server);
  const site = renderExampleSite({
    upstream: `127.0.0.1:${server.port}`,
    httpPort,
    httpsPort,
    certificate,
    maxBodyMb: MAX_FILE_SIZE_MB + 1,
  });
  const nginx = await startNginx(path.join(dir, `${name}-nginx`), site, [httpsPort, httpPort]);
  running.push(nginx);
  return { server, nginx, baseUrl, httpsPort, httpPort };
}

/** Registers over `baseUrl` from the loopback address `from`, optionally claiming another one. */
async function register(baseUrl: string, from: string, claimed?: string): Promise<AuthResponse> {
  return api<AuthResponse>(baseUrl, 'POST', '/api/auth/register', {
    ca: certificate.pem,
    localAddress: from,
    headers: claimed ? { 'x-forwarded-for': claimed } : {},
    body: registrationBody(),
  });
}

/** The addresses the server at `baseUrl` recorded for the user's sessions. */
async function sessionAddresses(baseUrl: string, user: AuthResponse): Promise<Array<string | null>> {
  const sessions = await api<SessionInfo[]>(baseUrl, 'GET', '/api/account/sessions', {
    ca: certificate.pem,
    token: user.access_token,
  });
  return sessions.map((session) => session.ip_address);
}

describe('the compiled server behind nginx with TLS (deploy/nginx/chatalot.conf)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatalot-proxy-'));
    certificate = makeSelfSignedCertificate(dir);
    database = await createThrowawayDatabase();
    trusted = await startSite('trusted', '127.0.0.1');
    // The same server code, told to trust a proxy that is not nginx.
    untrusted = await startSite('untrusted', '192.0.2.1');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const child of running.reverse()) await child.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over https with HSTS, because PUBLIC_URL is https', async () => {
    const reply = await request(`${trusted.baseUrl}/api/health`, { ca: certificate.pem });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ status: 'ok' });
    expect(reply.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
  });

  it('redirects plain http to https, on port 80 and on the TLS port alike', async () => {
    const onHttpPort = await request(`http://127.0.0.1:${trusted.httpPort}/api/health?x=1`);
    expect(onHttpPort.status).toBe(301);
    expect(onHttpPort.headers.location).toBe('https://127.0.0.1/api/health?x=1');

    const onTlsPort = await request(`http://127.0.0.1:${trusted.httpsPort}/api/health`);
    expect(onTlsPort.status).toBe(301);
    expect(onTlsPort.headers.location).toBe(`https://127.0.0.1:${trusted.httpsPort}/api/health`);
  });

  it('signs in over https and carries a message from one user to another through wss', async () => {
    const alice = await register(trusted.baseUrl, '127.0.0.2');
    const bob = await register(trusted.baseUrl, '127.0.0.3');
    const login = { username: alice.user.username, password: registrationBody().password };
    const signedIn = await api<AuthResponse>(trusted.baseUrl, 'POST', '/api/auth/login', {
      ca: certificate.pem,
      localAddress: '127.0.0.2',
      body: login,
    });
    const channelId = await sharedChannel(trusted.baseUrl, certificate.pem, signedIn, [bob]);

    const options = { ca: certificate.pem };
    const sender = (await openSecureSocket(trusted.baseUrl, signedIn.access_token, options)).socket;
    const receiver = (await openSecureSocket(trusted.baseUrl, bob.access_token, options)).socket;
    sockets.push(sender, receiver);
    receiver.send({ type: 'subscribe', channel_ids: [channelId] });
    await receiver.roundTrip();

    const message = { channel_id: channelId, ciphertext: [104, 105], nonce: [...Array(12).keys()] };
    sender.send({ type: 'send_message', ...message, message_type: 'text', client_id: 'proxy-1' });
    const sent = await sender.next('message_sent');
    const received = await receiver.next('new_message');
    expect(received).toMatchObject({ ...message, id: sent.id, sender_id: alice.user.id });
  });

  it('records the address nginx saw, never one the client claims in X-Forwarded-For', async () => {
    const user = await register(trusted.baseUrl, '127.0.0.4', FORGED);
    expect(await sessionAddresses(trusted.baseUrl, user)).toEqual(['127.0.0.4']);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const direct = await register(trusted.server.baseUrl, '127.0.0.5', FORGED);
    expect(await sessionAddresses(trusted.baseUrl, direct)).toEqual(['127.0.0.5']);

    const throughUntrustedNginx = await register(untrusted.baseUrl, '127.0.0.6', FORGED);
    expect(await sessionAddresses(untrusted.baseUrl, throughUntrustedNginx)).toEqual(['127.0.0.1']);
  });

  it('passes a body of MAX_FILE_SIZE_MB and refuses a larger one in the error shape', async () => {
    const upload = (bytes: number) =>
      request(`${trusted.baseUrl}/api/files/upload`, {
        method: 'POST',
        ca: certificate.pem,
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(bytes),
      });

    const fits = await upload(MAX_FILE_SIZE_MB * MiB);
    expect(fits.status).not.toBe(413);
    expect(JSON.parse(fits.body)).toHaveProperty('error.code');

    const tooLarge = await upload((MAX_FILE_SIZE_MB + 1) * MiB + 1);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({
      error: { code: 'payload_too_large', message: 'request body is too large' },
    });
  });
});
