import { fireEvent, screen } from '@testing-library/dom';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeTopLayer } from './layers';
import MenuHarness from './test/MenuHarness.svelte';
import ModalHarness from './test/ModalHarness.svelte';
import { render } from './test/render';

afterEach(() => {
  document.body.innerHTML = '';
});

/** Waits for the outro transition to take the element out. */
async function gone(role: 'dialog' | 'menu') {
  await vi.waitFor(() => expect(screen.queryByRole(role)).toBeNull());
}

function press(key: string, options: KeyboardEventInit = {}) {
  const target = document.activeElement ?? document.body;
  return fireEvent.keyDown(target, { key, bubbles: true, ...options });
}

describe('Modal', () => {
  it('is a labelled modal dialog that takes focus, traps Tab and gives focus back', async () => {
    render(ModalHarness);
    const opener = screen.getByRole('button', { name: 'Open dialog' });
    opener.focus();
    await fireEvent.click(opener);
    await tick();
    const dialog = screen.getByRole('dialog', { name: 'Rename channel' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const close = screen.getByRole('button', { name: 'Close' });
    const save = screen.getByRole('button', { name: 'Save' });
    expect(document.activeElement).toBe(close);

    save.focus();
    await press('Tab');
    expect(document.activeElement).toBe(close);
    await press('Tab', { shiftKey: true });
    expect(document.activeElement).toBe(save);

    await fireEvent.click(save);
    await gone('dialog');
    expect(document.activeElement).toBe(opener);
  });

  it('closes as the top layer on Esc, and on a click that starts and ends on the backdrop', async () => {
    render(ModalHarness);
    await fireEvent.click(screen.getByRole('button', { name: 'Open dialog' }));
    await tick();
    expect(closeTopLayer()).toBe(true);
    await gone('dialog');

    await fireEvent.click(screen.getByRole('button', { name: 'Open dialog' }));
    await tick();
    const backdrop = screen.getByRole('dialog').parentElement as HTMLElement;
    await fireEvent.pointerDown(screen.getByRole('dialog'));
    await fireEvent.click(backdrop);
    expect(screen.queryByRole('dialog')).not.toBeNull();
    await fireEvent.pointerDown(backdrop);
    await fireEvent.click(backdrop);
    await gone('dialog');
  });

  it('stays open on Esc when it must be answered', async () => {
    render(ModalHarness, { dismissible: false });
    await fireEvent.click(screen.getByRole('button', { name: 'Open dialog' }));
    await tick();
    closeTopLayer();
    await tick();
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Close' })).toBeNull();
  });
});

describe('Menu', () => {
  it('opens from the keyboard and moves with arrows, Home, End and type-ahead', async () => {
    const onselect = vi.fn();
    render(MenuHarness, { onselect });
    const trigger = screen.getByRole('button', { name: 'Account' });
    expect(trigger.getAttribute('aria-haspopup')).toBe('menu');
    trigger.focus();
    await press('ArrowDown');
    await tick();
    expect(trigger.getAttribute('aria-expanded')).toBe('true');
    screen.getByRole('menu', { name: 'User menu' });
    const [online, dnd] = screen.getAllByRole('menuitemradio');
    const signOut = screen.getByRole('menuitem', { name: 'Sign Out' });
    expect(online?.getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(online);
    await press('ArrowDown');
    expect(document.activeElement).toBe(dnd);
    await press('End');
    expect(document.activeElement).toBe(signOut);
    await press('ArrowDown');
    expect(document.activeElement).toBe(online);
    await press('ArrowUp');
    expect(document.activeElement).toBe(signOut);
    await press('Home');
    expect(document.activeElement).toBe(online);
    await press('d');
    expect(document.activeElement).toBe(dnd);

    await fireEvent.click(dnd as HTMLElement);
    await tick();
    expect(onselect).toHaveBeenCalledWith('dnd');
    await gone('menu');
    expect(document.activeElement).toBe(trigger);
  });

  it('closes on Esc with focus back on the trigger, and on a click outside', async () => {
    render(MenuHarness, { onselect: vi.fn() });
    const trigger = screen.getByRole('button', { name: 'Account' });
    trigger.focus();
    await press('ArrowUp');
    await tick();
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Sign Out' }));
    closeTopLayer();
    await gone('menu');
    expect(document.activeElement).toBe(trigger);

    await fireEvent.click(trigger);
    await tick();
    expect(screen.getByRole('menu')).toBeTruthy();
    await fireEvent.pointerDown(document.body);
    await gone('menu');
  });
});
