import { fireEvent, within } from '@testing-library/dom';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nav } from '$lib/features/nav/nav.svelte';
import { dm, ME, user } from '$lib/features/nav/test-fixtures';
import { fake, resetFakes } from '$lib/features/nav/test-mocks';
import { closeTopLayer } from '$lib/ui/layers';
import { render } from '$lib/ui/test/render';
import { toasts } from '$lib/ui/toasts.svelte';
import ProfileHarness from './test/ProfileHarness.svelte';

const { goto } = vi.hoisted(() => ({ goto: vi.fn(async () => undefined) }));

vi.mock('$lib/features/nav/routing', () => ({ goto }));
vi.mock('$lib/api/http', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/realtime/socket.svelte', () => import('$lib/features/nav/test-mocks'));
vi.mock('$lib/features/auth/session.svelte', () => import('$lib/features/nav/test-mocks'));

const alice = user({
  username: 'alice',
  display_name: 'Alice Liddell',
  pronouns: 'she/her',
  custom_status: 'Down the rabbit hole',
  bio: 'Curiouser and curiouser.',
  is_owner: true,
});

/** As the root layout does: Esc closes the top layer. */
const onEscape = (event: KeyboardEvent) => {
  if (event.key === 'Escape' && closeTopLayer()) event.preventDefault();
};

let destroy = () => {};

beforeEach(() => {
  resetFakes();
  nav.reset();
  goto.mockClear();
  fake.on(`GET /api/users/${alice.id}`, alice);
  document.addEventListener('keydown', onEscape);
});

afterEach(() => {
  destroy();
  document.removeEventListener('keydown', onEscape);
});

function mountName(userId = alice.id) {
  ({ destroy } = render(ProfileHarness, { userId }));
  return within(document.body).getByRole('button', { name: 'Alice Liddell' });
}

const card = () => within(document.body).queryByRole('dialog', { name: 'Profile of Alice Liddell' });

async function loaded(): Promise<HTMLElement> {
  await vi.waitFor(() => expect(card()?.textContent).toContain('Curiouser and curiouser.'));
  flushSync();
  return card() as HTMLElement;
}

describe('profile card (PRES-05)', () => {
  it('opens next to the name on a click and shows the profile from the server', async () => {
    const name = mountName();
    expect(name.getAttribute('aria-haspopup')).toBe('dialog');
    expect(card()).toBeNull();
    fireEvent.click(name);
    flushSync();
    expect(name.getAttribute('aria-expanded')).toBe('true');
    // The known name shows at once, the rest once the profile arrives.
    expect(card()?.textContent).toContain('Alice Liddell');
    const shown = within(await loaded());
    expect(fake.calls).toContainEqual({ method: 'GET', path: `/api/users/${alice.id}`, body: undefined });
    expect(shown.getByRole('heading', { level: 2 }).textContent).toMatch(/Alice Liddell\s*\(she\/her\)/);
    expect(shown.getByText('@alice')).toBeTruthy();
    expect(shown.getByText('Instance Owner')).toBeTruthy();
    expect(shown.getByText(/Down the rabbit hole/)).toBeTruthy();
    expect(shown.getByRole('img', { name: 'Offline' })).toBeTruthy();
    expect(shown.getByRole('button', { name: 'Copy User ID' })).toBeTruthy();
    // Later issues' actions are absent, not disabled.
    expect(shown.queryByRole('button', { name: /timeout|block/i })).toBeNull();
  });

  it('is a keyboard button: Enter opens it with focus inside, Esc closes it and gives focus back', async () => {
    const name = mountName();
    expect(name.tagName).toBe('BUTTON');
    name.focus();
    // A button's Enter is a click with no pointer (detail 0); jsdom does not synthesise it.
    fireEvent.keyDown(name, { key: 'Enter' });
    fireEvent.click(name, { detail: 0 });
    flushSync();
    const panel = await loaded();
    expect(panel.contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.textContent).toContain('Send Message');
    fireEvent.keyDown(document.activeElement as Element, { key: 'Escape' });
    flushSync();
    await vi.waitFor(() => expect(card()).toBeNull());
    expect(document.activeElement).toBe(name);
    expect(name.getAttribute('aria-expanded')).toBe('false');
  });

  it('Send Message opens the DM through the nav flow and goes to it', async () => {
    const conversation = dm(alice);
    fake.on('POST /api/dms', conversation);
    fireEvent.click(mountName());
    flushSync();
    const shown = within(await loaded());
    fireEvent.click(shown.getByRole('button', { name: 'Send Message' }));
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith(`/dm/${conversation.channel.id}`));
    expect(fake.calls).toContainEqual({
      method: 'POST',
      path: '/api/dms',
      body: { target_user_id: alice.id },
    });
    expect(nav.dms.some((channel) => channel.peer?.id === alice.id)).toBe(true);
    flushSync();
    expect(card()).toBeNull();
  });

  it('Copy User ID puts the id on the clipboard and says so', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const success = vi.spyOn(toasts, 'success');
    fireEvent.click(mountName());
    flushSync();
    fireEvent.click(within(await loaded()).getByRole('button', { name: 'Copy User ID' }));
    await vi.waitFor(() => expect(success).toHaveBeenCalledWith('User ID copied'));
    expect(writeText).toHaveBeenCalledWith(alice.id);
  });

  it('offers no Send Message on one’s own card, and keeps the known name when the profile fails', async () => {
    fireEvent.click(mountName(ME));
    flushSync();
    await vi.waitFor(() => expect(card()?.textContent).toContain('could not be loaded'));
    const shown = within(card() as HTMLElement);
    expect(shown.getByText('Alice Liddell')).toBeTruthy();
    expect(shown.queryByRole('button', { name: 'Send Message' })).toBeNull();
  });
});
