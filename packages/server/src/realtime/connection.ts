import { wsCloseCodes } from '@chatalot/protocol';
import type { WebSocket } from 'ws';
import type { Clock } from '../platform/clock.js';
import type { ChannelCursor } from './channel-cursor.js';
import type { ConnectionRef } from './shared-state.js';

/**
 * A user's own new messages never reach its connections (websocket.md §5 echo filter): another device would
 * try to decrypt its own Double Ratchet message and fail. The sending connection gets `message_sent`.
 */
export function isOwnEcho(connection: ConnectionRef, frame: { type: string; sender_id?: unknown }): boolean {
  return frame.type === 'new_message' && frame.sender_id === connection.userId;
}

/** Frames a connection may send per second after a burst (websocket.md §3). */
export const FRAME_BUCKET = { burst: 30, refillPerSecond: 10 } as const;
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

  constructor(
    readonly connectionId: string,
    readonly userId: string,
    readonly sessionId: string,
    private readonly socket: WebSocket,
    private readonly options: { sendQueueBytes: number; clock: Clock },
  ) {
    this.refilledAt = options.clock.now();
  }

  get open(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  sendText(text: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount - this.largeFrameInFlight > this.options.sendQueueBytes) {
      this.close(wsCloseCodes.tooSlow, 'too slow: reconnect and resume');
      setTimeout(() => this.socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
      return;
    }
    // One frame larger than the whole queue (a big sender-key distribution) must still reach a client that
    // keeps up: while it is being written it does not count as backlog. One at a time, so a stream of
    // large frames to a reader that stalls is still cut off.
    if (text.length > this.options.sendQueueBytes && this.largeFrameInFlight === 0) {
      this.largeFrameInFlight = text.length;
      this.socket.send(text, () => {
        this.largeFrameInFlight = 0;
      });
      return;
    }
    this.socket.send(text);
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
