/**
 * The receiving side of the fan-out benchmark (fanout.ts), kept cheap so that the load generator distorts as
 * little as possible: a message carries its index as the decimal digits of its `nonce`, which a receiver finds
 * with `Buffer.indexOf` (no JSON.parse, no string); the send time comes from a table, the latency goes into a
 * histogram and the delivery into a per-receiver counter.
 */
/** Messages a run may send at most (the size of the send-time table). */
export const MAX_MESSAGES = 400_000;
const NONCE_DIGITS = 12;
/** Latency histogram: 0.1 ms buckets up to 10 s, then one overflow bucket. */
const BUCKETS_PER_MS = 10;
const HISTOGRAM_SIZE = 10_000 * BUCKETS_PER_MS + 1;

const NONCE_MARKER = Buffer.from('"nonce":[');
const CLOSE_BRACKET = 93;
const COMMA = 44;
const ZERO = 48;

/** The message index encoded in the nonce, or -1 for any other frame. */
function messageIndex(data: Buffer): number {
  const at = data.indexOf(NONCE_MARKER);
  if (at < 0) return -1;
  let index = 0;
  for (let i = at + NONCE_MARKER.length; i < data.length; i++) {
    const c = data[i] as number;
    if (c === CLOSE_BRACKET) return index;
    if (c !== COMMA) index = index * 10 + c - ZERO;
  }
  return -1;
}

/** A `nonce` array whose bytes are the decimal digits of `index`. */
export function nonceOf(index: number): string {
  return `[${String(index).padStart(NONCE_DIGITS, '0').split('').join(',')}]`;
}

/** Send times, deliveries and latencies of the current step. */
export class Tally {
  readonly sentAt = new Float64Array(MAX_MESSAGES);
  readonly perReceiver: Uint32Array;
  readonly histogram = new Uint32Array(HISTOGRAM_SIZE);
  firstOfStep = 0;
  delivered = 0;
  lastDeliveryAt = 0;
  closed = 0;

  constructor(receivers: number) {
    this.perReceiver = new Uint32Array(receivers);
  }

  reset(firstOfStep: number): void {
    this.firstOfStep = firstOfStep;
    this.perReceiver.fill(0);
    this.histogram.fill(0);
    this.delivered = 0;
    this.lastDeliveryAt = 0;
  }

  receive(receiver: number, data: Buffer): void {
    const index = messageIndex(data);
    if (index < this.firstOfStep) return;
    const now = performance.now();
    const bucket = Math.min(
      HISTOGRAM_SIZE - 1,
      Math.floor((now - (this.sentAt[index] ?? 0)) * BUCKETS_PER_MS),
    );
    this.histogram[bucket] = (this.histogram[bucket] ?? 0) + 1;
    this.perReceiver[receiver] = (this.perReceiver[receiver] ?? 0) + 1;
    this.delivered += 1;
    this.lastDeliveryAt = now;
  }

  /** Latency in ms below which `p` percent of the deliveries were. */
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.delivered);
    let seen = 0;
    for (let bucket = 0; bucket < HISTOGRAM_SIZE; bucket++) {
      seen += this.histogram[bucket] ?? 0;
      if (seen >= rank) return (bucket + 1) / BUCKETS_PER_MS;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Every receiver got each of `count` messages exactly once. */
  complete(count: number): boolean {
    return this.perReceiver.every((received) => received === count);
  }
}

/** A ciphertext array of `bytes` bytes. */
export function ciphertextOf(bytes: number): string {
  return `[${Array.from({ length: bytes }, (_, i) => (i * 37 + 11) % 256).join(',')}]`;
}
