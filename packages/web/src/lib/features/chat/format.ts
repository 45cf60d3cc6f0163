const DAY_MS = 86_400_000;

/** Local calendar day as `YYYY-MM-DD`, the key date separators are made of. */
export function dayKey(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** "Today", "Yesterday" or a long date such as "Monday, February 16, 2026" (MSG-14). */
export function dayLabel(date: Date, now: Date = new Date(), locale?: string): string {
  const key = dayKey(date);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(new Date(now.getTime() - DAY_MS))) return 'Yesterday';
  return date.toLocaleDateString(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

/** A message's time, e.g. "5:52 PM". */
export function timeLabel(date: Date, locale?: string): string {
  return date.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
}

/** The full timestamp shown on hover, with seconds. */
export function fullTimestamp(date: Date, locale?: string): string {
  return date.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'medium' });
}

/** "just now", "5m ago", "3h ago", "2d ago" — for read receipts. */
export function relativeTime(date: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** A slow-mode interval as the header badge shows it: "30s", "5m", "2h". */
export function durationBadge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

/** The start of a message on one line without its Markdown marks, for quotes and banners. */
export function excerpt(text: string, length: number): string {
  const line = text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|~~|`+)(.+?)\1/g, '$2')
    .replace(/(^|\W)[*_](\S(?:.*?\S)?)[*_](?=\W|$)/g, '$1$2')
    .replace(/^\s*(?:[-*+>]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
