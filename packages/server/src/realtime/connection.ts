import { Duplex } from 'node:stream';
import { wsCloseCodes } from '@chatalot/protocol';
import type { WebSocket } from 'ws';
import type { Clock } from '../platform/clock.js';
import type { ChannelCursor } from './channel-cursor.js';
import type { ConnectionRef } from './shared-state.js';
import { WireFrame } from './wire-frame.js';

/**
 * A user's own new messages never reach its connections (websocket.md §5 echo filter): another device would
 * try to decrypt its own Double Ratchet message and fail. The sending connection gets `message_sent`.
 */
export function isOwnEcho(connection: ConnectionRef, frame: { type: string; sender_id?: unknown }): boolean {
  return frame.type === 'new_message' && frame.sender_id === connection.userId;
}

/**
 * A frame ready to be written: its JSON as a string or in UTF-8, or framed once (`WireFrame`) when the same frame
 * goes to many connections.
 */
export type FrameText = string | Buffer | WireFrame;

/** ws sends a Buffer as a binary frame unless told otherwise; ours are all text. */
const TEXT = { binary: false } as const;

/** Frames a connection may send per second after a burst (websocket.md §3). */
export const FRAME_BUCKET = { burst: 30, refillPerSecond: 10 } as const;
/** Frames held back for one system call are sent as soon as they reach this size. */
const MAX_CORKED_BYTES = 16 * 1024;
/** How long a client that is too slow gets to read its close frame before the socket is cut. */
const SLOW_CLOSE_GRACE_MS = 5_000;

export interface ConnectionIdentity extends ConnectionRef {
  sessionId: string;
}

/**
 * One authenticated socket: its subscriptions (a cursor per channel), its frame budget and a bounded send
 * queue. A client that lets more than `sendQueueBytes` pile up is closed with 4008 instead of growing server
 * memory or losing events silently; it reconnects and resumes.
 */
export class Connection implements ConnectionIdentity {
  readonly subscriptions = new Map<string, ChannelCursor>();
  private tokens: number = FRAME_BUCKET.burst;
  private refilledAt: number;
  private closing = false;
  private largeFrameInFlight = 0;
  /** The socket this connection frames and writes its frames to itself; null when they go through ws. */
  private readonly raw: Duplex | null;

  constructor(
    readonly connectionId: string,
    readonly userId: string,
    readonly sessionId: string,
    private readonly socket: WebSocket,
    private readonly options: { sendQueueBytes: number; clock: Clock },
  ) {
    this.refilledAt = options.clock.now();
    this.raw = rawSocketOf(socket);
  }

  get open(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  sendText(text: FrameText): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount - this.largeFrameInFlight > this.options.sendQueueBytes) {
      this.close(wsCloseCodes.tooSlow, 'too slow: reconnect and resume');
      setTimeout(() => this.socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
      return;
    }
    // One frame larger than the whole queue (a big sender-key distribution) must still reach a client that
    // keeps up: while it is being written it does not count as backlog. One at a time, so a stream of
    // large frames to a reader that stalls is still cut off.
    const size = text instanceof WireFrame ? text.bytes.length : text.length;
    if (size > this.options.sendQueueBytes && this.largeFrameInFlight === 0) {
      this.largeFrameInFlight = size;
      this.write(text, () => {
        this.largeFrameInFlight = 0;
      });
      return;
    }
    this.write(text);
  }

  private write(text: FrameText, written?: () => void): void {
    if (!this.raw) {
      this.socket.send(text instanceof WireFrame ? text.payload : text, TEXT, written);
      return;
    }
    const frame =
      text instanceof WireFrame ? text : new WireFrame(typeof text === 'string' ? Buffer.from(text) : text);
    corkUntilNextTick(this.raw);
    this.raw.write(frame.bytes, written);
    // Corked bytes count as backlog: holding only a little keeps the slow-client limit about the client.
    if (this.raw.writableLength > MAX_CORKED_BYTES) this.raw.uncork();
  }

  /** Takes one frame from the budget; false when the client is over its rate. */
  takeFrameToken(): boolean {
    const now = this.options.clock.now();
    const refill = ((now - this.refilledAt) / 1000) * FRAME_BUCKET.refillPerSecond;
    this.tokens = Math.min(FRAME_BUCKET.burst, this.tokens + refill);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.close(code, reason);
  }
}

/**
 * The TCP socket under `ws`, to write frames framed once: ws has no public accessor, `_socket` is where it keeps it.
 * Only without negotiated extensions: ws then never holds frames back (it queues only while compressing), so
 * frames written here and those ws writes itself (pong, close) go out whole and in the order they were sent.
 */
function rawSocketOf(socket: WebSocket): Duplex | null {
  const raw = (socket as unknown as { _socket?: unknown })._socket;
  return socket.extensions === '' && raw instanceof Duplex ? raw : null;
}

const corked: Duplex[] = [];

/**
 * Frames written to one socket in the same tick (the events of one group commit) leave in one system call: the
 * socket is corked on the first and uncorked once the current work is done, before any I/O. What ws writes in
 * between joins the same stream, so the order holds; corked bytes count in `bufferedAmount` like any backlog.
 */
function corkUntilNextTick(socket: Duplex): void {
  if (socket.writableCorked > 0) return;
  if (corked.length === 0) process.nextTick(uncorkAll);
  socket.cork();
  corked.push(socket);
}

function uncorkAll(): void {
  for (const socket of corked.splice(0)) socket.uncork();
}
