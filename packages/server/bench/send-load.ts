import type WebSocket from 'ws';
import { percentile, sleep } from './bench-server.js';

/**
 * The open-loop load of the send benchmark: `send_message` frames at a fixed offered rate, spread round robin
 * over every socket of every sender, whether or not earlier ones were acknowledged yet (a closed loop with a
 * fixed number in flight would tie throughput and latency together by Little's law). Each socket keeps to the
 * gateway's frame limit with a client-side bucket; a frame that finds no token is not sent and is counted as
 * `unsent`, which means the load generator, not the server, capped the step.
 */

/** The client's pacing per socket, below the gateway's 30 burst and 10/s so that jitter never trips it. */
export const CLIENT_BUCKET = { burst: 10, refillPerSecond: 9 } as const;
const TICK_MS = 5;
const DRAIN_TIMEOUT_MS = 5_000;

interface Reply {
  type: string;
  ref?: string;
  id?: string;
  code?: string;
  message?: string;
}

/** One socket with its frame budget. */
class Outlet {
  private tokens: number = CLIENT_BUCKET.burst;
  private refilledAt = performance.now();

  constructor(readonly socket: WebSocket) {}

  take(now: number): boolean {
    const refill = ((now - this.refilledAt) / 1000) * CLIENT_BUCKET.refillPerSecond;
    this.tokens = Math.min(CLIENT_BUCKET.burst, this.tokens + refill);
    this.refilledAt = now;
    if (this.tokens < 1 || this.socket.readyState !== this.socket.OPEN) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface StepResult {
  offered: number;
  /** Sends of the measured part of the step acknowledged before its end, per second. */
  acked: number;
  p50: number;
  p99: number;
  errors: number;
  /** Frames the client could not send (no token, socket closed). */
  unsent: number;
  /** Sends still unanswered when the step's drain timed out. */
  unanswered: number;
}

/** Drives the senders' sockets and matches every `message_sent` to its send by `ref`. */
export class SendLoad {
  private readonly outlets: Outlet[];
  private readonly sentAt = new Map<string, number>();
  private latencies: number[] = [];
  private errors = 0;
  private next = 0;
  private seq = 0;
  /** Sends made before this moment are warm-up: answered, but not counted. */
  private measureFrom = Number.POSITIVE_INFINITY;
  /** Acks of the sends made in the measured window, whenever they arrive: the window's throughput. */
  private ackedInWindow = 0;
  readonly ackedIds: string[] = [];
  readonly errorSamples: string[] = [];

  constructor(
    sockets: readonly WebSocket[],
    private readonly frameOf: (ref: string) => string,
  ) {
    this.outlets = sockets.map((socket) => new Outlet(socket));
    for (const socket of sockets) socket.on('message', (data) => this.receive(data.toString()));
  }

  /** `rate` sends per second for `seconds`, the first `warmupSeconds` not counted; then waits for the answers. */
  async step(rate: number, seconds: number, warmupSeconds: number): Promise<StepResult> {
    this.latencies = [];
    this.errors = 0;
    this.ackedInWindow = 0;
    let unsent = 0;
    let due = 0;
    const started = performance.now();
    this.measureFrom = started + warmupSeconds * 1000;
    const end = started + seconds * 1000;
    for (let now = started; now < end; now = performance.now()) {
      for (; due < Math.floor(((now - started) / 1000) * rate); due += 1) {
        if (!this.sendOne(now)) unsent += 1;
      }
      await sleep(TICK_MS);
    }
    const measuredSeconds = (end - this.measureFrom) / 1000;
    const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
    while (this.sentAt.size > 0 && performance.now() < drainUntil) await sleep(20);
    const unanswered = this.sentAt.size;
    this.sentAt.clear();
    const sorted = this.latencies.sort((a, b) => a - b);
    return {
      offered: rate,
      acked: this.ackedInWindow / measuredSeconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      errors: this.errors,
      unsent,
      unanswered,
    };
  }

  private sendOne(now: number): boolean {
    for (let tries = 0; tries < this.outlets.length; tries++) {
      const outlet = this.outlets[this.next++ % this.outlets.length] as Outlet;
      if (!outlet.take(now)) continue;
      const ref = String(this.seq++);
      this.sentAt.set(ref, now);
      outlet.socket.send(this.frameOf(ref));
      return true;
    }
    return false;
  }

  private receive(text: string): void {
    const reply = JSON.parse(text) as Reply;
    if (reply.type === 'message_sent' && reply.id !== undefined) this.ackedIds.push(reply.id);
    if (reply.type !== 'message_sent' && reply.type !== 'error') return;
    const sentAt = reply.ref === undefined ? undefined : this.sentAt.get(reply.ref);
    if (sentAt === undefined || reply.ref === undefined) return;
    this.sentAt.delete(reply.ref);
    if (sentAt < this.measureFrom) return;
    const now = performance.now();
    if (reply.type === 'message_sent') {
      this.latencies.push(now - sentAt);
      this.ackedInWindow += 1;
    } else {
      this.errors += 1;
      if (this.errorSamples.length < 5) this.errorSamples.push(`${reply.code}: ${reply.message}`);
    }
  }
}
