const PREFIX = 'chatalot:draft:';
const SAVE_DELAY_MS = 300;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadDraft(channelId: string): string {
  return storage()?.getItem(PREFIX + channelId) ?? '';
}

/** Writes at once; an empty draft removes the key. */
export function saveDraft(channelId: string, text: string): void {
  const store = storage();
  if (!store) return;
  try {
    if (text.trim() === '') store.removeItem(PREFIX + channelId);
    else store.setItem(PREFIX + channelId, text);
  } catch {
    // A full or disabled storage loses the draft, not the message being typed.
  }
}

/**
 * A channel's draft, written on every change after a short pause (MSG-29: text typed and then reloaded is
 * not lost), and at once on `flush` (channel switch, unload).
 */
export class DraftWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: string | null = null;

  constructor(private readonly channelId: string) {}

  update(text: string): void {
    this.pending = text;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === null) return;
    saveDraft(this.channelId, this.pending);
    this.pending = null;
  }

  /** After sending: no write of the old text may land later. */
  clear(): void {
    this.pending = '';
    this.flush();
  }
}
