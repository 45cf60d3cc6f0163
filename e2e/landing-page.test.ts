import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../packages/server/test/server-process.js';
import { launchBrowser } from './browser.js';

const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'packages/server/package.json'), 'utf8'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-e2e-'));

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({ DATA_DIR: dataDir, STATIC_FILES_PATH: path.join(root, 'packages/web/build') }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the landing page', () => {
  it('shows that the instance is online, with its version, from the real API', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(server.baseUrl);
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Online');
    expect(await page.getByTestId('health-version').textContent()).toBe(version);
    expect(await page.getByTestId('health-db').textContent()).toBe('Healthy');
    expect(await page.title()).toContain('Chatalot');
    await page.screenshot({ path: path.join(tmpdir(), 'chatalot-landing.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('answers an unknown client route with the app and its own not-found page', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.baseUrl}/no/such/page`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await page.getByRole('link', { name: 'Back to the start page' }).click();
    await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('Online');
  });
});
