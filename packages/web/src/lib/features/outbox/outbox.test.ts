import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeServer, type FakeWebSocket } from '$lib/realtime/fake-websocket.testing';
import { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';
import { IdbOutboxStore, OUTBOX_DATABASE } from './outbox-db';
import { Outbox } from './outbox-queue.svelte';
import type { Encrypted } from './outbox-types';

const CHANNEL = '0190c3a2-1111-7000-8000-00000000000c';
const ME = 'user-1';

interface Client {
  server: FakeServer;
  socket: RealtimeSocket;
  outbox: Outbox;
  encrypt: ReturnType<typeof vi.fn<(channelId: string, text: string) => Promise<Encrypted>>>;
  onSent: ReturnType<typeof vi.fn>;
}

const clients: Client[] = [];

/** A client (socket + outbox on IndexedDB) as one page load would have it. */
function client(userId: string | null = ME): Client {
  const server = new FakeServer();
  const socket = new RealtimeSocket({
    auth: { token: () => 'token', refresh: async () => true, ended: () => {} },
    url: () => 'ws://test/ws',
    createWebSocket: server.create,
    random: () => 0,
  });
  const outbox = new Outbox(socket, new IdbOutboxStore(), () => userId);
  let counter = 0;
  const encrypt = vi.fn(async (_channelId: string, text: string) => {
    counter += 1;
    return { ciphertext: [...new TextEncoder().encode(text)], nonce: [counter] };
  });
  const onSent = vi.fn();
  outbox.configure({ encrypt, onSent });
  const created = { server, socket, outbox, encrypt, onSent };
  clients.push(created);
  return created;
}

function connect({ server, socket }: Client): FakeWebSocket {
  socket.connect();
  server.latest.accept(ME);
  return server.latest;
}

/** Plays the server: answers a `send_message` as stored with `id`. */
function confirm(ws: FakeWebSocket, frame: Record<string, unknown> | undefined, id: string): void {
  ws.receive({
    type: 'message_sent',
    id,
    channel_id: CHANNEL,
    created_at: '2026-03-01T10:00:00.000000+00:00',
    client_id: frame?.client_id,
    ref: frame?.ref,
  });
}

const decoded = (frame: Record<string, unknown> | undefined) =>
  new TextDecoder().decode(Uint8Array.from((frame?.ciphertext as number[]) ?? []));

async function storedIds(): Promise<string[]> {
  const stored = await new IdbOutboxStore().load(ME);
  return stored.map((item) => item.clientId);
}

beforeEach(async () => {
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(OUTBOX_DATABASE);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
  });
});

afterEach(() => {
  for (const { socket, outbox } of clients.splice(0)) {
    socket.reset();
    outbox.reset();
  }
});

describe('sending', () => {
  it('shows the item as pending at once, sends it with its client id and marks it sent', async () => {
    const me = client();
    const ws = connect(me);
    const item = me.outbox.send({ channelId: CHANNEL, text: 'hello' });
    expect(me.outbox.items(CHANNEL)).toMatchObject([
      { clientId: item.clientId, state: 'pending', text: 'hello' },
    ]);
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    const frame = ws.sentOf('send_message')[0];
    expect(frame).toMatchObject({ channel_id: CHANNEL, client_id: item.clientId, message_type: 'text' });
    expect(decoded(frame)).toBe('hello');
    expect(await storedIds()).toEqual([item.clientId]);

    confirm(ws, frame, 'm-1');
    expect(me.outbox.items(CHANNEL)[0]).toMatchObject({ state: 'sent', messageId: 'm-1' });
    expect(me.onSent).toHaveBeenCalledOnce();
    expect(me.onSent.mock.calls[0]?.[0]).toMatchObject({ clientId: item.clientId, text: 'hello' });
    await vi.waitFor(async () => expect(await storedIds()).toEqual([]));
  });

  it('queues while offline and sends in order, one at a time, once the socket is open', async () => {
    const me = client();
    const texts = ['one', 'two', 'three'];
    for (const text of texts) me.outbox.send({ channelId: CHANNEL, text });
    await vi.waitFor(async () => expect(await storedIds()).toHaveLength(3));
    const ws = connect(me);
    for (const [index, text] of texts.entries()) {
      await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(index + 1));
      const frame = ws.sentOf('send_message')[index];
      expect(decoded(frame)).toBe(text);
      confirm(ws, frame, `m-${index}`);
    }
    await vi.waitFor(() =>
      expect(me.outbox.items(CHANNEL).map((item) => item.state)).toEqual(['sent', 'sent', 'sent']),
    );
    expect(ws.sentOf('send_message')).toHaveLength(3);
  });

  it('resends the same bytes with the same client id after a lost answer, encrypting once', async () => {
    const me = client();
    let ws = connect(me);
    me.outbox.send({ channelId: CHANNEL, text: 'once' });
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    const first = ws.sentOf('send_message')[0];
    ws.drop();
    expect(me.outbox.items(CHANNEL)[0]?.state).toBe('pending');
    await vi.waitFor(() => expect(me.server.sockets).toHaveLength(2));
    ws = me.server.latest;
    ws.accept(ME);
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    const again = ws.sentOf('send_message')[0];
    expect({ ...again, ref: undefined }).toEqual({ ...first, ref: undefined });
    confirm(ws, again, 'm-1');
    expect(me.encrypt).toHaveBeenCalledOnce();
    expect(me.onSent).toHaveBeenCalledOnce();
  });

  it('marks an item failed with the server message, keeps its text and retries it as it was', async () => {
    const me = client();
    const ws = connect(me);
    const item = me.outbox.send({ channelId: CHANNEL, text: 'slow' });
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    const first = ws.sentOf('send_message')[0];
    ws.receive({ type: 'error', code: 'slow_mode', message: 'slow mode: wait 7 seconds', ref: first?.ref });
    await vi.waitFor(() =>
      expect(me.outbox.items(CHANNEL)[0]).toMatchObject({
        state: 'failed',
        error: 'slow mode: wait 7 seconds',
        text: 'slow',
      }),
    );
    me.outbox.retry(item.clientId);
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(2));
    const second = ws.sentOf('send_message')[1];
    expect(second?.client_id).toBe(item.clientId);
    expect(second?.ciphertext).toEqual(first?.ciphertext);
    confirm(ws, second, 'm-1');
    expect(me.outbox.items(CHANNEL)[0]?.state).toBe('sent');
  });

  it('waits and tries again when rate limited', async () => {
    const me = client();
    const ws = connect(me);
    me.outbox.send({ channelId: CHANNEL, text: 'busy' });
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    const first = ws.sentOf('send_message')[0];
    ws.receive({ type: 'error', code: 'rate_limited', message: 'too many messages', ref: first?.ref });
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(2), { timeout: 3000 });
    expect(me.outbox.items(CHANNEL)[0]?.state).toBe('pending');
  });

  it('fails an item whose encryption is refused while connected', async () => {
    const me = client();
    connect(me);
    me.encrypt.mockRejectedValueOnce(new Error('This conversation is end-to-end encrypted.'));
    me.outbox.send({ channelId: CHANNEL, text: 'secret' });
    await vi.waitFor(() =>
      expect(me.outbox.items(CHANNEL)[0]).toMatchObject({
        state: 'failed',
        error: 'This conversation is end-to-end encrypted.',
      }),
    );
    expect(me.server.latest.sentOf('send_message')).toEqual([]);
  });

  it('keeps an item whose encryption failed offline, and encrypts it when connected', async () => {
    const me = client();
    me.encrypt.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    me.outbox.send({ channelId: CHANNEL, text: 'later' });
    await vi.waitFor(async () => expect(await storedIds()).toHaveLength(1));
    expect(me.encrypt).toHaveBeenCalledOnce();
    expect(me.outbox.items(CHANNEL)[0]?.state).toBe('pending');
    const ws = connect(me);
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    expect(decoded(ws.sentOf('send_message')[0])).toBe('later');
  });

  it('discards an item that is not in flight', async () => {
    const me = client();
    const item = me.outbox.send({ channelId: CHANNEL, text: 'never mind' });
    await vi.waitFor(async () => expect(await storedIds()).toHaveLength(1));
    expect(me.outbox.discard(item.clientId)).toBe(true);
    expect(me.outbox.items(CHANNEL)).toEqual([]);
    await vi.waitFor(async () => expect(await storedIds()).toEqual([]));
  });
});

describe('across reloads', () => {
  it('restores pending items and sends each once, with the bytes computed before the reload', async () => {
    const before = client();
    const a = before.outbox.send({ channelId: CHANNEL, text: 'first' });
    const b = before.outbox.send({ channelId: CHANNEL, text: 'second' });
    await vi.waitFor(async () => expect(await storedIds()).toEqual([a.clientId, b.clientId]));
    before.outbox.reset();

    const after = client();
    after.encrypt.mockRejectedValue(new Error('must not encrypt again'));
    await vi.waitFor(() =>
      expect(after.outbox.items(CHANNEL).map((item) => item.text)).toEqual(['first', 'second']),
    );
    const ws = connect(after);
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(1));
    confirm(ws, ws.sentOf('send_message')[0], 'm-1');
    await vi.waitFor(() => expect(ws.sentOf('send_message')).toHaveLength(2));
    confirm(ws, ws.sentOf('send_message')[1], 'm-2');
    expect(ws.sentOf('send_message').map((frame) => [frame.client_id, decoded(frame)])).toEqual([
      [a.clientId, 'first'],
      [b.clientId, 'second'],
    ]);
    expect(after.encrypt).not.toHaveBeenCalled();
    await vi.waitFor(async () => expect(await storedIds()).toEqual([]));
  });

  it("never loads or sends another user's items", async () => {
    const someone = client('user-2');
    someone.outbox.send({ channelId: CHANNEL, text: 'theirs' });
    await vi.waitFor(async () => expect(await new IdbOutboxStore().load('user-2')).toHaveLength(1));
    const me = client();
    const ws = connect(me);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(me.outbox.items(CHANNEL)).toEqual([]);
    expect(ws.sentOf('send_message')).toEqual([]);
  });
});
