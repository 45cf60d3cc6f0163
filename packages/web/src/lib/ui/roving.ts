/** Where each key moves in a row or column of choices: one step either way (wrapping), or to an end. */
export type KeyMoves = Readonly<Record<string, 1 | -1 | 'first' | 'last'>>;

/** Left and right, as in a tab list. */
export const ROW_KEYS: KeyMoves = { ArrowRight: 1, ArrowLeft: -1 };
/** All four arrows, as in a radio group. */
export const ARROW_KEYS: KeyMoves = { ...ROW_KEYS, ArrowDown: 1, ArrowUp: -1 };
/** Up, down, Home and End, as in a menu. */
export const MENU_KEYS: KeyMoves = { ArrowDown: 1, ArrowUp: -1, Home: 'first', End: 'last' };
/** Every arrow plus Home and End. */
export const ALL_KEYS: KeyMoves = { ...ARROW_KEYS, ...MENU_KEYS };

/** The index `key` moves to from `current` among `count` items, wrapping around; null for other keys. */
export function moveIndex(key: string, current: number, count: number, moves: KeyMoves): number | null {
  const move = Object.hasOwn(moves, key) ? moves[key] : undefined;
  if (move === undefined || count === 0) return null;
  if (move === 'first') return 0;
  if (move === 'last') return count - 1;
  return (current + move + count) % count;
}

/**
 * Keydown handler for a group with one tab stop (tab list, radio group; WAI-ARIA "roving tabindex"): a
 * moving key selects the choice it lands on and focuses that choice's button.
 */
export function rove(
  event: KeyboardEvent,
  from: number,
  buttons: readonly (HTMLElement | undefined)[],
  moves: KeyMoves,
  select: (index: number) => void,
): void {
  const next = moveIndex(event.key, from, buttons.length, moves);
  if (next === null) return;
  event.preventDefault();
  select(next);
  buttons[next]?.focus();
}
