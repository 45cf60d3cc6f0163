import type { Locator, Page } from 'playwright-core';

/** The roles and labels of the web client that several tests use, and what a person does with them. */

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const currentPath = (page: Page) => new URL(page.url()).pathname;

export const sidebar = (page: Page) =>
  page.getByRole('navigation', { name: 'Communities, channels and direct messages' });

export const channelLink = (page: Page, name: string) =>
  sidebar(page).getByRole('link', { name: `Text channel ${name}` });

/** The open channel's message list. */
export const timeline = (page: Page) => page.getByRole('log');

/** The composer of the open channel (`Message #name…`) or DM (`Message @name…`). */
export const composer = (page: Page) => page.getByRole('textbox', { name: /^Message [#@]/ });

/** Rows by a sender (a display name, or an account) that contain `text`. */
export const messageFrom = (page: Page, sender: string | { user: { display_name: string } }, text: string) =>
  page
    .getByRole('article', {
      name: `Message from ${typeof sender === 'string' ? sender : sender.user.display_name}`,
    })
    .filter({ hasText: text });

/** Types a message in the composer as a person does (Shift+Enter between lines) and sends it with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.click();
  for (const [index, line] of text.split('\n').entries()) {
    if (index > 0) await box.press('Shift+Enter');
    await box.pressSequentially(line);
  }
  await box.press('Enter');
}

/** Shows a row's action strip (hover) and presses one of its buttons. */
export async function action(row: Locator, name: string): Promise<void> {
  await row.hover();
  await row.getByRole('button', { name, exact: true }).click();
}

export interface NewAccount {
  username: string;
  email?: string;
  password: string;
}

/**
 * Registers on `/register` with the mouse, acknowledges the recovery code and waits for `/channels`; resolves
 * with the recovery code.
 */
export async function registerOnPage(page: Page, account: NewAccount): Promise<string> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Email').fill(account.email ?? `${account.username}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByLabel('Confirm password').fill(account.password);
  await page.getByRole('button', { name: 'Create Account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save your recovery code' });
  await dialog.waitFor({ timeout: 20_000 });
  const code = (await dialog.getByLabel('Recovery code').textContent()) ?? '';
  await dialog.getByRole('button', { name: "I've Saved My Code" }).click();
  await page.waitForURL(/\/channels/);
  return code;
}
