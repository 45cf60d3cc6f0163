import { wsCloseCodes } from '@chatalot/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverVersion } from '../src/platform/version.js';
import { call, registerUser, suspend, type TestUser } from './factories.js';
import { createTestApp, type TestApp } from './harness.js';
import { TestSocket } from './ws-client.js';

let test: TestApp;
let baseUrl: string;
let alice: TestUser;
const sockets: TestSocket[] = [];

async function connect(token = alice.access_token): Promise<TestSocket> {
  const socket = await TestSocket.connect(baseUrl, token);
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  test = await createTestApp({
    gateway: { handshakeTimeoutMs: 300, maxSessionsPerUser: 3, sessionCheckMs: 100 },
  });
  baseUrl = await test.app.listen({ host: '127.0.0.1', port: 0 });
  alice = await registerUser(test.app);
});

afterAll(() => {
  for (const socket of sockets) socket.close();
});

describe('handshake', () => {
  it('answers a valid authenticate with the user id and version, then a pong', async () => {
    const socket = await TestSocket.open(baseUrl);
    sockets.push(socket);
    socket.send({ type: 'authenticate', token: alice.access_token, ref: 'a1' });
    const authenticated = await socket.next('authenticated');
    expect(authenticated).toEqual({
      type: 'authenticated',
      user_id: alice.user.id,
      server_version: serverVersion,
      ref: 'a1',
    });
    const pong = await socket.next('pong');
    expect(Math.abs((pong.timestamp as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('refuses a bad token with unauthorized and close code 4001', async () => {
    const socket = await TestSocket.open(baseUrl);
    socket.send({ type: 'authenticate', token: 'not.a.token' });
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized', message: 'invalid token' });
    expect((await socket.closed).code).toBe(wsCloseCodes.unauthorized);
  });

  it('refuses a first frame that is not authenticate', async () => {
    const socket = await TestSocket.open(baseUrl);
    socket.send({ type: 'subscribe', channel_ids: [] });
    expect(await socket.next('error')).toMatchObject({ code: 'auth_required' });
    expect((await socket.closed).code).toBe(wsCloseCodes.unauthorized);
  });

  it('refuses garbage as a first frame', async () => {
    const socket = await TestSocket.open(baseUrl);
    socket.send('{not json');
    expect(await socket.next('error')).toMatchObject({ code: 'auth_required' });
    expect((await socket.closed).code).toBe(wsCloseCodes.unauthorized);
  });

  it('closes a socket that never authenticates', async () => {
    const socket = await TestSocket.open(baseUrl);
    expect(await socket.next('error')).toMatchObject({ code: 'auth_timeout' });
    expect((await socket.closed).code).toBe(wsCloseCodes.authTimeout);
  });

  it('refuses the token of a revoked session and of a suspended user', async () => {
    const bob = await registerUser(test.app);
    await call(test.app, { method: 'POST', url: '/api/account/logout-all', headers: bob.headers });
    const revoked = await TestSocket.open(baseUrl);
    revoked.send({ type: 'authenticate', token: bob.access_token });
    expect(await revoked.next('error')).toMatchObject({ code: 'unauthorized' });

    const carol = await registerUser(test.app);
    await suspend(test.database, carol.user.id);
    const suspended = await TestSocket.open(baseUrl);
    suspended.send({ type: 'authenticate', token: carol.access_token });
    expect(await suspended.next('error')).toMatchObject({ code: 'unauthorized' });
  });

  it('tells the session over the cap why before closing it, and frees the slot on disconnect', async () => {
    const dave = await registerUser(test.app);
    const open = [
      await connect(dave.access_token),
      await connect(dave.access_token),
      await connect(dave.access_token),
    ];
    const extra = await TestSocket.open(baseUrl);
    extra.send({ type: 'authenticate', token: dave.access_token });
    expect(await extra.next('error')).toMatchObject({ code: 'too_many_sessions' });
    expect((await extra.closed).code).toBe(wsCloseCodes.tooManySessions);
    expect(extra.all('authenticated')).toEqual([]);

    open[0]?.close();
    await open[0]?.closed;
    await expect
      .poll(async () => {
        const retry = await TestSocket.open(baseUrl);
        retry.send({ type: 'authenticate', token: dave.access_token });
        const first = await retry.next(['authenticated', 'error']);
        sockets.push(retry);
        return first.type;
      })
      .toBe('authenticated');
  });

  it('handles frames sent right after authenticate, without waiting for the answer', async () => {
    const socket = await TestSocket.open(baseUrl);
    sockets.push(socket);
    socket.send({ type: 'authenticate', token: alice.access_token });
    socket.send({ type: 'ping', timestamp: 42, ref: 'early' });
    await socket.next('authenticated');
    expect(await socket.next('pong', (frame) => frame.ref === 'early')).toEqual({
      type: 'pong',
      timestamp: 42,
      ref: 'early',
    });
  });

  it('revoking one session closes only the sockets of that session', async () => {
    const erin = await registerUser(test.app);
    const login = await call(test.app, {
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: erin.username, password: erin.password },
    });
    const laptop = await connect(erin.access_token);
    const phone = await connect(login.json<{ access_token: string }>().access_token);
    const sessions = (await call(test.app, { url: '/api/account/sessions', headers: erin.headers })).json();
    const phoneSession = sessions.find((session: { is_current: boolean }) => !session.is_current);
    const revoke = await call(test.app, {
      method: 'DELETE',
      url: `/api/account/sessions/${phoneSession.id}`,
      headers: erin.headers,
    });
    expect(revoke.statusCode).toBe(200);
    expect((await phone.closed).code).toBe(wsCloseCodes.sessionEnded);
    await laptop.roundTrip();
  });

  it('closes the sockets of a user suspended behind its back', async () => {
    const frank = await registerUser(test.app);
    const socket = await connect(frank.access_token);
    await suspend(test.database, frank.user.id);
    expect((await socket.closed).code).toBe(wsCloseCodes.sessionEnded);
  });

  it('answers a plain GET /ws (no upgrade) with 404', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/ws' });
    expect(response.statusCode).toBe(404);
  });
});
