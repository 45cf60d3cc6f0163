import { bytesEqual } from '@chatalot/crypto';

interface Outgoing {
  channelId: string;
  text: string;
  envelope: Uint8Array;
}

/** Enough for a burst of messages waiting for their `message_sent`; older entries were never acknowledged. */
const MAX_ENTRIES = 200;

/**
 * Envelopes encrypted in this tab and not yet acknowledged: `message_sent` carries only the new message id,
 * and the plaintext cache is keyed by the envelope's hash, so the envelope is found again by channel and text
 * (first sent, first acknowledged), or by its bytes when the caller has them.
 */
export class OutgoingEnvelopes {
  private entries: Outgoing[] = [];

  add(channelId: string, text: string, envelope: Uint8Array): void {
    this.entries.push({ channelId, text, envelope });
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
  }

  /** Removes and returns the matching envelope; `envelope` itself when given (it may predate a reload). */
  take(channelId: string, text: string, envelope?: Uint8Array): Uint8Array | undefined {
    const index = this.entries.findIndex((entry) =>
      envelope ? bytesEqual(entry.envelope, envelope) : entry.channelId === channelId && entry.text === text,
    );
    const found = index >= 0 ? this.entries.splice(index, 1)[0]?.envelope : undefined;
    return envelope ?? found;
  }
}
