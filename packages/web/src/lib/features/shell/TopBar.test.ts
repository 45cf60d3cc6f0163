import { flushSync, tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nav } from '$lib/features/nav/nav.svelte';
import { fake, resetFakes } from '$lib/features/nav/test-mocks';
import { serveWorld } from '$lib/features/nav/test-world';
import { render } from '$lib/ui/test/render';
import { navCollapse } from './nav-collapse.svelte';
import TopBar from './TopBar.svelte';

vi.mock('$lib/features/nav/routing', () => ({
  goto: vi.fn(),
  afterNavigate: () => undefined,
  page: { params: {} },
}));
vi.mock('$lib/api/http', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/realtime/socket.svelte', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/features/auth/session.svelte', async () => {
  const { ME } = await import('$lib/features/nav/test-fixtures');
  const user = { id: ME, username: 'ada', display_name: 'Ada Lovelace', avatar_url: null, is_admin: false };
  return { session: { user, onSignOut: () => () => undefined } };
});

let destroy = () => {};

beforeEach(() => {
  localStorage.clear();
  resetFakes();
  nav.reset();
  navCollapse.expand();
});

afterEach(() => destroy());

async function mountInChannel() {
  const world = serveWorld(fake);
  await nav.load();
  nav.openChannel(world.ui.id, world.alpha.id);
  ({ destroy } = render(TopBar));
  return world;
}

const button = (name: string) => document.querySelector<HTMLButtonElement>(`button[aria-label="${name}"]`);
const breadcrumb = () => document.querySelector<HTMLElement>('header.breadcrumb');

async function press(name: string) {
  const target = button(name);
  if (!target) throw new Error(`no "${name}" button`);
  target.click();
  flushSync();
  await tick();
}

describe('collapsing the top bar to a breadcrumb (NAV-23)', () => {
  it('swaps the top bar for the breadcrumb and back, moving focus to the other toggle', async () => {
    await mountInChannel();
    const collapse = button('Collapse navigation');
    expect(collapse?.getAttribute('aria-expanded')).toBe('true');
    expect(breadcrumb()).toBeNull();

    await press('Collapse navigation');
    expect(navCollapse.collapsed).toBe(true);
    expect(document.querySelector('header.topbar')).toBeNull();
    expect(button('Collapse navigation')).toBeNull();
    const expand = button('Expand navigation');
    expect(expand?.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(expand);

    await press('Expand navigation');
    expect(navCollapse.collapsed).toBe(false);
    expect(breadcrumb()).toBeNull();
    expect(document.activeElement).toBe(button('Collapse navigation'));
  });

  it('shows "Community / channel", the unread total and the signed-in user with presence', async () => {
    await mountInChannel();
    await press('Collapse navigation');
    const crumb = breadcrumb();
    expect(crumb?.querySelector('.trail')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Alpha / #ui');
    expect(crumb?.querySelector('.badge')?.textContent).toBe('3 unread');
    expect(crumb?.textContent).toContain('Ada Lovelace');
    expect(crumb?.querySelector('[role="img"]')?.getAttribute('aria-label')).toBeTruthy();
  });

  it('comes back collapsed after a reload (a new mount reading storage)', async () => {
    await mountInChannel();
    await press('Collapse navigation');
    destroy();
    ({ destroy } = render(TopBar));
    expect(breadcrumb()).not.toBeNull();
    expect(localStorage.getItem('chatalot:nav-collapsed')).toBe('true');
  });

  it('keeps both toggles as keyboard-reachable native buttons', async () => {
    await mountInChannel();
    const collapse = button('Collapse navigation');
    expect(collapse?.tabIndex).toBe(0);
    collapse?.focus();
    expect(document.activeElement).toBe(collapse);
    await press('Collapse navigation');
    expect(button('Expand navigation')?.tabIndex).toBe(0);
  });
});
