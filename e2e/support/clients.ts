import type { Browser, BrowserContext, Page } from 'playwright-core';

export type Theme = 'dark' | 'light';

let addresses = 0;

/**
 * A client address of its own (10.77.x.y), sent as `x-forwarded-for`: the server trusts loopback proxies and
 * rate-limits per address (burst 50, 20/s; the auth routes 10, 5/s), so browsers that load the app at the same
 * time do not share one bucket.
 */
export function nextAddress(): string {
  addresses += 1;
  return `10.77.${(addresses >> 8) & 255}.${addresses & 255}`;
}

export interface ClientOptions {
  /** The OS colour scheme (default light). */
  colorScheme?: Theme;
  /** `x-forwarded-for` of every request; default a fresh `nextAddress()`, `null` for none (127.0.0.1). */
  forwardedFor?: string | null;
  /** Allow the clipboard (the recovery code's Copy button). */
  clipboard?: boolean;
}

/** A fresh browser profile on the server's origin (relative URLs work), 1280×800. */
export async function newClient(
  browser: Browser,
  server: { baseUrl: string },
  options: ClientOptions = {},
): Promise<BrowserContext> {
  const forwardedFor = options.forwardedFor === undefined ? nextAddress() : options.forwardedFor;
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1280, height: 800 },
    ...(forwardedFor ? { extraHTTPHeaders: { 'x-forwarded-for': forwardedFor } } : {}),
  });
  if (options.clipboard) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  }
  return context;
}

/** Collects the page's uncaught errors (tests expect none: a blank screen is never acceptable). */
export function watchErrors(page: Page, into: string[] = [], prefix = ''): string[] {
  page.on('pageerror', (error) => into.push(`${prefix}${error.message}`));
  return into;
}

export interface SignedIn {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

export interface SignInOptions extends Omit<ClientOptions, 'colorScheme'> {
  /** The colour scheme, also stored as the app's choice (`chatalot:theme`); neither when absent (light OS). */
  theme?: Theme;
  /** Where to go once signed in (default `/`). */
  path?: string;
  /** Page errors go here too, prefixed with the username. */
  errors?: string[];
}

/**
 * A browser of its own for the account, signed in the way the app remembers a session: its refresh token in
 * localStorage (`chatalot:refresh-token`). The token is the session's own: another browser using it too
 * would make the server revoke the session (a refresh token used twice).
 */
export async function openSignedIn(
  browser: Browser,
  server: { baseUrl: string },
  account: { refresh_token: string; user: { username: string } },
  options: SignInOptions = {},
): Promise<SignedIn> {
  const { theme, path = '/', errors = [], ...client } = options;
  const context = await newClient(browser, server, { ...client, colorScheme: theme ?? 'light' });
  const page = await context.newPage();
  watchErrors(page, errors, `${account.user.username}: `);
  await seedStorage(page, {
    'chatalot:refresh-token': account.refresh_token,
    ...(theme ? { 'chatalot:theme': theme } : {}),
  });
  await page.goto(path);
  return { context, page, errors };
}

/**
 * Writes the origin's localStorage from a page that costs one request: a static file of the origin is enough,
 * where the app's first load makes dozens (and the server rate-limits every request per address).
 */
export async function seedStorage(page: Page, entries: Record<string, string>): Promise<void> {
  await page.goto('/favicon.png');
  await page.evaluate((values) => {
    for (const [key, value] of Object.entries(values)) localStorage.setItem(key, value);
  }, entries);
}
