import { describe, expect, it } from 'vitest';
import { formatUptime } from './format';

describe('formatUptime', () => {
  it('shows seconds under a minute', () => {
    expect(formatUptime(0)).toBe('0 s');
    expect(formatUptime(59)).toBe('59 s');
  });

  it('shows whole minutes under an hour', () => {
    expect(formatUptime(60)).toBe('1 min');
    expect(formatUptime(3_599)).toBe('59 min');
  });

  it('shows hours and minutes under a day', () => {
    expect(formatUptime(3_600)).toBe('1 h 0 min');
    expect(formatUptime(3 * 3_600 + 12 * 60 + 30)).toBe('3 h 12 min');
  });

  it('shows days and hours from one day on', () => {
    expect(formatUptime(86_400)).toBe('1 d 0 h');
    expect(formatUptime(2 * 86_400 + 4 * 3_600 + 59 * 60)).toBe('2 d 4 h');
  });

  it('treats fractions, negatives and non-finite input safely', () => {
    expect(formatUptime(61.9)).toBe('1 min');
    expect(formatUptime(-5)).toBe('0 s');
    expect(formatUptime(Number.NaN)).toBe('0 s');
    expect(formatUptime(Number.POSITIVE_INFINITY)).toBe('0 s');
  });
});
