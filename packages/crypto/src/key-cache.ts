/** Bounds for the stored keys of skipped (not yet received) messages. */
export interface KeyCacheLimits {
  now: number;
  maxEntries: number;
  maxAgeMs: number;
}

export const DEFAULT_MAX_CACHED_KEYS = 2000;
export const DEFAULT_CACHED_KEY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export function resolveLimits(options: {
  now?: number | undefined;
  maxEntries?: number | undefined;
  maxAgeMs?: number | undefined;
}): KeyCacheLimits {
  return {
    now: options.now ?? Date.now(),
    maxEntries: options.maxEntries ?? DEFAULT_MAX_CACHED_KEYS,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_CACHED_KEY_MAX_AGE_MS,
  };
}

/** Drops keys older than the age limit. Mutates `cache`, which must be a private copy. */
export function expireKeys<K>(cache: Map<K, { storedAt: number }>, limits: KeyCacheLimits): void {
  for (const [id, entry] of cache) {
    if (limits.now - entry.storedAt > limits.maxAgeMs) cache.delete(id);
  }
}

/** Evicts the oldest keys (by storedAt, then insertion order) beyond the cap. Mutates `cache`. */
export function capKeys<K>(cache: Map<K, { storedAt: number }>, limits: KeyCacheLimits): void {
  const excess = cache.size - limits.maxEntries;
  if (excess <= 0) return;
  const oldestFirst = [...cache].sort(([, a], [, b]) => a.storedAt - b.storedAt);
  for (const [id] of oldestFirst.slice(0, excess)) cache.delete(id);
}
