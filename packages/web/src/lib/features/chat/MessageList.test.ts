import { fireEvent, within } from '@testing-library/dom';
import { flushSync, tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeChat, textMessage } from './chat-fakes.svelte';
import MessageList from './MessageList.svelte';
import { fakeScrollerLayout, mountComponent } from './test-mount.svelte';

vi.mock('$lib/features/outbox/outbox.svelte', () => ({
  outbox: { send: vi.fn(), items: () => [], retry: vi.fn(), discard: vi.fn() },
}));

// Sender names open profile cards, whose Send Message navigates.
vi.mock('$lib/features/nav/routing', () => ({ goto: vi.fn() }));

fakeScrollerLayout();

/** 5,000 messages from Alice and Bob, in runs of three. */
const history = Array.from({ length: 5000 }, (_, i) =>
  textMessage(i + 1, Math.floor(i / 3) % 2 ? 'bob' : 'alice', `message number ${i + 1}`),
);

async function setup() {
  // One page with the whole channel, as if it had all been scrolled through.
  const chat = await fakeChat(history, { pageSize: history.length });
  chat.context.timeline.hasMore = false;
  const mounted = mountComponent(MessageList, {}, chat.contextMap);
  await tick();
  return { ...chat, ...mounted };
}

// Rendering rows in jsdom is slow (sanitising, menus); the browser does this in milliseconds.
describe('MessageList', { timeout: 30_000 }, () => {
  it('renders only a window of the 5,000 messages, newest at the bottom, as a log of articles', async () => {
    const { container, context } = await setup();
    expect(context.timeline.messages).toHaveLength(5000);
    const log = within(container).getByRole('log', { name: 'Messages in #general' });
    expect(log.getAttribute('aria-live')).toBe('polite');
    const articles = within(log).getAllByRole('article');
    expect(articles.length).toBeGreaterThan(5);
    expect(articles.length).toBeLessThan(80);
    expect(articles.at(-1)?.textContent).toContain('message number 5000');
    expect(within(log).getAllByRole('article', { name: 'Message from Bob Builder' }).length).toBeGreaterThan(
      0,
    );
  });

  it('moves keyboard focus between messages with the arrow keys, rendering as it goes', async () => {
    const { container, instance } = await setup();
    const log = within(container).getByRole('log');
    await instance.show('m-02500', true);
    expect(document.activeElement?.textContent).toContain('message number 2500');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' });
    await tick();
    await tick();
    expect(document.activeElement?.textContent).toContain('message number 2499');
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' });
    await tick();
    await tick();
    flushSync();
    expect(document.activeElement?.textContent).toContain('message number 1');
    expect(within(log).queryByText('message number 5000')).toBeNull();
  });

  it('groups a run of one sender under one header', async () => {
    const { container } = await setup();
    const headers = container.querySelectorAll('article header');
    const articles = container.querySelectorAll('article');
    expect(headers.length).toBeLessThan(articles.length);
    expect(headers.length).toBeGreaterThanOrEqual(Math.floor(articles.length / 3));
  });
});
