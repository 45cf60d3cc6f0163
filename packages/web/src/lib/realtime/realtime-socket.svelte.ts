import type { ClientFrame } from '@chatalot/protocol';
import { MAX_DELAY_MS, reconnectDelay } from './backoff';
import { ChannelSeqs } from './channel-seqs';
import { FrameListeners, safely } from './frame-listeners';
import {
  exceedsFrameLimit,
  type FrameHandler,
  type FrameOf,
  type InboundType,
  parseFrame,
  type ResyncReason,
  SocketRequestError,
  SUBSCRIBE_CHUNK,
} from './frames';
import { Heartbeat } from './heartbeat';
import { PendingRequests } from './pending-requests';
import {
  CLOSE,
  defaultTiming,
  type ReplyOf,
  type SocketAuth,
  type SocketOptions,
  type SocketStatus,
  type SocketTiming,
} from './socket-options';

export type { ReplyOf, SocketAuth, SocketOptions, SocketStatus, SocketTiming } from './socket-options';

/**
 * The one WebSocket to the server: first-frame authentication, typed dispatch, `ref` correlation, heartbeat,
 * reconnection with backoff, and `resume` so that channel events missed while disconnected arrive in order.
 */
export class RealtimeSocket {
  status = $state<SocketStatus>('offline');

  readonly #auth: SocketAuth;
  readonly #url: () => string;
  readonly #create: (url: string) => WebSocket;
  readonly #random: () => number;
  readonly #timing: SocketTiming;
  readonly #channels = new ChannelSeqs();
  readonly #listeners = new FrameListeners();
  readonly #reconnected = new Set<() => void>();
  readonly #resync = new Set<(channelId: string, reason: ResyncReason) => void>();
  readonly #pending = new PendingRequests();
  readonly #heartbeat: Heartbeat;
  #ws: WebSocket | null = null;
  #wanted = false;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  /** An earlier connection was authenticated: the next one is a reconnection. */
  #hadConnection = false;

  constructor(options: SocketOptions) {
    this.#auth = options.auth;
    this.#url = options.url ?? pageSocketUrl;
    this.#create = options.createWebSocket ?? ((url) => new WebSocket(url));
    this.#random = options.random ?? Math.random;
    this.#timing = { ...defaultTiming, ...options.timing };
    this.#heartbeat = new Heartbeat(
      this.#timing,
      () => this.send({ type: 'ping', timestamp: Date.now() }),
      () => {
        if (this.#ws) this.#drop(this.#ws);
      },
    );
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => this.#retryNow());
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') this.#retryNow();
      });
    }
  }

  /** Starts connecting (and keeps reconnecting) until `disconnect`. */
  connect(): void {
    if (this.#wanted && this.#ws) return;
    this.#wanted = true;
    this.#attempt = 0;
    this.#open();
  }

  disconnect(): void {
    this.#wanted = false;
    this.#clearRetry();
    const ws = this.#ws;
    if (ws) {
      detach(ws);
      ws.close(1000, 'client disconnected');
      this.#teardown();
    }
    this.status = 'offline';
  }

  /** Disconnects and forgets the subscriptions and their positions (sign-out). */
  reset(): void {
    this.disconnect();
    this.#channels.clear();
    this.#hadConnection = false;
  }

  /** Sends when the connection is authenticated; false (nothing sent) otherwise. */
  send(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (this.status !== 'open' || ws === null) return false;
    const text = JSON.stringify(frame);
    if (exceedsFrameLimit(text)) return false;
    ws.send(text);
    return true;
  }

  /** Sends with a fresh `ref`; resolves with the reply carrying it, rejects with its `error` (or offline, timeout). */
  request<F extends ClientFrame>(frame: F, { timeoutMs }: { timeoutMs?: number } = {}): Promise<ReplyOf<F>> {
    const ref = this.#pending.nextRef();
    if (!this.send({ ...frame, ref })) {
      const open = this.status === 'open';
      return Promise.reject(
        new SocketRequestError(
          open ? 'too_large' : 'offline',
          open ? 'the frame is too large to send' : 'not connected',
        ),
      );
    }
    return this.#pending.wait(ref, timeoutMs ?? this.#timing.requestTimeoutMs) as Promise<ReplyOf<F>>;
  }

  /** Calls `handler` for every frame of `type`; returns the function that stops it. */
  on<T extends InboundType>(type: T, handler: FrameHandler<T>): () => void {
    return this.#listeners.on(type, handler);
  }

  /** Follows channels (remembered across reconnects). */
  subscribe(channelIds: readonly string[]): void {
    const added = this.#channels.add(channelIds);
    if (this.status === 'open') this.#sendSubscribe(added);
  }

  unsubscribe(channelIds: readonly string[]): void {
    const removed = this.#channels.remove(channelIds);
    if (removed.length > 0) this.send({ type: 'unsubscribe', channel_ids: removed });
  }

  /** After a reconnection, once the missed channel events were replayed. */
  onReconnected(listener: () => void): () => void {
    this.#reconnected.add(listener);
    return () => this.#reconnected.delete(listener);
  }

  /** A channel's missed events cannot be replayed: re-fetch it over REST (`no_access`: it is gone). */
  onResync(listener: (channelId: string, reason: ResyncReason) => void): () => void {
    this.#resync.add(listener);
    return () => this.#resync.delete(listener);
  }

  #open(): void {
    this.#clearRetry();
    if (!this.#wanted || this.#ws) return;
    if (this.#auth.token() === null) {
      this.#stop();
      return;
    }
    this.status = 'connecting';
    let ws: WebSocket;
    try {
      ws = this.#create(this.#url());
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => this.#opened(ws);
    ws.onmessage = (event: MessageEvent) => this.#receive(ws, event.data);
    ws.onclose = (event: CloseEvent) => this.#closed(ws, event.code);
  }

  #opened(ws: WebSocket): void {
    const token = this.#auth.token();
    if (ws !== this.#ws) return;
    if (token === null) {
      this.disconnect();
      return;
    }
    ws.send(JSON.stringify({ type: 'authenticate', token }));
    this.#heartbeat.awaitAuthentication();
  }

  #receive(ws: WebSocket, data: unknown): void {
    if (ws !== this.#ws || typeof data !== 'string') return;
    this.#heartbeat.heard();
    const frame = parseFrame(data);
    if (frame === null) return;
    if (frame.type === 'authenticated') this.#authenticated();
    else if (frame.type === 'resync_required') this.#resyncRequired(frame);
    else if (frame.type === 'resumed') {
      for (const [id, seq] of Object.entries(frame.channels)) this.#channels.setSeq(id, seq);
    }
    if (!this.#channels.accept(frame)) return;
    this.#pending.settle(frame);
    this.#listeners.emit(frame);
  }

  #authenticated(): void {
    this.status = 'open';
    this.#attempt = 0;
    this.#heartbeat.start();
    const plan = this.#channels.plan();
    const ws = this.#ws;
    const resumeIds = Object.keys(plan.resume);
    const resumed =
      resumeIds.length > 0
        ? this.request(
            { type: 'resume', channels: plan.resume },
            { timeoutMs: this.#timing.resumeTimeoutMs },
          ).then(
            () => true,
            () => false,
          )
        : Promise.resolve(true);
    this.#sendSubscribe(plan.subscribe);
    for (const id of plan.missed) this.#notifyResync(id, 'missed');
    const reconnected = this.#hadConnection;
    this.#hadConnection = true;
    void resumed.then((done) => {
      if (ws !== this.#ws || this.status !== 'open') return;
      if (!done) this.#resumeFailed(resumeIds);
      if (reconnected) for (const listener of [...this.#reconnected]) safely(listener);
    });
  }

  /** The server refused or never finished the `resume`: follow the channels afresh and re-fetch them. */
  #resumeFailed(channelIds: readonly string[]): void {
    const followed = channelIds.filter((id) => this.#channels.has(id));
    this.#channels.forgetSeqs(followed);
    this.#sendSubscribe(followed);
    for (const id of followed) this.#notifyResync(id, 'missed');
  }

  #resyncRequired(frame: FrameOf<'resync_required'>): void {
    if (!this.#channels.has(frame.channel_id)) return;
    if (frame.reason === 'no_access') this.#channels.remove([frame.channel_id]);
    else this.#channels.setSeq(frame.channel_id, frame.seq, { force: true });
    this.#notifyResync(frame.channel_id, frame.reason);
  }

  #notifyResync(channelId: string, reason: ResyncReason): void {
    for (const listener of [...this.#resync]) safely(() => listener(channelId, reason));
  }

  #sendSubscribe(channelIds: readonly string[]): void {
    for (let start = 0; start < channelIds.length; start += SUBSCRIBE_CHUNK) {
      this.send({ type: 'subscribe', channel_ids: channelIds.slice(start, start + SUBSCRIBE_CHUNK) });
    }
    this.#channels.markLive(channelIds);
  }

  #closed(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#teardown();
    if (!this.#wanted) {
      this.status = 'offline';
      return;
    }
    if (code === CLOSE.sessionEnded) {
      this.#stop();
      this.#auth.ended();
    } else if (code === CLOSE.unauthorized) {
      this.status = 'connecting';
      void this.#refreshThenRetry();
    } else {
      this.#scheduleRetry(code === CLOSE.tooManySessions ? MAX_DELAY_MS : undefined);
    }
  }

  async #refreshThenRetry(): Promise<void> {
    const refreshed = await this.#auth.refresh().catch(() => false);
    if (!this.#wanted || this.#ws) return;
    if (!refreshed && this.#auth.token() === null) this.#stop();
    else this.#scheduleRetry();
  }

  /** Gives up a connection that went silent (or never authenticated) and reconnects. */
  #drop(ws: WebSocket): void {
    detach(ws);
    try {
      ws.close();
    } catch {
      // Already closing: the handlers are detached, so nothing more comes from it.
    }
    this.#closed(ws, CLOSE.abnormal);
  }

  #scheduleRetry(delay?: number): void {
    this.#clearRetry();
    this.status = 'connecting';
    const wait = delay ?? reconnectDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    this.#retry = setTimeout(() => this.#open(), wait);
  }

  /** The network came back or the tab became visible: skip the rest of the backoff. */
  #retryNow(): void {
    if (this.#wanted && this.#ws === null && this.#retry !== null) this.#open();
  }

  #stop(): void {
    this.#wanted = false;
    this.#clearRetry();
    this.status = 'offline';
  }

  #teardown(): void {
    this.#ws = null;
    this.#heartbeat.stop();
    this.#pending.abandonAll();
  }

  #clearRetry(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
  }
}

function pageSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function detach(ws: WebSocket): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
}
