import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelLink as channelLinkOn, currentPath as pathOf, sidebar as sidebarOf } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { openSignedIn } from './support/clients.js';
import { artifact, TestServer } from './support/server.js';

/**
 * Navigation in the real client: the instance's first user (its owner, so an admin) creates a community, a
 * group and a channel through the UI; switching channels is a navigation, so Back and Forward move between
 * them; the quick switcher opens a channel from the keyboard alone; a reload lands on the last channel.
 */

let server: TestServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const sidebar = () => sidebarOf(page);
const channelLink = (name: string) => channelLinkOn(page, name);
const currentPath = () => pathOf(page);

beforeAll(async () => {
  [server, browser] = await Promise.all([
    TestServer.start('nav', { env: { REGISTRATION_MODE: 'open' } }),
    launchBrowser(),
  ]);
  const owner = await server.register();
  ({ page } = await openSignedIn(browser, server, owner, { errors: pageErrors }));
  await page.waitForURL(`${server.baseUrl}/channels`, { timeout: 20_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('navigation', () => {
  let generalPath = '';
  let sightingsPath = '';

  it('creates a community from the picker, then a group and a channel from the sidebar', async () => {
    await page.getByRole('button', { name: /^Community:/ }).click();
    await page.getByRole('menuitem', { name: 'Create a community' }).click();
    const createCommunity = page.getByRole('dialog', { name: 'Create a community' });
    await createCommunity.getByLabel('Name').fill('Field Notes');
    await createCommunity.getByRole('button', { name: 'Create community' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Community: Field Notes' }).count()).toBe(1);
    await expect.poll(() => createCommunity.count()).toBe(0);

    await sidebar().getByRole('button', { name: 'Create a group or channel' }).click();
    await page.getByRole('menuitem', { name: /Create a group/ }).click();
    const createGroup = page.getByRole('dialog', { name: 'Create a group' });
    await createGroup.getByLabel('Name').fill('Birds');
    await createGroup.getByRole('button', { name: 'Create group' }).click();
    // A new group comes with #general, which opens.
    await expect.poll(() => channelLink('general').getAttribute('aria-current')).toBe('page');
    generalPath = currentPath();
    expect(generalPath).toMatch(/^\/c\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => sidebar().getByRole('button', { name: /Birds/ }).getAttribute('aria-expanded'))
      .toBe('true');

    await sidebar().getByRole('button', { name: 'Add channel' }).click();
    await sidebar().getByLabel('New channel name').fill('sightings');
    await sidebar().getByLabel('New channel name').press('Enter');
    await expect.poll(() => channelLink('sightings').getAttribute('aria-current')).toBe('page');
    sightingsPath = currentPath();
    expect(sightingsPath).not.toBe(generalPath);
    expect(sightingsPath.split('/')[2]).toBe(generalPath.split('/')[2]);
    await page.screenshot({ path: artifact('navigation-sidebar.png') });
  });

  it('switches channels by URL, so Back and Forward move between them', async () => {
    await channelLink('general').click();
    await expect.poll(currentPath).toBe(generalPath);
    await expect.poll(() => channelLink('general').getAttribute('aria-current')).toBe('page');
    await page.goBack();
    await expect.poll(currentPath).toBe(sightingsPath);
    await expect.poll(() => channelLink('sightings').getAttribute('aria-current')).toBe('page');
    await page.goForward();
    await expect.poll(currentPath).toBe(generalPath);
    await expect.poll(() => channelLink('general').getAttribute('aria-current')).toBe('page');
  });

  it('opens a channel with the keyboard alone through the quick switcher', async () => {
    await page.keyboard.press('Control+K');
    const combobox = page.getByRole('combobox', { name: 'Channel or person' });
    await expect.poll(() => combobox.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type('sigh');
    const options = page.getByRole('option');
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('sightings')]);
    await page.screenshot({ path: artifact('navigation-quick-switcher.png') });
    await page.keyboard.press('Enter');
    await expect.poll(currentPath).toBe(sightingsPath);
    await expect.poll(() => combobox.count()).toBe(0);

    await page.keyboard.press('Control+K');
    await page.keyboard.press('ArrowDown');
    const chosen = await page.getByRole('option', { selected: true }).textContent();
    await page.keyboard.press('Enter');
    const target = chosen?.includes('sightings') ? sightingsPath : generalPath;
    await expect.poll(currentPath).toBe(target);
  });

  it('comes back to the last channel after a reload, with the group still open', async () => {
    await channelLink('sightings').click();
    await expect.poll(currentPath).toBe(sightingsPath);
    await page.goto(server.baseUrl);
    await expect.poll(currentPath, { timeout: 20_000 }).toBe(sightingsPath);
    await expect.poll(() => channelLink('sightings').getAttribute('aria-current')).toBe('page');
    expect(await sidebar().getByRole('button', { name: /Birds/ }).getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('button', { name: 'Community: Field Notes' }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
