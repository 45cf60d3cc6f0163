import type { CommunityUpdatedFrame } from '@chatalot/protocol';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nav } from '$lib/features/nav/nav.svelte';
import { fake, resetFakes, socket } from '$lib/features/nav/test-mocks';
import { serveWorld } from '$lib/features/nav/test-world';
import { render } from '$lib/ui/test/render';
import { CUSTOM_CSS_ID } from './apply-community-theme';
import CommunityTheme from './CommunityTheme.svelte';

vi.mock('$lib/features/nav/routing', () => ({
  goto: vi.fn(),
  afterNavigate: () => undefined,
  page: { params: {} },
}));
vi.mock('$lib/api/http', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/realtime/socket.svelte', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/features/auth/session.svelte', () => import('$lib/features/nav/test-mocks'));

const root = document.documentElement;
const token = (name: string) => root.style.getPropertyValue(name);
const customCss = () => document.querySelectorAll(`style#${CUSTOM_CSS_ID}`);

let destroy = () => {};

beforeEach(() => {
  localStorage.clear();
  resetFakes();
  nav.reset();
});

afterEach(() => {
  destroy();
  root.removeAttribute('style');
});

/** Alpha has a partial theme with custom CSS; Beta has none. */
async function mount() {
  const world = serveWorld(fake);
  world.alpha.community_theme = {
    accent: '#7c3aed',
    bgPrimary: '#101010',
    customCss: '.msg { color: #fff; }',
  };
  await nav.load();
  ({ destroy } = render(CommunityTheme));
  return world;
}

function activate(communityId: string | null): void {
  nav.activeCommunityId = communityId;
  flushSync();
}

describe('the active community theme (NAV-03, PREF-26)', () => {
  it('applies the theme while its community is active and removes it on a switch', async () => {
    const { alpha, beta } = await mount();
    activate(alpha.id);
    expect(token('--accent')).toBe('#7c3aed');
    expect(token('--bg')).toBe('#101010');
    // Keys the theme leaves out stay the user's.
    expect(token('--text')).toBe('');
    expect(token('--surface')).toBe('');
    expect(customCss()).toHaveLength(1);
    expect(customCss()[0]?.textContent).toBe('.msg { color: #fff; }');

    activate(beta.id);
    expect(token('--accent')).toBe('');
    expect(token('--bg')).toBe('');
    expect(customCss()).toHaveLength(0);

    activate(alpha.id);
    expect(token('--accent')).toBe('#7c3aed');
    activate(null);
    expect(root.getAttribute('style') ?? '').toBe('');
    expect(customCss()).toHaveLength(0);
  });

  it('replaces the theme live when community_updated changes it', async () => {
    const { alpha } = await mount();
    activate(alpha.id);
    const frame: CommunityUpdatedFrame = {
      type: 'community_updated',
      community_id: alpha.id,
      name: alpha.name,
      description: alpha.description,
      icon_url: alpha.icon_url,
      banner_url: alpha.banner_url,
      community_theme: { textPrimary: '#eeeeee', customCss: '.x { color: red; }' },
      welcome_message: null,
    };
    socket.emit(frame);
    flushSync();
    expect(token('--accent')).toBe('');
    expect(token('--text')).toBe('#eeeeee');
    expect(customCss()).toHaveLength(1);
    expect(customCss()[0]?.textContent).toBe('.x { color: red; }');

    socket.emit({ ...frame, community_theme: null });
    flushSync();
    expect(token('--text')).toBe('');
    expect(customCss()).toHaveLength(0);
  });

  it('removes everything when the shell unmounts', async () => {
    const { alpha } = await mount();
    activate(alpha.id);
    destroy();
    destroy = () => {};
    expect(token('--accent')).toBe('');
    expect(customCss()).toHaveLength(0);
  });
});
