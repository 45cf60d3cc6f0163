import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServer, type FakeWebSocket } from '$lib/realtime/fake-websocket.testing';
import { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';
import { typingLine } from './typing-line';
import { TYPER_SHOWN_MS, Typing } from './typing-state.svelte';

const A = 'channel-a';
const B = 'channel-b';
const names: Record<string, string> = { u1: 'Ada', u2: 'Brian', me: 'Me' };

let server: FakeServer;
let socket: RealtimeSocket;
let typing: Typing;
let blocked: string[];

function connect(): FakeWebSocket {
  socket.connect();
  server.latest.accept('me');
  return server.latest;
}

const typingIn = (ws: FakeWebSocket, channelId: string, userId: string) =>
  ws.receive({ type: 'user_typing', channel_id: channelId, user_id: userId });

beforeEach(() => {
  vi.useFakeTimers();
  blocked = [];
  server = new FakeServer();
  socket = new RealtimeSocket({
    auth: { token: () => 'token', refresh: async () => true, ended: () => {} },
    url: () => 'ws://test/ws',
    createWebSocket: server.create,
  });
  typing = new Typing({
    socket,
    selfId: () => 'me',
    nameOf: async (_channelId, userId) => names[userId],
    blockedIds: async () => blocked,
  });
});

afterEach(() => {
  socket.reset();
  vi.useRealTimers();
});

describe('own typing', () => {
  it('sends typing at most every 3 s', () => {
    const ws = connect();
    typing.start(A);
    vi.advanceTimersByTime(1000);
    typing.start(A);
    expect(ws.sentOf('typing')).toEqual([{ type: 'typing', channel_id: A }]);
    vi.advanceTimersByTime(2000);
    typing.start(A);
    expect(ws.sentOf('typing')).toHaveLength(2);
  });

  it('stops on send and when typing elsewhere, and only after announcing', () => {
    const ws = connect();
    typing.stop(A);
    expect(ws.sentOf('stop_typing')).toEqual([]);
    typing.start(A);
    typing.start(B);
    expect(ws.sentOf('stop_typing')).toEqual([{ type: 'stop_typing', channel_id: A }]);
    typing.stop(B);
    typing.stop(B);
    expect(ws.sentOf('stop_typing')).toHaveLength(2);
    typing.start(B);
    expect(ws.sentOf('typing')).toHaveLength(3);
  });
});

describe('who is typing', () => {
  it('lists names in order, without this user, until they stop, send or go quiet', async () => {
    const ws = connect();
    typingIn(ws, A, 'u1');
    typingIn(ws, A, 'me');
    typingIn(ws, A, 'u2');
    typingIn(ws, B, 'u2');
    await vi.advanceTimersByTimeAsync(0);
    expect(typing.in(A)).toEqual(['Ada', 'Brian']);
    ws.receive({ type: 'user_stopped_typing', channel_id: A, user_id: 'u1' });
    expect(typing.in(A)).toEqual(['Brian']);
    ws.receive({
      type: 'new_message',
      id: 'm',
      channel_id: B,
      sender_id: 'u2',
      ciphertext: [1],
      nonce: [1],
      message_type: 'text',
      reply_to: null,
      sender_key_id: null,
      created_at: '2026-03-01T10:00:00+00:00',
    });
    expect(typing.in(B)).toEqual([]);
    await vi.advanceTimersByTimeAsync(TYPER_SHOWN_MS - 1000);
    typingIn(ws, A, 'u2');
    await vi.advanceTimersByTimeAsync(2000);
    expect(typing.in(A)).toEqual(['Brian']);
    await vi.advanceTimersByTimeAsync(TYPER_SHOWN_MS);
    expect(typing.in(A)).toEqual([]);
  });

  it('never shows blocked users, and calls unknown ones "Someone"', async () => {
    blocked = ['u1'];
    const ws = connect();
    await vi.advanceTimersByTimeAsync(0);
    typingIn(ws, A, 'u1');
    typingIn(ws, A, 'stranger');
    await vi.advanceTimersByTimeAsync(0);
    expect(typing.in(A)).toEqual(['Someone']);
  });
});

describe('typingLine', () => {
  it.each([
    [[], ''],
    [['Ada'], 'Ada is typing…'],
    [['Ada', 'Brian'], 'Ada and Brian are typing…'],
    [['Ada', 'Brian', 'Cleo'], 'Ada, Brian, and Cleo are typing…'],
    [['Ada', 'Brian', 'Cleo', 'Dev'], 'Ada, Brian, and 2 others are typing…'],
  ])('%j → %s', (list, line) => {
    expect(typingLine(list)).toBe(line);
  });
});
