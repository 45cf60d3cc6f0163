import { fireEvent, within } from '@testing-library/dom';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import Composer from './Composer.svelte';
import { fakeChat, textMessage } from './chat-fakes.svelte';
import { mountComponent } from './test-mount.svelte';

const { send, typingStart, typingStop } = vi.hoisted(() => ({
  send: vi.fn(),
  typingStart: vi.fn(),
  typingStop: vi.fn(),
}));

vi.mock('$lib/features/outbox/outbox.svelte', () => ({
  outbox: { send, items: () => [], retry: vi.fn(), discard: vi.fn() },
}));
vi.mock('$lib/features/typing/typing.svelte', () => ({
  typing: { start: typingStart, stop: typingStop, in: () => [] },
  typingLine: () => '',
}));

async function setup(history = [textMessage(1, 'me', 'my first'), textMessage(2, 'alice', 'hers')]) {
  const chat = await fakeChat(history);
  const onsent = vi.fn();
  const { container } = mountComponent(Composer, { onsent }, chat.contextMap);
  const box = within(container).getByRole('textbox', { name: 'Message #general…' }) as HTMLTextAreaElement;
  return { ...chat, onsent, container, box };
}

function type(box: HTMLTextAreaElement, value: string): void {
  box.value = value;
  box.setSelectionRange(value.length, value.length);
  fireEvent.input(box);
  flushSync();
}

function key(box: HTMLTextAreaElement, init: KeyboardEventInit): void {
  fireEvent.keyDown(box, init);
  flushSync();
}

beforeEach(() => {
  send.mockClear();
  typingStart.mockClear();
  localStorage.clear();
});

describe('Composer keys', () => {
  it('sends on Enter through the outbox, clears the box and tells the list', async () => {
    const { box, onsent } = await setup();
    type(box, '  hello there  ');
    expect(typingStart).toHaveBeenCalledWith('chan-1');
    key(box, { key: 'Enter' });
    expect(send).toHaveBeenCalledWith({ channelId: 'chan-1', text: 'hello there', replyTo: null });
    expect(box.value).toBe('');
    expect(onsent).toHaveBeenCalled();
    expect(typingStop).toHaveBeenCalledWith('chan-1');
  });

  it('keeps Shift+Enter for a new line and never sends blank text', async () => {
    const { box, container } = await setup();
    type(box, 'line one');
    key(box, { key: 'Enter', shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    type(box, '   ');
    key(box, { key: 'Enter' });
    expect(send).not.toHaveBeenCalled();
    expect(within(container).getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
  });

  it('applies slash commands and sends a reply to the chosen message', async () => {
    const { box, context } = await setup();
    context.view.replyTo = context.timeline.find('m-00002') ?? null;
    type(box, '/me waves');
    key(box, { key: 'Enter' });
    expect(send).toHaveBeenCalledWith({ channelId: 'chan-1', text: '*waves*', replyTo: 'm-00002' });
    expect(context.view.replyTo).toBeNull();
  });

  it('edits the latest own message on ↑ in an empty composer', async () => {
    const { box, context } = await setup();
    key(box, { key: 'ArrowUp' });
    expect(context.view.editingId).toBe('m-00001');
  });

  it('wraps the selection on Ctrl+B', async () => {
    const { box } = await setup();
    type(box, 'make bold');
    box.setSelectionRange(5, 9);
    key(box, { key: 'b', ctrlKey: true });
    expect(box.value).toBe('make **bold**');
  });

  it('completes a mention with the keyboard', async () => {
    const { box, container } = await setup();
    type(box, 'hi @ali');
    const list = within(container).getByRole('listbox', { name: 'Mention someone' });
    expect(
      within(list)
        .getAllByRole('option')
        .map((option) => option.textContent?.trim()),
    ).toEqual(['Alice Liddell @alice']);
    key(box, { key: 'Enter' });
    expect(box.value).toBe('hi @alice ');
    expect(send).not.toHaveBeenCalled();
  });

  it('saves the draft while typing and restores it in a new composer', async () => {
    vi.useFakeTimers();
    try {
      const first = await setup();
      type(first.box, 'half a thought');
      vi.advanceTimersByTime(400);
      expect(localStorage.getItem('chatalot:draft:chan-1')).toBe('half a thought');
      const second = await setup();
      expect(second.box.value).toBe('half a thought');
      key(second.box, { key: 'Enter' });
      expect(localStorage.getItem('chatalot:draft:chan-1')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
