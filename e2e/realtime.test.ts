import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuthResponse } from '@chatalot/protocol';
import { build, transform } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { compileModule } from 'svelte/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, TestSocket } from '../packages/server/test/ws-client.js';
import { launchBrowser } from './support/browser.js';
import { CuttableProxy } from './support/proxy.js';
import type { Account } from './support/rest.js';
import { root, TestServer } from './support/server.js';

/**
 * The realtime modules of the web client (socket, outbox) in Chromium against the real server, through a TCP
 * proxy the test can cut, mute and block: resume after a dropped connection, the outbox while offline, a
 * lost acknowledgement, and a reload with unsent messages. Bob is a plain WebSocket client in Node.
 */

const webLib = path.join(root, 'packages/web/src/lib');

/** The page's side: the app's own `socket`, `outbox` and `session` singletons, and what they delivered. */
const pageEntry = `
import { session } from './features/auth/session.svelte';
import { outbox } from './features/outbox/outbox.svelte';
import { socket } from './realtime/socket.svelte';

const events = [];
const resyncs = [];
const sent = [];
let reconnects = 0;
for (const type of ['new_message', 'message_edited', 'reaction_added', 'channel_updated']) {
  socket.on(type, (frame) => events.push({ type: frame.type, seq: frame.seq, id: frame.id ?? frame.message_id }));
}
socket.onResync((channelId, reason) => resyncs.push([channelId, reason]));
socket.onReconnected(() => { reconnects += 1; });
outbox.configure({
  encrypt: async (_channelId, text) => ({ ciphertext: [...new TextEncoder().encode(text)], nonce: [1, 2, 3] }),
  onSent: (item, frame) => sent.push({ clientId: item.clientId, messageId: frame.id }),
});
globalThis.realtime = {
  session, socket, outbox, events, resyncs, sent,
  get reconnects() { return reconnects; },
};
`;

/** Bundles the entry with the web client's `.svelte.ts` modules compiled by Svelte, as Vite would. */
async function bundlePage(): Promise<string> {
  const result = await build({
    stdin: { contents: pageEntry, resolveDir: webLib, loader: 'ts', sourcefile: 'realtime-entry.ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    alias: { $lib: webLib },
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'svelte-modules',
        setup(builder) {
          builder.onLoad({ filter: /\.svelte\.ts$/ }, async (args) => {
            const typescript = await readFile(args.path, 'utf8');
            const { code } = await transform(typescript, { loader: 'ts', target: 'es2022' });
            const compiled = compileModule(code, { filename: args.path, generate: 'client' });
            return { contents: compiled.js.code, loader: 'js', resolveDir: path.dirname(args.path) };
          });
        },
      },
    ],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced nothing');
  return output.text;
}

let server: TestServer;
let proxy: CuttableProxy;
let origin: string;
let browser: Browser;
let script: string;
let alice: Account;
let bob: Account;
let channelId: string;
const pageErrors: string[] = [];

/** Loads the modules into the page and connects as Alice, signed in afresh or restored from her refresh token. */
async function startRealtime(page: Page, signIn: 'begin' | 'restore'): Promise<void> {
  await page.addScriptTag({ content: script });
  await page.evaluate(
    async ({ auth, signIn, channelId }) => {
      const { session, socket } = (globalThis as unknown as { realtime: RealtimeHandle }).realtime;
      if (signIn === 'begin') session.begin(auth);
      else if (!(await session.restore())) throw new Error('the session could not be restored');
      socket.subscribe([channelId]);
      socket.connect();
    },
    { auth: alice, signIn, channelId },
  );
}

interface RealtimeHandle {
  session: { begin(auth: AuthResponse): void; restore(): Promise<boolean> };
  socket: { status: string; subscribe(ids: string[]): void; connect(): void; disconnect(): void };
  outbox: {
    send(draft: { channelId: string; text: string }): { clientId: string };
    items(channelId: string): Array<{ clientId: string; text: string; state: string; messageId?: string }>;
  };
  events: Array<{ type: string; seq?: number; id?: string }>;
  resyncs: Array<[string, string]>;
  sent: Array<{ clientId: string; messageId: string }>;
  reconnects: number;
}

/** Reads the page's realtime handle with `read` (serialised: it may use nothing from its scope). */
function inPage<T>(page: Page, read: (handle: RealtimeHandle) => T): Promise<T> {
  return page.evaluate(`(${read.toString()})(globalThis.realtime)`) as Promise<T>;
}

/** How many items the outbox database holds (page-side source: the e2e project has no DOM types). */
const countStoredItems = `new Promise((resolve, reject) => {
  const request = indexedDB.open('chatalot-outbox');
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const count = request.result.transaction('items').objectStore('items').count();
    count.onsuccess = () => {
      request.result.close();
      resolve(count.result);
    };
  };
})`;

const status = (page: Page) => inPage(page, (handle) => handle.socket.status);
const outboxItems = (page: Page, channel: string) =>
  page.evaluate(
    (id) =>
      (globalThis as unknown as { realtime: RealtimeHandle }).realtime.outbox
        .items(id)
        .map(({ clientId, text, state, messageId }) => ({ clientId, text, state, messageId })),
    channel,
  );

async function bobSocket(): Promise<TestSocket> {
  const socket = await TestSocket.connect(server.baseUrl, bob.access_token);
  socket.send({ type: 'subscribe', channel_ids: [channelId] });
  await socket.roundTrip();
  return socket;
}

const bytes = (text: string) => [...new TextEncoder().encode(text)];
const textOf = (frame: Frame) => new TextDecoder().decode(Uint8Array.from(frame.ciphertext as number[]));

/** Bob sends a message and waits until it is stored. */
async function bobSends(socket: TestSocket, text: string): Promise<string> {
  const ref = `send-${text}`;
  socket.send({
    type: 'send_message',
    channel_id: channelId,
    ciphertext: bytes(text),
    nonce: [1],
    message_type: 'text',
    ref,
  });
  const reply = await socket.reply(ref);
  if (reply.type !== 'message_sent') throw new Error(`send failed: ${JSON.stringify(reply)}`);
  return reply.id as string;
}

/** The texts of the channel's stored messages from Alice, oldest first. */
async function storedFromAlice(): Promise<string[]> {
  const history = await server.api<Array<{ sender_id: string | null; ciphertext: number[] }>>(
    'GET',
    `/api/channels/${channelId}/messages?limit=100`,
    alice,
  );
  return history
    .filter((message) => message.sender_id === alice.user.id)
    .map((message) => new TextDecoder().decode(Uint8Array.from(message.ciphertext)))
    .reverse();
}

beforeAll(async () => {
  [server, browser, script] = await Promise.all([
    // A blank page the server serves, so the test's modules run on its origin (and its address space).
    TestServer.start('realtime', {
      env: { REGISTRATION_MODE: 'open' },
      staticFiles: { 'index.html': '<!doctype html><title>realtime</title>' },
    }),
    launchBrowser(),
    bundlePage(),
  ]);
  const started = await CuttableProxy.start(Number(new URL(server.baseUrl).port));
  proxy = started.proxy;
  origin = started.baseUrl;
  alice = await server.register();
  bob = await server.register();
  ({ channelId } = await server.sharedChannel(alice, [bob], 'Realtime'));
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.dispose();
});

/** A page on the proxy's origin with Alice connected. */
async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/`);
  await startRealtime(page, 'begin');
  await expect.poll(() => status(page)).toBe('open');
  return page;
}

describe('resume', () => {
  it('delivers every event missed while the connection was down, in order, exactly once', async () => {
    const page = await newPage();
    const bobs = await bobSocket();
    const first = await bobSends(bobs, 'before the drop');
    await expect.poll(() => inPage(page, (handle) => handle.events.length)).toBe(1);

    proxy.blocked = true;
    proxy.cut();
    await expect.poll(() => status(page)).toBe('connecting');
    const second = await bobSends(bobs, 'missed 1');
    const third = await bobSends(bobs, 'missed 2');
    bobs.send({
      type: 'edit_message',
      message_id: second,
      ciphertext: bytes('missed 1, edited'),
      nonce: [2],
    });
    await bobs.next('message_edited');
    bobs.send({ type: 'add_reaction', message_id: first, emoji: '👍' });
    await bobs.next('reaction_added');
    await server.api('PATCH', `/api/channels/${channelId}`, alice, { topic: 'changed while away' });
    await bobs.next('channel_updated');
    const fourth = await bobSends(bobs, 'missed 3');
    proxy.blocked = false;

    await expect.poll(() => inPage(page, (handle) => handle.reconnects), { timeout: 20_000 }).toBe(1);
    const live = await bobSends(bobs, 'after the resume');
    await expect.poll(() => inPage(page, (handle) => handle.events.length)).toBe(8);
    const events = await inPage(page, (handle) => handle.events);
    expect(events.map((event) => [event.type, event.id])).toEqual([
      ['new_message', first],
      ['new_message', second],
      ['new_message', third],
      ['message_edited', second],
      ['reaction_added', first],
      ['channel_updated', undefined],
      ['new_message', fourth],
      ['new_message', live],
    ]);
    const seqs = events.map((event) => event.seq as number);
    expect(seqs).toEqual(seqs.map((_, index) => (seqs[0] as number) + index));
    expect(await inPage(page, (handle) => handle.resyncs)).toEqual([]);
    bobs.close();
    await page.close();
  });
});

describe('the outbox', () => {
  it('sends what was written offline once the connection is back, each message once and in order', async () => {
    const page = await newPage();
    const bobs = await bobSocket();
    proxy.blocked = true;
    proxy.cut();
    await expect.poll(() => status(page)).toBe('connecting');
    const texts = ['offline 1', 'offline 2', 'offline 3'];
    await page.evaluate(
      ({ texts, channelId }) => {
        const { outbox } = (globalThis as unknown as { realtime: RealtimeHandle }).realtime;
        for (const text of texts) outbox.send({ channelId, text });
      },
      { texts, channelId },
    );
    expect((await outboxItems(page, channelId)).map((item) => item.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    proxy.blocked = false;

    await expect
      .poll(async () => (await outboxItems(page, channelId)).map((item) => item.state), { timeout: 20_000 })
      .toEqual(['sent', 'sent', 'sent']);
    await expect.poll(() => bobs.all('new_message').map(textOf)).toEqual(texts);
    expect((await storedFromAlice()).filter((text) => texts.includes(text))).toEqual(texts);
    bobs.close();
    await page.close();
  });

  it('sends a message whose acknowledgement was lost again, and the server keeps one copy', async () => {
    const page = await newPage();
    const bobs = await bobSocket();
    proxy.muted = true;
    const item = await page.evaluate(
      (channelId) =>
        (globalThis as unknown as { realtime: RealtimeHandle }).realtime.outbox.send({
          channelId,
          text: 'ack lost',
        }).clientId,
      channelId,
    );
    const delivered = await bobs.next('new_message', (frame) => textOf(frame) === 'ack lost', 10_000);
    expect((await outboxItems(page, channelId))[0]?.state).toBe('pending');
    proxy.cut();
    proxy.muted = false;

    await expect
      .poll(async () => (await outboxItems(page, channelId)).find((entry) => entry.clientId === item), {
        timeout: 20_000,
      })
      .toMatchObject({ state: 'sent', messageId: delivered.id });
    expect(await inPage(page, (handle) => handle.sent.map((entry) => entry.messageId))).toEqual([
      delivered.id,
    ]);
    await bobs.roundTrip();
    // `next` took the first copy; no second one came.
    expect(bobs.all('new_message').filter((frame) => textOf(frame) === 'ack lost')).toEqual([]);
    expect((await storedFromAlice()).filter((text) => text === 'ack lost')).toHaveLength(1);
    bobs.close();
    await page.close();
  });

  it('sends the messages left pending by a reload once, after the reload', async () => {
    const page = await newPage();
    const bobs = await bobSocket();
    proxy.blocked = true;
    proxy.cut();
    await expect.poll(() => status(page)).toBe('connecting');
    const texts = ['before reload 1', 'before reload 2'];
    await page.evaluate(
      ({ texts, channelId }) => {
        const { outbox } = (globalThis as unknown as { realtime: RealtimeHandle }).realtime;
        for (const text of texts) outbox.send({ channelId, text });
      },
      { texts, channelId },
    );
    // Saved in IndexedDB before the reload; this page stops trying before the network is back.
    await expect.poll(() => page.evaluate(countStoredItems)).toBe(2);
    await inPage(page, (handle) => handle.socket.disconnect());

    proxy.blocked = false;
    await page.reload();
    await startRealtime(page, 'restore');

    await expect
      .poll(async () => (await outboxItems(page, channelId)).map((item) => [item.text, item.state]), {
        timeout: 20_000,
      })
      .toEqual(texts.map((text) => [text, 'sent']));
    await expect.poll(() => bobs.all('new_message').map(textOf)).toEqual(texts);
    expect((await storedFromAlice()).filter((text) => texts.includes(text))).toEqual(texts);
    bobs.close();
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
