import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { newClient } from './support/clients.js';
import { root, TestServer } from './support/server.js';

const { version } = JSON.parse(readFileSync(path.join(root, 'packages/server/package.json'), 'utf8'));

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([TestServer.start('landing'), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** A page in a fresh profile from its own forwarded address (the server's per-IP limit also counts pages). */
async function visitorPage(): Promise<Page> {
  const context = await newClient(browser, server);
  return context.newPage();
}

describe('the start page', () => {
  it('sends a visitor to sign in, where the footer shows the instance online with its version', async () => {
    const page = await visitorPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(server.baseUrl);
    await page.waitForURL('**/login');
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Online');
    await page.getByTestId('health-status').click();
    expect(await page.getByTestId('health-version').textContent()).toBe(version);
    expect(await page.getByTestId('health-db').textContent()).toBe('Healthy');
    expect(await page.title()).toContain('Chatalot');
    await page.screenshot({ path: path.join(tmpdir(), 'chatalot-landing.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('answers an unknown client route with the app and its own not-found page', async () => {
    const page = await visitorPage();
    const response = await page.goto(`${server.baseUrl}/no/such/page`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await page.getByRole('link', { name: 'Back to the start page' }).click();
    await page.waitForURL('**/login');
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Online');
  });
});
