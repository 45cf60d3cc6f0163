import WebSocket from 'ws';
import { sleep } from './bench-server.js';

/**
 * Simulated members for the benchmarks that need clients behaving like the web client
 * (packages/web/src/lib/realtime/): one socket that authenticates, resumes each followed channel from the last
 * `seq` it holds, records every channel event, and on a lost connection reconnects with the client's backoff
 * (0.5 s doubling to 30 s, equal jitter). And a sender that paces its frames under the gateway's budget.
 */
export interface Frame {
  type: string;
  [key: string]: unknown;
}

/** One channel event as a member received it. */
export interface Received {
  seq: number;
  id: string;
  at: number;
}

/** The web client's reconnect delay for attempt `attempt` (0 first): 0.5 s doubling to 30 s, equal jitter. */
export function reconnectDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(30_000, 500 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A small seeded generator (mulberry32), so that runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface MemberOptions {
  wsUrl: string;
  token: string;
  localAddress: string;
  channelIds: readonly string[];
  random: () => number;
  /**
   * Read every frame (default). When false, frames after `resumed` are only counted, not parsed: a member that
   * is only load, so that the generator's CPU goes to the members that are measured.
   */
  parse?: boolean;
  /** Every frame after the handshake, for the benchmark's own bookkeeping. */
  onFrame?: (member: Member, frame: Frame, at: number) => void;
}

/** A member's socket: authenticate, `resume` every channel from the last seq held, reconnect when dropped. */
export class Member {
  /** Channel events received per channel, in arrival order. */
  readonly received = new Map<string, Received[]>();
  /** Duplicates, gaps and resyncs, as text. */
  readonly faults: string[] = [];
  /** `error` frames (a refused handshake or resume: the client reconnects and resumes), as text. */
  readonly errors: string[] = [];
  authenticatedAt = 0;
  resumedAt = 0;
  connects = 0;
  attempts = 0;
  /** Why connection attempts ended (error message or close code), with how often. */
  readonly endings = new Map<string, number>();
  /** Frames received, parsed or not (see `parse`). */
  frames = 0;
  private socket: WebSocket | null = null;
  private wanted = true;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(readonly options: MemberOptions) {
    for (const id of options.channelIds) this.received.set(id, []);
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN && this.authenticatedAt > 0;
  }

  follows(channelId: string): boolean {
    return this.received.has(channelId);
  }

  /** The last seq held per channel (0 before any event). */
  lastSeq(channelId: string): number {
    return this.received.get(channelId)?.at(-1)?.seq ?? 0;
  }

  /** Connects now; resolves once resumed (or rejects when the first attempt fails). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.open_(resolve, reject));
  }

  send(frame: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  stop(): void {
    this.wanted = false;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.terminate();
  }

  private open_(resolve?: () => void, reject?: (error: Error) => void): void {
    this.retry = null;
    if (!this.wanted) return;
    this.attempts += 1;
    this.authenticatedAt = 0;
    this.resumedAt = 0;
    const socket = new WebSocket(this.options.wsUrl, {
      localAddress: this.options.localAddress,
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'authenticate', token: this.options.token })));
    socket.on('message', (data) => {
      this.frames += 1;
      if (this.resumedAt > 0 && this.options.parse === false) return;
      const frame = JSON.parse(data.toString()) as Frame;
      if (this.receive(frame) === 'resumed') resolve?.();
    });
    let ending = '';
    socket.on('error', (error) => {
      ending = error.message.replace(/ \d+\.\d+\.\d+\.\d+:\d+$/, '');
    });
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      const reason = ending || `close ${code}`;
      this.endings.set(reason, (this.endings.get(reason) ?? 0) + 1);
      this.socket = null;
      if (reject && this.resumedAt === 0) reject(new Error(`closed with ${code} before resuming`));
      if (!this.wanted) return;
      this.retry = setTimeout(() => this.open_(), reconnectDelay(this.attempt, this.options.random));
      this.attempt += 1;
    });
  }

  private receive(frame: Frame): string {
    const at = performance.now();
    if (frame.type === 'authenticated') {
      this.authenticatedAt = at;
      this.attempt = 0;
      this.connects += 1;
      const channels = Object.fromEntries(this.options.channelIds.map((id) => [id, this.lastSeq(id)]));
      this.send({ type: 'resume', channels, ref: 'resume' });
    } else if (frame.type === 'resumed') this.resumedAt = at;
    else if (typeof frame.seq === 'number') this.record(frame, frame.seq, at);
    else if (frame.type === 'resync_required') this.faults.push(JSON.stringify(frame));
    else if (frame.type === 'error') this.errors.push(`${String(frame.code)}: ${String(frame.message)}`);
    this.options.onFrame?.(this, frame, at);
    return frame.type;
  }

  private record(frame: Frame, seq: number, at: number): void {
    const channelId = String(frame.channel_id);
    const list = this.received.get(channelId);
    if (!list) {
      this.faults.push(`event of channel ${channelId} not followed`);
      return;
    }
    const last = list.at(-1)?.seq ?? 0;
    if (seq <= last) this.faults.push(`duplicate seq ${seq} in ${channelId} (holds ${last})`);
    else if (seq !== last + 1) this.faults.push(`gap: seq ${seq} after ${last} in ${channelId}`);
    list.push({ seq, id: String(frame.id ?? frame.type), at });
  }
}

/** Frames a sender socket sends per second after a burst, under the gateway's 30 burst and 10/s. */
const SENDER_BUCKET = { burst: 10, refillPerSecond: 9 } as const;
const NONCE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export interface Ack {
  id: string;
  channelId: string;
  sentAt: number;
  ackedAt: number;
}

/** One socket of a sender with its own frame budget. */
class Outlet {
  private tokens: number = SENDER_BUCKET.burst;
  private refilledAt = performance.now();

  constructor(readonly socket: WebSocket) {}

  waitMs(now: number): number {
    const refill = ((now - this.refilledAt) / 1000) * SENDER_BUCKET.refillPerSecond;
    this.tokens = Math.min(SENDER_BUCKET.burst, this.tokens + refill);
    this.refilledAt = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / SENDER_BUCKET.refillPerSecond) * 1000;
  }

  take(): void {
    this.tokens -= 1;
  }
}

/**
 * A user sending messages over several sockets round robin, each paced below the gateway's budget; each send
 * resolves with its acknowledgement (sent only after the commit).
 */
export class Sender {
  readonly acks: Ack[] = [];
  readonly errors: string[] = [];
  private readonly outlets: Outlet[];
  private readonly waiting = new Map<string, (reply: Frame) => void>();
  private next = 0;
  private counter = 0;

  constructor(
    sockets: readonly WebSocket[],
    private readonly name: string,
    private readonly ciphertext: readonly number[],
  ) {
    this.outlets = sockets.map((socket) => new Outlet(socket));
    for (const socket of sockets) {
      socket.on('message', (data) => {
        const reply = JSON.parse(data.toString()) as Frame;
        const ref = typeof reply.ref === 'string' ? reply.ref : undefined;
        const waiter = ref === undefined ? undefined : this.waiting.get(ref);
        if (ref !== undefined && waiter) {
          this.waiting.delete(ref);
          waiter(reply);
        }
      });
      socket.on('close', () => {
        for (const waiter of this.waiting.values()) waiter({ type: 'error', code: 'closed' });
        this.waiting.clear();
      });
    }
  }

  /** Sends one message to the channel once the budget allows; resolves with its ack (or null on error). */
  async send(channelId: string, frameExtras: Frame | null = null): Promise<Ack | null> {
    const outlet = this.outlets[this.next++ % this.outlets.length] as Outlet;
    for (let wait = outlet.waitMs(performance.now()); wait > 0; wait = outlet.waitMs(performance.now())) {
      await sleep(wait);
    }
    outlet.take();
    const ref = `${this.name}.${this.counter++}`;
    const sentAt = performance.now();
    const reply = await new Promise<Frame>((resolve) => {
      this.waiting.set(ref, resolve);
      outlet.socket.send(
        JSON.stringify({
          type: 'send_message',
          channel_id: channelId,
          ciphertext: this.ciphertext,
          nonce: NONCE,
          message_type: 'text',
          client_id: ref,
          ref,
          ...frameExtras,
        }),
      );
    });
    if (reply.type !== 'message_sent') {
      this.errors.push(`${String(reply.code ?? reply.type)}: ${String(reply.message ?? '')}`);
      return null;
    }
    const ack = { id: String(reply.id), channelId, sentAt, ackedAt: performance.now() };
    this.acks.push(ack);
    return ack;
  }

  /** A frame without an acknowledgement (typing), under the same budget. */
  async sendFrame(frame: object): Promise<void> {
    const outlet = this.outlets[this.next++ % this.outlets.length] as Outlet;
    for (let wait = outlet.waitMs(performance.now()); wait > 0; wait = outlet.waitMs(performance.now())) {
      await sleep(wait);
    }
    outlet.take();
    outlet.socket.send(JSON.stringify(frame));
  }
}
