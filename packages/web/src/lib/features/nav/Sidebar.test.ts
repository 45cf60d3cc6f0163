import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from '$lib/ui/test/render';
import { nav } from './nav.svelte';
import Sidebar from './Sidebar.svelte';
import { sidebarPrefs } from './sidebar-prefs.svelte';
import { fake, resetFakes } from './test-mocks';
import { serveWorld } from './test-world';

vi.mock('./routing', () => ({ goto: vi.fn(), afterNavigate: () => undefined, page: { params: {} } }));
vi.mock('$lib/api/http', () => import('./test-mocks'));
vi.mock('$lib/realtime/socket.svelte', () => import('./test-mocks'));
vi.mock('$lib/features/auth/session.svelte', () => import('./test-mocks'));

let destroy = () => {};

beforeEach(async () => {
  localStorage.clear();
  resetFakes();
  nav.reset();
  sidebarPrefs.setTab('community');
});

afterEach(() => destroy());

async function mountSidebar() {
  const world = serveWorld(fake);
  ({ destroy } = render(Sidebar));
  await vi.waitFor(() => expect(nav.status).toBe('ready'));
  flushSync();
  return world;
}

const filterBox = () => document.querySelector<HTMLInputElement>('input[placeholder="Filter…"]');
const rows = () =>
  [...document.querySelectorAll<HTMLElement>('[data-channel-id]')].map(
    (a) => a.querySelector('.name')?.textContent,
  );
const filter = (text: string) => {
  const input = filterBox();
  if (!input) throw new Error('no filter box');
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
};

describe('the sidebar filter (NAV-10)', () => {
  it('narrows groups and channels, opening groups that have matches, and × clears it', async () => {
    await mountSidebar();
    // Only the first group starts expanded.
    expect(rows()).toEqual(['api', 'random']);
    filter('U');
    expect(rows()).toEqual(['ui']);
    expect(document.querySelector('[data-channel-id] .badge')?.textContent).toBe('3 unread');
    filter('back');
    expect(rows()).toEqual(['api']);
    filter('zzz');
    expect(document.body.textContent).toContain('No groups or channels match “zzz”.');
    document.querySelector<HTMLButtonElement>('button[aria-label="Clear the filter"]')?.click();
    flushSync();
    expect(filterBox()?.value).toBe('');
    expect(rows()).toEqual(['api', 'random']);
  });

  it('finds DMs by name or username on the DMs tab', async () => {
    await mountSidebar();
    const dmsTab = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((tab) =>
      tab.textContent?.includes('DMs'),
    );
    dmsTab?.click();
    flushSync();
    expect(rows()).toEqual(['Bob']);
    filter('bo');
    expect(rows()).toEqual(['Bob']);
    filter('carol');
    expect(rows()).toEqual([]);
    expect(document.body.textContent).toContain('No conversations match “carol”.');
  });

  it('renames a channel of a group the user owns with F2 (NAV-17), and Esc leaves it as it was', async () => {
    const world = await mountSidebar();
    fake.on(`PATCH /api/groups/${world.backend.id}/channels/${world.api.id}`, (body?: unknown) => ({
      ...world.api,
      ...(body as object),
    }));
    const link = document.querySelector<HTMLElement>(`[data-channel-id="${world.api.id}"]`);
    link?.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', bubbles: true, cancelable: true }));
    flushSync();
    const field = document.querySelector<HTMLInputElement>('input[aria-label="Rename #api"]');
    if (!field) throw new Error('no rename field');
    field.value = 'rest-api';
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(rows()).toEqual(['rest-api', 'random']));
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PATCH', body: { name: 'rest-api' } });
    await vi.waitFor(() =>
      expect(document.activeElement?.getAttribute('data-channel-id')).toBe(world.api.id),
    );

    document.activeElement?.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'F2', bubbles: true, cancelable: true }),
    );
    flushSync();
    const again = document.querySelector<HTMLInputElement>('input[aria-label="Rename #rest-api"]');
    again?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(rows()).toEqual(['rest-api', 'random']));
    expect(fake.calls.filter((call) => call.method === 'PATCH')).toHaveLength(1);
  });

  it('shows the failure with Retry, and loads on Retry', async () => {
    serveWorld(fake);
    fake.on('GET /api/communities', () => {
      throw new Error('Could not reach the server.');
    });
    ({ destroy } = render(Sidebar));
    await vi.waitFor(() => expect(nav.status).toBe('error'));
    flushSync();
    expect(document.querySelector('[role="alert"]')?.textContent).toContain('Failed to load');
    expect(document.querySelector('[role="alert"]')?.textContent).toContain('Could not reach the server.');
    serveWorld(fake);
    [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Retry')?.click();
    await vi.waitFor(() => expect(nav.status).toBe('ready'));
  });
});
