import { describe, expect, it } from 'vitest';
import { groupedCode, uuidv7 } from './ids.js';

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID carrying the millisecond', () => {
    const id = uuidv7(Date.parse('2026-01-01T00:00:00Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBeGreaterThanOrEqual(
      Date.parse('2026-01-01T00:00:00Z'),
    );
  });

  it('sorts in creation order, also within one millisecond and when the clock steps back', () => {
    const now = Date.now() + 60_000;
    const ids = [...Array.from({ length: 5000 }, () => uuidv7(now)), uuidv7(now - 1000), uuidv7(now + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('groupedCode', () => {
  it('uses only unambiguous characters', () => {
    expect(groupedCode(4, 4)).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
  });
});
