import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from '$lib/ui/test/render';
import { nav } from './nav.svelte';
import QuickSwitcher from './QuickSwitcher.svelte';
import { fake, resetFakes } from './test-mocks';
import { serveWorld } from './test-world';

const { goto } = vi.hoisted(() => ({ goto: vi.fn(async () => undefined) }));

vi.mock('./routing', () => ({ goto }));
vi.mock('$lib/api/http', () => import('./test-mocks'));
vi.mock('$lib/realtime/socket.svelte', () => import('./test-mocks'));
vi.mock('$lib/features/auth/session.svelte', () => import('./test-mocks'));

let destroy = () => {};

beforeEach(() => {
  localStorage.clear();
  resetFakes();
  goto.mockClear();
});

afterEach(() => destroy());

async function mountSwitcher() {
  const world = serveWorld(fake);
  nav.reset();
  await nav.load();
  ({ destroy } = render(QuickSwitcher));
  return { world, nav };
}

const key = (target: EventTarget, init: KeyboardEventInit) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
  flushSync();
};
const combobox = () => document.querySelector<HTMLInputElement>('[role="combobox"]');
const options = () => [...document.querySelectorAll<HTMLElement>('[role="option"]')];
const selected = () => document.querySelector<HTMLElement>('[role="option"][aria-selected="true"]');
const type = (input: HTMLInputElement, text: string) => {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
};

describe('the quick switcher (NAV-20)', () => {
  it('opens with Mod+K, moves with the arrows and opens the choice with Enter', async () => {
    const { world } = await mountSwitcher();
    expect(combobox()).toBeNull();
    key(window, { key: 'k', ctrlKey: true });
    const input = combobox();
    if (!input) throw new Error('no combobox');
    expect(document.activeElement).toBe(input);
    // Unread first (ui has 3), then sidebar order: the active community (Alpha) first.
    expect(options().map((o) => o.textContent?.trim().split(/\s+/)[0])).toEqual([
      'ui',
      'api',
      'random',
      'Bob',
      'lounge',
    ]);
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    key(input, { key: 'ArrowDown' });
    expect(selected()?.textContent).toContain('api');
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    key(input, { key: 'ArrowUp' });
    key(input, { key: 'ArrowUp' });
    expect(selected()?.textContent).toContain('lounge');
    key(input, { key: 'Enter' });
    expect(goto).toHaveBeenCalledWith(`/c/${world.beta.id}/${world.lounge.id}`);
    await vi.waitFor(() => expect(combobox()).toBeNull());
  });

  it('filters by name, group or username, says when nothing matches, and closes on Esc', async () => {
    const { world } = await mountSwitcher();
    key(window, { key: 'K', metaKey: true });
    const input = combobox();
    if (!input) throw new Error('no combobox');
    type(input, 'bo');
    expect(options().map((o) => o.textContent?.trim().split(/\s+/)[0])).toEqual(['Bob']);
    key(input, { key: 'Enter' });
    expect(goto).toHaveBeenCalledWith(`/dm/${world.withBob.channel.id}`);
    await vi.waitFor(() => expect(combobox()).toBeNull());
    key(window, { key: 'k', ctrlKey: true });
    const again = combobox();
    if (!again) throw new Error('no combobox');
    expect(again.value).toBe('');
    type(again, 'design');
    expect(options().map((o) => o.textContent?.trim().split(/\s+/)[0])).toEqual(['ui']);
    type(again, 'nothing-like-this');
    expect(options()).toEqual([]);
    expect(document.body.textContent).toContain('No results found');
    key(again, { key: 'Escape' });
    await vi.waitFor(() => expect(combobox()).toBeNull());
  });

  it('follows the pointer', async () => {
    await mountSwitcher();
    key(window, { key: 'k', ctrlKey: true });
    const third = options()[2];
    third?.dispatchEvent(new MouseEvent('mousemove', { bubbles: true }));
    flushSync();
    expect(selected()).toBe(third);
  });
});
