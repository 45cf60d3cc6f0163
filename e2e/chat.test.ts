import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action, composer, messageFrom, send } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { openSignedIn, type Theme } from './support/clients.js';
import type { Account } from './support/rest.js';
import { artifact, TestServer } from './support/server.js';

/**
 * The channel view in two browsers: Alice and Bob, each signed in through a seeded refresh token, chat in
 * #general of Alice's community in real time — send, reply, react, edit, delete — and the history survives a
 * reload. Messages are end-to-end encrypted (the server's default), so this runs the E2E layer too.
 */

let server: TestServer;
let browser: Browser;
let alice: Account;
let bob: Account;
let channelUrl: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** A browser of its own for the account (from an address of its own), on the channel. */
async function openAs(account: Account, theme: Theme): Promise<Page> {
  const { context, page } = await openSignedIn(browser, server, account, {
    theme,
    path: channelUrl,
    clipboard: true,
    errors: pageErrors,
  });
  contexts.push(context);
  await composer(page).waitFor({ timeout: 20_000 });
  return page;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    TestServer.start('chat', { env: { REGISTRATION_MODE: 'open' } }),
    launchBrowser(),
  ]);
  alice = await server.register();
  bob = await server.register();
  ({ path: channelUrl } = await server.sharedChannel(alice, [bob], 'Chat test'));
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.dispose();
});

describe('the channel view with two people', () => {
  let alicePage: Page;
  let bobPage: Page;

  it('delivers messages both ways in real time, with markdown', async () => {
    alicePage = await openAs(alice, 'dark');
    bobPage = await openAs(bob, 'light');
    await expect.poll(() => alicePage.getByRole('heading', { name: 'Welcome to #general' }).count()).toBe(1);

    await send(alicePage, 'Hello **Bob**');
    const onBob = messageFrom(bobPage, alice, 'Hello Bob');
    await expect.poll(() => onBob.count(), { timeout: 20_000 }).toBe(1);
    expect(await onBob.locator('strong').textContent()).toBe('Bob');
    await expect.poll(() => messageFrom(alicePage, alice, 'sending…').count()).toBe(0);

    await send(bobPage, 'Hi Alice, lists:\n- one\n- two');
    const list = messageFrom(alicePage, bob, 'Hi Alice').locator('li').first();
    await expect.poll(() => list.count(), { timeout: 20_000 }).toBe(1);
    expect(await list.evaluate((item) => getComputedStyle(item.parentElement as Element).listStyleType)).toBe(
      'disc',
    );
  });

  it('replies, reacts, edits and deletes, live on the other side', async () => {
    await action(messageFrom(bobPage, alice, 'Hello Bob'), 'Reply');
    expect(await bobPage.getByRole('status').filter({ hasText: 'Replying to' }).textContent()).toContain(
      alice.user.display_name,
    );
    await send(bobPage, 'replying here');
    const reply = messageFrom(alicePage, bob, 'replying here');
    await expect.poll(() => reply.count(), { timeout: 20_000 }).toBe(1);
    expect(await reply.getByRole('button', { name: /^Reply to / }).textContent()).toContain('Hello Bob');

    await action(messageFrom(alicePage, bob, 'replying here'), 'Add reaction');
    await alicePage.getByRole('button', { name: 'React with 👍' }).click();
    const chip = messageFrom(bobPage, bob, 'replying here').getByRole('button', { name: /reacted with 👍/ });
    await expect.poll(() => chip.textContent(), { timeout: 10_000 }).toContain('1');
    expect(await chip.getAttribute('aria-pressed')).toBe('false');

    // ↑ in the empty composer edits the latest own message.
    await composer(alicePage).click();
    await composer(alicePage).press('ArrowUp');
    const editor = alicePage.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Hello again, Bob');
    await editor.press('Enter');
    const edited = messageFrom(bobPage, alice, 'Hello again, Bob');
    await expect.poll(() => edited.count(), { timeout: 10_000 }).toBe(1);
    expect(await edited.getByRole('button', { name: '(edited)' }).count()).toBe(1);

    await send(alicePage, 'this one goes away');
    await expect
      .poll(() => messageFrom(bobPage, alice, 'this one goes away').count(), { timeout: 20_000 })
      .toBe(1);
    await action(messageFrom(alicePage, alice, 'this one goes away'), 'Delete');
    await alicePage
      .getByRole('dialog', { name: 'Delete message?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect
      .poll(() => messageFrom(bobPage, alice, 'this one goes away').count(), { timeout: 10_000 })
      .toBe(0);
    expect(await messageFrom(alicePage, alice, 'this one goes away').count()).toBe(0);
  });

  it('keeps the history across a reload, and looks right in both themes', async () => {
    await bobPage.reload();
    await composer(bobPage).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => messageFrom(bobPage, alice, 'Hello again, Bob').count(), { timeout: 20_000 })
      .toBe(1);
    expect(await messageFrom(bobPage, bob, 'replying here').count()).toBe(1);
    expect(await bobPage.getByText('Unable to decrypt this message').count()).toBe(0);

    await alicePage.mouse.move(640, 760);
    await alicePage.screenshot({ path: artifact('chat-dark.png') });
    await bobPage.screenshot({ path: artifact('chat-light.png') });
    expect(pageErrors).toEqual([]);
  });
});
