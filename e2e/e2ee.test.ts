import path from 'node:path';
import type { DmChannel, Message } from '@chatalot/protocol';
import { PGlite } from '@electric-sql/pglite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOnPage, send, timeline } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { newClient, watchErrors } from './support/clients.js';
import type { Account } from './support/rest.js';
import { TestServer } from './support/server.js';

/**
 * End-to-end encryption through the real web client: two people register on the registration page (so the
 * server checks the signature of keys made in the browser), exchange a DM from two browser contexts, and
 * see the same safety number; the server's database holds only envelopes, never the words.
 */

const password = 'Correct-Horse-9';
const secret = 'Meet me at the old mill at noon';
const reply = 'Bring the lantern, it gets dark early';

let server: TestServer;
let browser: Browser;
let alice: Person;
let bob: Person;
let dmId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    TestServer.start('e2ee', { env: { REGISTRATION_MODE: 'open' } }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** A person in their own browser context, registered through the page. */
interface Person {
  username: string;
  page: Page;
  auth: Account;
  errors: string[];
}

async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  return { page, errors: watchErrors(page) };
}

async function register(context: BrowserContext, username: string): Promise<Person> {
  const { page, errors } = await openPage(context);
  await registerOnPage(page, { username, password });
  // A session of its own for the REST calls of the test, so the page's refresh token is left alone.
  const auth = await server.login(username, password);
  return { username, page, auth, errors };
}

async function safetyNumber(page: Page): Promise<{ number: string; own: string; peer: string }> {
  await page
    .getByRole('button', { name: /safety number/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'End-to-end encrypted' });
  const number = (await dialog.getByTestId('safety-number').textContent()) ?? '';
  const own = (await dialog.getByTestId('own-fingerprint').textContent())?.replaceAll(' ', '') ?? '';
  const peer = (await dialog.getByTestId('peer-fingerprint').textContent())?.replaceAll(' ', '') ?? '';
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  return { number, own, peer };
}

const envelopeText = (bytes: Iterable<number>) => Buffer.from([...bytes]).toString('utf8');

describe('end-to-end encryption in the web client', () => {
  it('exchanges a DM that only the two browsers can read, and both see the same safety number', async () => {
    const [aliceContext, bobContext] = await Promise.all([
      newClient(browser, server),
      newClient(browser, server),
    ]);
    alice = await register(aliceContext, 'alice');
    bob = await register(bobContext, 'bob');
    // DMs need a shared community: the first account owns the instance and makes one.
    const community = await server.api<{ id: string }>('POST', '/api/communities', alice.auth, {
      name: 'Mill',
    });
    await server.invite(alice.auth, community.id, [bob.auth]);
    const dm = await server.api<DmChannel>('POST', '/api/dms', alice.auth, {
      target_user_id: bob.auth.user.id,
    });
    dmId = dm.channel.id;

    await alice.page.goto(`/dm/${dmId}`);
    await send(alice.page, secret);
    await bob.page.goto(`/dm/${dmId}`);
    await expect.poll(() => timeline(bob.page).getByText(secret).count()).toBe(1);
    await send(bob.page, reply);
    await expect.poll(() => timeline(alice.page).getByText(reply).count()).toBe(1);
    const locks = timeline(bob.page).getByRole('img', { name: 'End-to-end encrypted' });
    expect(await locks.count()).toBeGreaterThan(0);

    // Own messages come from this browser's encrypted cache after a reload: senders cannot decrypt them.
    await alice.page.reload();
    await expect.poll(() => timeline(alice.page).getByText(secret).count()).toBe(1);
    await expect.poll(() => timeline(alice.page).getByText(reply).count()).toBe(1);

    const [seenByAlice, seenByBob] = [await safetyNumber(alice.page), await safetyNumber(bob.page)];
    expect(seenByAlice.number).toMatch(/^(\d{5} ){7}\d{5}$/);
    expect(seenByBob.number).toBe(seenByAlice.number);
    expect(seenByAlice.peer).toBe(seenByBob.own);
    expect(seenByBob.peer).toBe(seenByAlice.own);

    const history = await server.api<Message[]>('GET', `/api/channels/${dmId}/messages`, alice.auth);
    expect(history).toHaveLength(2);
    for (const message of history) {
      const envelope = envelopeText(message.ciphertext);
      expect(JSON.parse(envelope)).toMatchObject({ v: 1, header: expect.any(Object) });
      expect(envelope).not.toContain('mill');
      expect(envelope).not.toContain('lantern');
    }
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });

  it('warns about a changed safety number until it is acknowledged, across reloads', async () => {
    // Bob signs in on a browser that has no keys for him: new keys are made, and he is told.
    const { page, errors } = await openPage(await newClient(browser, server));
    await page.goto(`/login?redirect=/dm/${dmId}`);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expect.poll(() => page.getByText('no encryption keys for your account').count()).toBe(1);
    await page.waitForURL(/\/dm\//);
    await send(page, 'New browser, same Bob');

    const banner = alice.page.getByRole('status').filter({ hasText: "bob's safety number changed" });
    await expect.poll(() => timeline(alice.page).getByText('New browser, same Bob').count()).toBe(1);
    await expect.poll(() => banner.count()).toBe(1);
    await alice.page.reload();
    await expect.poll(() => banner.count()).toBe(1);
    await banner.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    await alice.page.reload();
    await expect.poll(() => timeline(alice.page).getByText('New browser, same Bob').count()).toBe(1);
    expect(await banner.count()).toBe(0);
    expect([...alice.errors, ...errors]).toEqual([]);
  });

  it('leaves only envelopes in the database', async () => {
    await server.stop();
    const db = await PGlite.create(path.join(server.dataDir, 'db'));
    try {
      const { rows } = await db.query<{ ciphertext: Uint8Array }>(
        'select ciphertext from messages where channel_id = $1',
        [dmId],
      );
      expect(rows).toHaveLength(3);
      for (const { ciphertext } of rows) {
        const stored = envelopeText(ciphertext);
        expect(stored).toMatch(/^\{"v":1,/);
        for (const words of [secret, reply, 'mill', 'lantern', 'New browser'])
          expect(stored).not.toContain(words);
      }
    } finally {
      await db.close();
    }
  });
});
