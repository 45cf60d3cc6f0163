/** Geometry of a virtualised list of rows with variable heights: prefix sums and binary searches. */

/** `offsets[i]` is the top of row i; `offsets[n]` the total height. */
export function prefixOffsets<T>(items: readonly T[], heightOf: (item: T) => number): Float64Array {
  const offsets = new Float64Array(items.length + 1);
  for (let i = 0; i < items.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + heightOf(items[i] as T);
  return offsets;
}

/** The first row whose bottom is below `y` (so the row containing `y`), clamped to the list. */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((offsets[mid + 1] ?? 0) > y) high = mid;
    else low = mid + 1;
  }
  return Math.min(low, Math.max(count - 1, 0));
}

/** Rows `[start, end)` that intersect the viewport widened by `overscan` pixels on each side. */
export function visibleRange(
  offsets: Float64Array,
  top: number,
  height: number,
  overscan: number,
): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count === 0) return { start: 0, end: 0 };
  const start = rowAt(offsets, Math.max(0, top - overscan));
  const end = rowAt(offsets, top + height + overscan) + 1;
  return { start, end: Math.min(end, count) };
}

/** The row at the top of the viewport and how far its top is from the viewport's, to restore later. */
export function anchorAt<T extends { key: string }>(
  offsets: Float64Array,
  items: readonly T[],
  top: number,
): { key: string; delta: number } | null {
  if (items.length === 0) return null;
  const index = rowAt(offsets, top);
  const item = items[index];
  return item ? { key: item.key, delta: (offsets[index] ?? 0) - top } : null;
}
