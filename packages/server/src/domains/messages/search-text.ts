/**
 * The text to index for full-text search, for a message sent while end-to-end encryption is off: its bytes
 * as UTF-8, unless they are not valid UTF-8 or look like an end-to-end envelope (`{"v":1,...}`), which a
 * client with encryption on may still send. Encrypted content is never indexed.
 */
export function searchableText(bytes: readonly number[]): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
  if (text.includes('\0') || isEnvelope(text)) return null;
  return text;
}

function isEnvelope(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'v' in parsed;
  } catch {
    return false;
  }
}
