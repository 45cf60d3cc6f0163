import { describe, expect, it } from 'vitest';
import { dayLabel, durationBadge, excerpt, relativeTime } from './format';

describe('format', () => {
  it('shortens a message to one line without its Markdown marks', () => {
    expect(excerpt('Hello **Bob**, see [the docs](https://x.org) and `code`', 80)).toBe(
      'Hello Bob, see the docs and code',
    );
    expect(excerpt('*waves* and ~~no~~ _yes_', 80)).toBe('waves and no yes');
    expect(excerpt('- one\n- two\n> quoted', 80)).toBe('one two quoted');
    expect(excerpt('a'.repeat(100), 10)).toBe(`${'a'.repeat(9)}…`);
    expect(excerpt('snake_case_name stays', 80)).toBe('snake_case_name stays');
  });

  it('labels days, durations and ages', () => {
    const now = new Date(2026, 1, 16, 12);
    expect(dayLabel(new Date(2026, 1, 16, 1), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 1, 15, 23), now)).toBe('Yesterday');
    expect(durationBadge(30)).toBe('30s');
    expect(durationBadge(300)).toBe('5m');
    expect(durationBadge(7200)).toBe('2h');
    expect(relativeTime(new Date(now.getTime() - 5 * 60_000), now)).toBe('5m ago');
  });
});
