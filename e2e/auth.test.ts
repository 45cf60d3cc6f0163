/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { newClient as newContext, type Theme, watchErrors } from './support/clients.js';
import { artifact, TestServer } from './support/server.js';

const account = { username: 'ada', email: 'ada@example.org', password: 'Lovelace1!' };

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    TestServer.start('auth', { env: { REGISTRATION_MODE: 'open' } }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/**
 * A fresh browser profile. Each one talks from its own forwarded address, so the tests do not share the
 * per-IP limit of the auth routes.
 */
function newClient(options: { colorScheme?: Theme } = {}): Promise<BrowserContext> {
  return newContext(browser, server, { ...options, clipboard: true });
}

const currentPath = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;

async function signIn(page: Page, password = account.password): Promise<void> {
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account:/ }).click();
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL('**/login');
}

describe('sign-up, sign-out and sign-in', () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    context = await newClient();
    page = await context.newPage();
    errors = watchErrors(page);
  });

  afterAll(() => context?.close());

  it('sends a visitor from / to /login, and registers the first account there (AUTH-01, AUTH-10)', async () => {
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.waitForURL('**/register');

    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill('weak');
    await expect.poll(() => page.getByRole('list', { name: 'Password requirements' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Create Account' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Password does not meet all requirements');

    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByLabel('Confirm password').fill(account.password);
    await page.getByRole('button', { name: 'Create Account' }).click();

    const dialog = page.getByRole('dialog', { name: 'Save your recovery code' });
    await dialog.waitFor({ timeout: 20_000 });
    const code = await dialog.getByLabel('Recovery code').textContent();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    await dialog.getByRole('button', { name: 'Copy Code' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Copied!' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    // The code must be acknowledged: Esc does not close the dialog.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);

    await dialog.getByRole('button', { name: "I've Saved My Code" }).click();
    await page.waitForURL('**/channels');
    await page.getByRole('button', { name: 'Account: ada, Online' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('chatalot:refresh-token'))).toMatch(
      /^[0-9a-f]{64}$/,
    );

    await page.goto('/');
    await page.waitForURL('**/channels');
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome, ada' }).waitFor();
  });

  it('signs out from the user menu, keeping the E2E keys but nothing personal (AUTH-16)', async () => {
    await page.evaluate(() => localStorage.setItem('chatalot:draft:some-channel', 'a private draft'));
    await signOut(page);
    const stored = await page.evaluate(async () => ({
      keys: Object.keys(localStorage),
      databases: (await indexedDB.databases()).map((database) => database.name),
    }));
    expect(stored.keys.filter((key) => key !== 'chatalot:theme')).toEqual([]);
    expect(stored.databases.some((name) => name?.startsWith('chatalot-crypto-'))).toBe(true);
    await expect
      .poll(() => page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name)))
      .not.toContain('chatalot-outbox');

    await page.goto('/channels');
    await page.waitForURL('**/login?redirect=%2Fchannels');
  });

  it('explains a wrong password, then signs in and goes where the link asked (AUTH-02, AUTH-04)', async () => {
    await signIn(page, 'Wrong-password1');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid username or password.');
    await signIn(page);
    await page.waitForURL('**/channels');

    await signOut(page);
    await page.goto('/login?redirect=/terms');
    await signIn(page);
    await page.waitForURL('**/terms');
    await page.getByRole('heading', { name: 'Terms of Service' }).waitFor();

    // Signed in, the sign-in page moves on; a redirect off the site is ignored.
    await page.goto('/login?redirect=https://example.org/');
    await page.waitForURL('**/channels');
    expect(errors).toEqual([]);
  });

  it('signs the other tabs out too (AUTH-15)', async () => {
    const other = await context.newPage();
    await other.goto('/channels');
    await other.getByRole('heading', { name: 'Welcome, ada' }).waitFor();
    await signOut(page);
    await other.waitForURL('**/login');
    expect(await other.getByText('You signed out in another tab.').count()).toBe(1);
    await other.close();
  });
});

describe('keyboard and theme', () => {
  it('signs in with the keyboard alone (Tab, typing, Enter)', async () => {
    const context = await newClient();
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Username').waitFor();
    for (let presses = 0; presses < 5; presses++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'login-username')) break;
    }
    await page.keyboard.type(account.username);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))).toBe(
      'current-password',
    );
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/channels');

    // The shortcuts dialog opens with `?`, traps focus and gives it back on Esc.
    await page.getByRole('heading', { name: 'Welcome, ada' }).waitFor();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await context.close();
  });

  const backgrounds = { dark: 'rgb(26, 24, 22)', light: 'rgb(248, 245, 240)' };

  /** The page as painted before any of the app's JavaScript has run. */
  async function beforeTheApp(page: Page): Promise<{ theme: string | null; background: string }> {
    await page.route('**/_app/**/*.js', (route) => route.abort());
    await page.goto('/login');
    return page.evaluate(() => ({
      theme: document.documentElement.getAttribute('data-theme'),
      background: getComputedStyle(document.documentElement).backgroundColor,
    }));
  }

  it('applies the theme before first paint: the OS setting, or the stored choice (PREF theme)', async () => {
    for (const scheme of ['dark', 'light'] as const) {
      const context = await newClient({ colorScheme: scheme });
      const page = await context.newPage();
      expect(await beforeTheApp(page)).toEqual({ theme: scheme, background: backgrounds[scheme] });
      await context.close();
    }

    const context = await newClient({ colorScheme: 'dark' });
    await context.addInitScript(() => localStorage.setItem('chatalot:theme', 'light'));
    const page = await context.newPage();
    expect(await beforeTheApp(page)).toEqual({ theme: 'light', background: backgrounds.light });
    await page.unroute('**/_app/**/*.js');

    // System follows the OS live; the switch stores the choice for the next load.
    await page.goto('/login');
    await page.getByRole('radio', { name: 'System' }).click();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('radio', { name: 'Light' }).click();
    expect(await page.evaluate(() => localStorage.getItem('chatalot:theme'))).toBe('light');
    await context.close();
  });

  it('looks right in both themes (screenshots in e2e/artifacts)', async () => {
    for (const scheme of ['dark', 'light'] as const) {
      const context = await newClient({ colorScheme: scheme });
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByRole('button', { name: 'Sign In' }).waitFor();
      await page.getByTestId('health-status').filter({ hasText: 'Online' }).waitFor();
      await page.screenshot({ path: artifact(`login-${scheme}.png`) });
      await context.close();
    }
  });
});

describe('pages for everyone', () => {
  it('shows the terms and the privacy policy from the server (AUTH-17)', async () => {
    const context = await newClient();
    const page = await context.newPage();
    await page.goto('/privacy');
    await page.getByRole('heading', { name: 'Privacy Policy', level: 1 }).waitFor();
    expect(await page.title()).toBe('Privacy Policy · Chatalot');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Login' }).click();
    await page.waitForURL('**/login');
    await context.close();
  });

  it('asks a visitor with an invite link to sign in, and comes back to it (AUTH-12)', async () => {
    const context = await newClient();
    const page = await context.newPage();
    await page.goto('/invite/SOMECODE');
    await page.getByRole('link', { name: 'Sign in to join' }).click();
    await page.waitForURL('**/login?redirect=%2Finvite%2FSOMECODE');
    await signIn(page);
    await page.waitForURL('**/invite/SOMECODE');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This invite cannot be used.');
    expect(currentPath(page)).toBe('/invite/SOMECODE');
    await context.close();
  });
});
