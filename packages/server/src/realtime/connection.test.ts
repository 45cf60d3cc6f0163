import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { systemClock } from '../platform/clock.js';
import { Connection } from './connection.js';
import { WireFrame } from './wire-frame.js';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of open.splice(0)) thing.close();
});

/** A server-side `Connection` and a client socket that collects the text messages it receives. */
async function pair(): Promise<{
  connection: Connection;
  received: string[];
  arrived: (n: number) => Promise<void>;
}> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  open.push(server);
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  await new Promise((resolve) => server.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  open.push(client);
  const received: string[] = [];
  const waiting: Array<() => void> = [];
  let closed = '';
  const wakeAll = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  client.on('message', (data, isBinary) => {
    received.push(isBinary ? '(binary)' : data.toString());
    wakeAll();
  });
  client.on('close', (code, reason) => {
    closed = `client closed: ${code} ${reason.toString()}`;
    wakeAll();
  });
  const socket = await accepted;
  const connection = new Connection('c', 'u', 's', socket, { sendQueueBytes: 1 << 20, clock: systemClock });
  const arrived = async (n: number) => {
    while (received.length < n) {
      if (closed) throw new Error(closed);
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return { connection, received, arrived };
}

describe('Connection.sendText', () => {
  it('delivers frames framed once, of every length class, as text and in order with the others', async () => {
    const { connection, received, arrived } = await pair();
    // Payloads of exactly n bytes at the edges of the three length encodings, one over the send queue's size.
    const ofBytes = (n: number) => JSON.stringify({ p: 'x'.repeat(n - 8) });
    const texts = [
      ofBytes(20),
      ofBytes(125),
      ofBytes(126),
      ofBytes(65_535),
      ofBytes(65_536),
      ofBytes(2_000_000),
    ];
    texts.push(JSON.stringify({ text: 'héllo wörld ✓' }));
    connection.sendText(WireFrame.of(texts[0] as string));
    connection.send({ type: 'between' });
    for (const text of texts.slice(1)) connection.sendText(WireFrame.of(text));
    await arrived(texts.length + 1);
    expect(received).toEqual([texts[0], JSON.stringify({ type: 'between' }), ...texts.slice(1)]);
  });
});
