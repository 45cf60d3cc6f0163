import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toasts } from './toasts.svelte';

beforeEach(() => vi.useFakeTimers());

afterEach(() => {
  for (const toast of toasts.items) toasts.dismiss(toast.id);
  vi.useRealTimers();
});

describe('toasts', () => {
  it('shows toasts in order and removes each after its time (errors stay longer)', () => {
    toasts.success('Saved');
    toasts.error('Could not send');
    expect(toasts.items.map((toast) => [toast.kind, toast.message])).toEqual([
      ['success', 'Saved'],
      ['error', 'Could not send'],
    ]);
    vi.advanceTimersByTime(4000);
    expect(toasts.items.map((toast) => toast.message)).toEqual(['Could not send']);
    vi.advanceTimersByTime(4000);
    expect(toasts.items).toEqual([]);
  });

  it('dismisses on request', () => {
    const id = toasts.info('Hello');
    toasts.dismiss(id);
    expect(toasts.items).toEqual([]);
  });

  it('holds a toast while it is paused and gives back the time that was left', () => {
    const id = toasts.info('Read me');
    vi.advanceTimersByTime(3000);
    toasts.pause(id);
    vi.advanceTimersByTime(60_000);
    expect(toasts.items).toHaveLength(1);
    toasts.resume(id);
    vi.advanceTimersByTime(999);
    expect(toasts.items).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(toasts.items).toEqual([]);
  });
});
