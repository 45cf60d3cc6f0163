/** A stable hue (0–359) for a user id, so a person keeps one colour everywhere (web-client.md §3). */
export function hueOf(id: string): number {
  let hash = 2166136261;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % 360;
}

/** Up to two initials: the first letters of the first two words, else the first two characters. */
export function initialsOf(name: string): string {
  const words = name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean);
  const firstOf = (word: string | undefined) => [...(word ?? '')][0] ?? '';
  const initials =
    words.length >= 2 ? firstOf(words[0]) + firstOf(words[1]) : [...name.trim()].slice(0, 2).join('');
  return initials.toUpperCase() || '?';
}
