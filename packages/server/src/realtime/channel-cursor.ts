import type { LoggedEvent } from '../platform/events/event-log.js';
import type { FrameText } from './connection.js';

type Frame = LoggedEvent['frame'];

/** At most this many missed events are replayed per channel; beyond that the client resyncs over REST. */
export const MAX_REPLAY_EVENTS = 5_000;
const PAGE = 500;

export interface CursorIo {
  deliver(text: FrameText, frame: Frame): void;
  /** Logged events with `afterSeq < seq <= upToSeq`, oldest first. */
  read(afterSeq: number, upToSeq: number, limit: number): Promise<LoggedEvent[]>;
  /** The missed events are gone from the log (or too many): the client must re-fetch the channel. */
  resync(seq: number): void;
  /** The subscription reached the last event its user may see (`endAt`). */
  ended(): void;
  failed(error: unknown): void;
}

interface Pending {
  seq: number;
  text: FrameText;
  frame: Frame | null;
}

/**
 * Delivers one channel's logged events to one connection exactly once and in `seq` order. Events can reach a
 * process out of order (concurrent commits, several publishers) or be missed (published before the
 * subscription existed); a gap is filled from the event log before anything after it is delivered.
 */
export class ChannelCursor {
  /** Events that arrived ahead of a gap, and targets (no `frame`) to read up to from the log. */
  private pending: Pending[] = [];
  private filling: Promise<void> | null = null;
  private endSeq = Number.POSITIVE_INFINITY;
  private last = 0;
  private held = true;

  /**
   * A cursor starts held: it keeps what arrives until `release` says where the client stands, so an event
   * committed while the subscription's starting point is being read is not lost.
   */
  constructor(private readonly io: CursorIo) {}

  get seq(): number {
    return this.last;
  }

  /** Whether the subscription is established (held cursors get no ephemeral frames either). */
  get ready(): boolean {
    return !this.held;
  }

  /** The client holds every event up to `seq`; deliver what follows. */
  release(seq: number): void {
    this.last = seq;
    this.held = false;
    if (this.last >= this.endSeq) this.io.ended();
    else if (Number.isFinite(this.endSeq)) void this.catchUp(this.endSeq);
    else if (this.pending.length > 0) void this.fill();
  }

  offer(seq: number, text: FrameText, frame: Frame): void {
    if (seq > this.endSeq || (!this.held && seq <= this.last)) return;
    if (!this.held && this.filling === null && seq === this.last + 1) {
      this.emit(seq, text, frame);
      return;
    }
    this.pending.push({ seq, text, frame });
    if (!this.held) void this.fill();
  }

  /** Brings the cursor up to `seq` from the log; resolves once delivered. */
  catchUp(seq: number): Promise<void> {
    this.pending.push({ seq, text: '', frame: null });
    return this.fill();
  }

  /** Delivers events up to `seq`, then ends: the user lost access after that event. */
  endAt(seq: number): void {
    this.endSeq = Math.min(this.endSeq, seq);
    this.pending = this.pending.filter((event) => event.seq <= this.endSeq);
    if (this.held) return;
    if (this.last >= this.endSeq) this.io.ended();
    else void this.catchUp(this.endSeq);
  }

  private fill(): Promise<void> {
    this.filling ??= this.drain()
      .catch((error: unknown) => this.io.failed(error))
      .finally(() => {
        this.filling = null;
      });
    return this.filling;
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.deliverReadyPending();
      const target = Math.min(this.endSeq, Math.max(this.last, ...this.pending.map((event) => event.seq)));
      if (target <= this.last) return;
      await this.readUpTo(target);
    }
  }

  private deliverReadyPending(): void {
    this.pending.sort((a, b) => a.seq - b.seq);
    for (let next = this.pending[0]; next !== undefined; next = this.pending[0]) {
      const deliverable = next.seq === this.last + 1 && next.frame !== null;
      if (next.seq > this.last && !deliverable) return;
      this.pending.shift();
      if (deliverable && next.frame) this.emit(next.seq, next.text, next.frame);
    }
  }

  private async readUpTo(target: number): Promise<void> {
    if (target - this.last > MAX_REPLAY_EVENTS) {
      this.skipTo(target);
      return;
    }
    const events = await this.io.read(this.last, target, PAGE);
    if (events[0]?.seq !== this.last + 1) {
      this.skipTo(target);
      return;
    }
    for (const event of events) {
      if (event.seq !== this.last + 1) break;
      this.emit(event.seq, event.text, event.frame);
    }
  }

  private skipTo(target: number): void {
    this.last = target;
    this.io.resync(target);
    this.checkEnd();
  }

  private emit(seq: number, text: FrameText, frame: Frame): void {
    this.last = seq;
    this.io.deliver(text, frame);
    this.checkEnd();
  }

  private checkEnd(): void {
    if (this.last >= this.endSeq) this.io.ended();
  }
}
