import { fireEvent, screen } from '@testing-library/dom';
import { type Component, flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import PresenceDot from './PresenceDot.svelte';
import { presence } from './presence.svelte';
import { STATUS_KEY } from './presence-state.svelte';
import StatusPicker from './StatusPicker.svelte';

const mounted: Array<() => void> = [];

function render<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: NoInfer<Props>,
): void {
  const target = document.body.appendChild(document.createElement('div'));
  const instance = mount(component, { target, props });
  flushSync();
  mounted.push(() => {
    unmount(instance);
    target.remove();
  });
}

afterEach(() => {
  for (const destroy of mounted.splice(0)) destroy();
  presence.reset();
  localStorage.clear();
});

describe('PresenceDot', () => {
  it('names the status for assistive technology, not only by colour', () => {
    render(PresenceDot, { status: 'dnd' });
    render(PresenceDot, { userId: 'nobody-we-know' });
    expect(screen.getByRole('img', { name: 'Do Not Disturb' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Offline' }).getAttribute('title')).toBe('Offline');
  });

  it('can be decorative next to a text label', () => {
    render(PresenceDot, { status: 'online', decorative: true });
    expect(screen.queryByRole('img')).toBeNull();
  });
});

describe('StatusPicker', () => {
  it('is a radio group: arrows change the status, a click picks one', async () => {
    const onpick = vi.fn();
    render(StatusPicker, { onpick });
    screen.getByRole('radiogroup', { name: 'Status' });
    const online = screen.getByRole('radio', { name: 'Online' });
    expect(online.getAttribute('aria-checked')).toBe('true');
    expect(online.getAttribute('tabindex')).toBe('0');
    expect(online.getAttribute('aria-describedby')).toBeTruthy();

    online.focus();
    await fireEvent.keyDown(online, { key: 'ArrowDown' });
    flushSync();
    const away = screen.getByRole('radio', { name: 'Away' });
    expect(presence.chosen).toBe('idle');
    expect(document.activeElement).toBe(away);
    expect(away.getAttribute('aria-checked')).toBe('true');
    expect(onpick).not.toHaveBeenCalled();

    await fireEvent.keyDown(away, { key: 'End' });
    expect(presence.chosen).toBe('invisible');
    await fireEvent.click(screen.getByRole('radio', { name: 'Do Not Disturb' }));
    expect(presence.chosen).toBe('dnd');
    expect(localStorage.getItem(STATUS_KEY)).toBe('dnd');
    expect(onpick).toHaveBeenCalledWith('dnd');
  });
});
