import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServer, type FakeWebSocket } from '$lib/realtime/fake-websocket.testing';
import { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';
import { IDLE_AFTER_MS, Presence, STATUS_KEY } from './presence-state.svelte';

const ME = 'me';
let server: FakeServer;
let socket: RealtimeSocket;
let presence: Presence;

function connect(): FakeWebSocket {
  socket.connect();
  server.latest.accept(ME);
  return server.latest;
}

const statusFrames = (ws: FakeWebSocket) => ws.sentOf('update_presence').map((frame) => frame.status);

beforeEach(() => {
  vi.useFakeTimers();
  localStorage.clear();
  server = new FakeServer();
  socket = new RealtimeSocket({
    auth: { token: () => 'token', refresh: async () => true, ended: () => {} },
    url: () => 'ws://test/ws',
    createWebSocket: server.create,
    random: () => 0,
    // The fake server sends no heartbeat; minutes pass in these tests.
    timing: { deadMs: Number.POSITIVE_INFINITY },
  });
  presence = new Presence(socket, () => ME);
});

afterEach(() => {
  presence.reset();
  socket.reset();
  vi.useRealTimers();
});

describe('others', () => {
  it('follows presence_bulk and presence_update; unknown users are offline', () => {
    const ws = connect();
    ws.receive({
      type: 'presence_bulk',
      statuses: [
        ['u1', 'online'],
        ['u2', 'dnd'],
      ],
    });
    ws.receive({ type: 'presence_update', user_id: 'u1', status: 'idle' });
    expect([presence.of('u1'), presence.of('u2'), presence.of('u3')]).toEqual(['idle', 'dnd', 'offline']);
  });

  it('starts over on a new connection: who is not in the new presence_bulk is offline', () => {
    const ws = connect();
    ws.receive({ type: 'presence_bulk', statuses: [['u1', 'online']] });
    ws.drop();
    vi.advanceTimersByTime(1000);
    server.latest.accept(ME);
    expect(presence.of('u1')).toBe('offline');
  });
});

describe('own status', () => {
  it('reads offline while disconnected, and as chosen while connected', () => {
    expect(presence.of(ME)).toBe('offline');
    connect();
    expect(presence.of(ME)).toBe('online');
  });

  it('sends and remembers the chosen status, and sends it again after a reconnect', () => {
    const ws = connect();
    expect(statusFrames(ws)).toEqual([]);
    presence.setStatus('dnd');
    expect(statusFrames(ws)).toEqual(['dnd']);
    expect(localStorage.getItem(STATUS_KEY)).toBe('dnd');
    expect(presence.of(ME)).toBe('dnd');
    ws.drop();
    vi.advanceTimersByTime(1000);
    server.latest.accept(ME);
    expect(statusFrames(server.latest)).toEqual(['dnd']);
  });

  it('starts from the status saved in this browser', () => {
    localStorage.setItem(STATUS_KEY, 'invisible');
    const restored = new Presence(socket, () => ME);
    const ws = connect();
    expect(restored.chosen).toBe('invisible');
    expect(statusFrames(ws)).toEqual(['invisible']);
    restored.reset();
  });
});

describe('idle detection', () => {
  it('turns Online into Away after 5 minutes without input, and back on the next input', () => {
    const ws = connect();
    vi.advanceTimersByTime(IDLE_AFTER_MS - 60_000);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    vi.advanceTimersByTime(IDLE_AFTER_MS - 30_000);
    expect(statusFrames(ws)).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(statusFrames(ws)).toEqual(['idle']);
    expect(presence.of(ME)).toBe('idle');
    window.dispatchEvent(new Event('pointerdown'));
    expect(statusFrames(ws)).toEqual(['idle', 'online']);
    expect(presence.of(ME)).toBe('online');
  });

  it('never overrides Do Not Disturb', () => {
    const ws = connect();
    presence.setStatus('dnd');
    vi.advanceTimersByTime(IDLE_AFTER_MS * 2);
    window.dispatchEvent(new Event('pointerdown'));
    expect(statusFrames(ws)).toEqual(['dnd']);
  });
});
