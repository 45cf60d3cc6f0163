import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServer, type FakeWebSocket } from './fake-websocket.testing';
import { SocketRequestError } from './frames';
import { RealtimeSocket, type SocketAuth } from './realtime-socket.svelte';

const A = '0190c3a2-1111-7000-8000-00000000000a';
const B = '0190c3a2-1111-7000-8000-00000000000b';

let server: FakeServer;
let auth: SocketAuth & { current: string | null };

function makeSocket(random = () => 0.5): RealtimeSocket {
  return new RealtimeSocket({
    auth,
    url: () => 'ws://test/ws',
    createWebSocket: server.create,
    random,
  });
}

/** Connects and authenticates; returns the live fake socket. */
function online(socket: RealtimeSocket): FakeWebSocket {
  socket.connect();
  server.latest.accept();
  return server.latest;
}

const topicChanged = (channelId: string, seq: number) => ({
  type: 'channel_updated',
  channel_id: channelId,
  name: 'general',
  topic: `topic ${seq}`,
  read_only: false,
  slow_mode_seconds: 0,
  archived: false,
  voice_background: null,
  seq,
});

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
  auth = {
    current: 'token-1',
    token: () => auth.current,
    refresh: vi.fn(async () => {
      auth.current = 'token-2';
      return true;
    }),
    ended: vi.fn(),
  };
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the handshake', () => {
  it('authenticates with the access token as the first frame, then is open', () => {
    const socket = makeSocket();
    socket.connect();
    expect(socket.status).toBe('connecting');
    const ws = server.latest;
    expect(ws.url).toBe('ws://test/ws');
    ws.open();
    expect(ws.sent).toEqual([{ type: 'authenticate', token: 'token-1' }]);
    expect(socket.send({ type: 'mark_all_read' })).toBe(false);
    ws.receive({ type: 'authenticated', user_id: 'me', server_version: '1' });
    expect(socket.status).toBe('open');
    expect(socket.send({ type: 'mark_all_read' })).toBe(true);
  });

  it('does not connect without a token', () => {
    auth.current = null;
    const socket = makeSocket();
    socket.connect();
    expect(server.sockets).toHaveLength(0);
    expect(socket.status).toBe('offline');
  });

  it('gives up a connection that does not authenticate in time, and tries again', () => {
    const socket = makeSocket();
    socket.connect();
    server.latest.open();
    vi.advanceTimersByTime(15_000);
    expect(server.latest.closedWith).toBeDefined();
    vi.advanceTimersByTime(500);
    expect(server.sockets).toHaveLength(2);
  });
});

describe('reconnecting', () => {
  it('backs off from 0.5 s, doubling to 30 s, with jitter, and starts over once authenticated', () => {
    const socket = makeSocket(() => 0);
    online(socket);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 9; attempt++) {
      const before = server.sockets.length;
      server.latest.drop();
      let waited = 0;
      while (server.sockets.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      waits.push(waited);
    }
    // random() = 0: half of each ceiling (0.5, 1, 2, 4, 8, 16, 30, 30, 30 s).
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    server.latest.accept();
    server.latest.drop();
    vi.advanceTimersByTime(250);
    expect(server.sockets).toHaveLength(11);
  });

  it('spreads the delay over the upper half with jitter', () => {
    const socket = makeSocket(() => 0.999);
    online(socket);
    server.latest.drop();
    vi.advanceTimersByTime(498);
    expect(server.sockets).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(server.sockets).toHaveLength(2);
  });

  it('refreshes the token after a 4001 and reconnects with the new one', async () => {
    const socket = makeSocket();
    online(socket);
    server.latest.drop(4001);
    await vi.advanceTimersByTimeAsync(1000);
    expect(auth.refresh).toHaveBeenCalledOnce();
    server.latest.open();
    expect(server.latest.sent[0]).toEqual({ type: 'authenticate', token: 'token-2' });
  });

  it('stops when the refresh signs the session out', async () => {
    auth.refresh = vi.fn(async () => {
      auth.current = null;
      return false;
    });
    const socket = makeSocket();
    online(socket);
    server.latest.drop(4001);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(socket.status).toBe('offline');
  });

  it('signs out on 4003 and does not reconnect', async () => {
    const socket = makeSocket();
    online(socket);
    server.latest.drop(4003);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(auth.ended).toHaveBeenCalledOnce();
    expect(server.sockets).toHaveLength(1);
    expect(socket.status).toBe('offline');
  });

  it('waits 30 s after 4004 (too many sessions)', () => {
    const socket = makeSocket();
    online(socket);
    server.latest.drop(4004);
    vi.advanceTimersByTime(29_999);
    expect(server.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(server.sockets).toHaveLength(2);
  });

  it('pings every 15 s and reconnects a connection silent for 45 s', () => {
    const socket = makeSocket();
    const ws = online(socket);
    vi.advanceTimersByTime(15_000);
    expect(ws.sentOf('ping')).toHaveLength(1);
    ws.receive({ type: 'pong', timestamp: 1 });
    // Heard at 15 s: still alive at 60 s (45 s of silence is the limit), dead at 75 s.
    vi.advanceTimersByTime(45_000);
    expect(ws.sentOf('ping')).toHaveLength(4);
    expect(server.sockets).toHaveLength(1);
    vi.advanceTimersByTime(15_000);
    expect(ws.closedWith).toBeDefined();
    expect(socket.status).toBe('connecting');
    vi.advanceTimersByTime(1000);
    expect(server.sockets).toHaveLength(2);
  });

  it('stays away after disconnect', () => {
    const socket = makeSocket();
    const ws = online(socket);
    socket.disconnect();
    expect(ws.closedWith).toBe(1000);
    expect(socket.status).toBe('offline');
    vi.advanceTimersByTime(60_000);
    expect(server.sockets).toHaveLength(1);
  });
});

describe('requests', () => {
  it('correlates replies by ref, whatever their order', async () => {
    const socket = makeSocket();
    const ws = online(socket);
    const first = socket.request({ type: 'ping', timestamp: 1 });
    const second = socket.request({ type: 'ping', timestamp: 2 });
    const [a, b] = ws.sentOf('ping');
    expect(a?.ref).not.toBe(b?.ref);
    ws.receive({ type: 'pong', timestamp: 2, ref: b?.ref });
    ws.receive({ type: 'pong', timestamp: 1, ref: a?.ref });
    expect((await first).timestamp).toBe(1);
    expect((await second).timestamp).toBe(2);
  });

  it('rejects with the error frame that carries the ref', async () => {
    const socket = makeSocket();
    const ws = online(socket);
    const sending = socket.request({
      type: 'send_message',
      channel_id: A,
      ciphertext: [1],
      nonce: [1],
      message_type: 'text',
      reply_to: null,
      sender_key_id: null,
      thread_id: null,
    });
    const ref = ws.sentOf('send_message')[0]?.ref;
    const error = { type: 'error', code: 'slow_mode', message: 'slow mode: wait 7 seconds', ref };
    ws.receive(error);
    await expect(sending).rejects.toMatchObject({ code: 'slow_mode', frame: error });
  });

  it('rejects when offline, on timeout and when the connection drops', async () => {
    const socket = makeSocket();
    await expect(socket.request({ type: 'ping', timestamp: 1 })).rejects.toMatchObject({ code: 'offline' });
    const ws = online(socket);
    const late = socket.request({ type: 'ping', timestamp: 1 });
    const failed = expect(late).rejects.toMatchObject({ code: 'timeout' });
    vi.advanceTimersByTime(10_000);
    await failed;
    const lost = socket.request({ type: 'ping', timestamp: 2 });
    ws.drop();
    await expect(lost).rejects.toBeInstanceOf(SocketRequestError);
    await expect(lost).rejects.toMatchObject({ code: 'disconnected' });
  });
});

describe('dispatch', () => {
  it('calls the handlers of a frame type until they unsubscribe; a failing one does not stop the rest', () => {
    const socket = makeSocket();
    const ws = online(socket);
    const seen: string[] = [];
    vi.spyOn(console, 'error').mockImplementation(() => {});
    socket.on('user_typing', () => {
      throw new Error('boom');
    });
    const stop = socket.on('user_typing', (frame) => seen.push(frame.user_id));
    socket.on('reaction_added', (frame) => seen.push(frame.emoji));
    ws.receive({ type: 'user_typing', channel_id: A, user_id: 'u1' });
    ws.receive({ type: 'reaction_added', message_id: 'm', user_id: 'u1', emoji: '👍', seq: 3 });
    ws.receive({ type: 'reaction_removed', message_id: 'm', user_id: 'u1', emoji: '👍', seq: 4 });
    stop();
    ws.receive({ type: 'user_typing', channel_id: A, user_id: 'u2' });
    ws.receive({ type: 'no_such_frame' });
    ws.onmessage?.({ data: 'not json' });
    expect(seen).toEqual(['u1', '👍']);
  });
});

describe('subscriptions and resume', () => {
  it('subscribes on connect in chunks of 200 and remembers the channels', () => {
    const socket = makeSocket();
    const ids = Array.from(
      { length: 250 },
      (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    socket.subscribe(ids);
    const ws = online(socket);
    expect(ws.sentOf('subscribe').map((frame) => (frame.channel_ids as string[]).length)).toEqual([200, 50]);
    socket.subscribe([ids[0] as string, A]);
    expect(ws.sentOf('subscribe').at(-1)).toEqual({ type: 'subscribe', channel_ids: [A] });
    socket.unsubscribe([A, B]);
    expect(ws.sentOf('unsubscribe')).toEqual([{ type: 'unsubscribe', channel_ids: [A] }]);
  });

  it('resumes from the last seq after a reconnect; the reconnected listeners run once the replay is done', () => {
    const socket = makeSocket();
    const resyncs: Array<[string, string]> = [];
    const reconnected = vi.fn();
    socket.onResync((id, reason) => resyncs.push([id, reason]));
    socket.onReconnected(reconnected);
    socket.subscribe([A, B]);
    let ws = online(socket);
    expect(reconnected).not.toHaveBeenCalled();
    ws.receive(topicChanged(A, 7));
    ws.receive(topicChanged(A, 8));
    ws.drop();
    vi.advanceTimersByTime(1000);
    ws = server.latest;
    ws.accept();
    const resume = ws.sentOf('resume')[0];
    expect(resume).toMatchObject({ type: 'resume', channels: { [A]: 8 } });
    // B had no event, so where it stood is unknown: subscribe again and have it re-fetched.
    expect(ws.sentOf('subscribe')).toEqual([{ type: 'subscribe', channel_ids: [B] }]);
    expect(resyncs).toEqual([[B, 'missed']]);
    ws.receive(topicChanged(A, 9));
    expect(reconnected).not.toHaveBeenCalled();
    ws.receive({ type: 'resumed', channels: { [A]: 9 }, ref: resume?.ref });
    return vi.waitFor(() => expect(reconnected).toHaveBeenCalledOnce());
  });

  it('follows the channels afresh and has them re-fetched when the server refuses the resume', async () => {
    const socket = makeSocket();
    const resyncs: Array<[string, string]> = [];
    const reconnected = vi.fn();
    socket.onResync((id, reason) => resyncs.push([id, reason]));
    socket.onReconnected(reconnected);
    socket.subscribe([A]);
    online(socket).receive(topicChanged(A, 4));
    server.latest.drop();
    vi.advanceTimersByTime(1000);
    const ws = server.latest;
    ws.accept();
    const resume = ws.sentOf('resume')[0];
    ws.receive({ type: 'error', code: 'validation_error', message: 'too many', ref: resume?.ref });
    await vi.waitFor(() => expect(reconnected).toHaveBeenCalledOnce());
    expect(ws.sentOf('subscribe')).toEqual([{ type: 'subscribe', channel_ids: [A] }]);
    expect(resyncs).toEqual([[A, 'missed']]);
  });

  it('delivers a replayed event once and continues after a resync_required', () => {
    const socket = makeSocket();
    const topics: Array<string | null> = [];
    const resyncs: Array<[string, string]> = [];
    socket.on('channel_updated', (frame) => topics.push(frame.topic));
    socket.onResync((id, reason) => resyncs.push([id, reason]));
    socket.subscribe([A, B]);
    const ws = online(socket);
    ws.receive(topicChanged(A, 1));
    ws.receive(topicChanged(A, 2));
    ws.receive(topicChanged(A, 2));
    ws.receive(topicChanged(A, 1));
    ws.receive({ type: 'resync_required', channel_id: A, seq: 40, reason: 'gap_too_old' });
    ws.receive(topicChanged(A, 40));
    ws.receive(topicChanged(A, 41));
    ws.receive({ type: 'resync_required', channel_id: B, seq: 0, reason: 'no_access' });
    expect(topics).toEqual(['topic 1', 'topic 2', 'topic 41']);
    expect(resyncs).toEqual([
      [A, 'gap_too_old'],
      [B, 'no_access'],
    ]);
    ws.drop();
    vi.advanceTimersByTime(1000);
    server.latest.accept();
    expect(server.latest.sentOf('resume')[0]?.channels).toEqual({ [A]: 41 });
    expect(server.latest.sentOf('subscribe')).toEqual([]);
  });

  it('delivers a replayed reaction or deletion (no channel id) once', () => {
    const socket = makeSocket();
    const seen: string[] = [];
    socket.on('message_deleted', (frame) => seen.push(`deleted ${frame.message_id}`));
    socket.on('reaction_added', (frame) => seen.push(`${frame.emoji} ${frame.message_id}`));
    const ws = online(socket);
    const reaction = { type: 'reaction_added', message_id: 'm1', user_id: 'u', emoji: '👍', seq: 5 };
    ws.receive(reaction);
    ws.receive({ type: 'message_deleted', message_id: 'm1', seq: 6 });
    ws.receive(reaction);
    ws.receive({ type: 'message_deleted', message_id: 'm1', seq: 6 });
    ws.receive({ ...reaction, message_id: 'm2' });
    expect(seen).toEqual(['👍 m1', 'deleted m1', '👍 m2']);
  });

  it('forgets everything on reset', () => {
    const socket = makeSocket();
    socket.subscribe([A]);
    const ws = online(socket);
    ws.receive(topicChanged(A, 3));
    socket.reset();
    socket.connect();
    server.latest.accept();
    expect(server.latest.sentOf('resume')).toEqual([]);
    expect(server.latest.sentOf('subscribe')).toEqual([]);
  });
});
