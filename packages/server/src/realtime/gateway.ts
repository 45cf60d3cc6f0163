import { clientFrame, wsCloseCodes } from '@chatalot/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { TokenService } from '../platform/auth/tokens.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/schema.js';
import type { EventHub } from '../platform/events/hub.js';
import { uuidv7 } from '../platform/ids.js';
import { serverVersion } from '../platform/version.js';
import { Connection } from './connection.js';
import { Dispatcher } from './dispatch.js';
import { FanOut } from './fan-out.js';
import { Presence } from './presence.js';
import { Registry } from './registry.js';
import { endedSessions } from './session-check.js';
import { type ChosenStatus, CONNECTION_REFRESH_MS, type SharedState } from './shared-state.js';
import { Subscriptions } from './subscriptions.js';
import { TYPING_SWEEP_MS, Typing } from './typing.js';

/** How long a stopping server waits for clients to answer its close frame before it cuts them. */
const STOP_GRACE_MS = 2_000;

export interface GatewayOptions {
  /** Bytes a connection may have waiting to be sent before it is closed with 4008. */
  sendQueueBytes: number;
  handshakeTimeoutMs: number;
  /** The unsolicited `pong` that keeps proxies from idling the connection out. */
  heartbeatMs: number;
  /** How often live sockets are checked against revoked sessions and suspensions (a safety net for events). */
  sessionCheckMs: number;
  maxSessionsPerUser: number;
  /** How often expired typing indicators are swept. */
  typingSweepMs: number;
}

export const defaultGatewayOptions: GatewayOptions = {
  sendQueueBytes: 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  heartbeatMs: 15_000,
  sessionCheckMs: 60_000,
  maxSessionsPerUser: 8,
  typingSweepMs: TYPING_SWEEP_MS,
};

export interface GatewayDeps {
  db: Db;
  tokens: TokenService;
  hub: EventHub;
  shared: SharedState;
  clock: Clock;
  logger: FastifyBaseLogger;
}

interface Identity {
  userId: string;
  sessionId: string;
  chosen: ChosenStatus;
}

/** The WebSocket endpoint (websocket.md): first-frame authentication, then frames in order per connection. */
export class Gateway {
  readonly registry = new Registry();
  readonly dispatcher: Dispatcher;
  readonly subscriptions: Subscriptions;
  readonly presence: Presence;
  readonly typing: Typing;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribeHub: (() => void) | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly options: GatewayOptions,
  ) {
    this.dispatcher = new Dispatcher(deps.logger);
    this.subscriptions = new Subscriptions(deps.db, this.registry, deps.logger);
    this.presence = new Presence(deps.db, deps.shared, deps.hub);
    this.typing = new Typing(deps.shared, deps.hub, deps.clock);
  }

  start(): void {
    const fanOut = new FanOut(this.registry, this.subscriptions, this.deps.db, this.deps.logger);
    this.unsubscribeHub = this.deps.hub.subscribe(fanOut.onEvent);
    this.every(this.options.heartbeatMs, () => this.heartbeat());
    this.every(CONNECTION_REFRESH_MS, () => this.deps.shared.refresh([...this.registry.connections()]));
    this.every(this.options.typingSweepMs, () => this.typing.sweep());
    this.every(this.options.sessionCheckMs, () => this.closeEndedSessions());
  }

  /**
   * Closes every socket with 1001 so clients reconnect (to another node) and resume, then waits until they are
   * gone and their presence updates are written, so that shared state (Redis) is not closed under them. Sockets
   * that do not answer the close within `graceMs` are cut.
   */
  async stop(sockets: Iterable<WebSocket>, graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribeHub?.();
    const open = [...sockets];
    for (const socket of open) socket.close(wsCloseCodes.goingAway, 'server shutting down');
    const closedAll = Promise.all(open.map(whenClosed));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([closedAll, graceOver]);
    clearTimeout(timer);
    for (const socket of open) socket.terminate();
    await closedAll;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  accept(socket: WebSocket): void {
    const handshake = new PendingHandshake();
    const timer = setTimeout(
      () => refuse(socket, 'auth_timeout', 'authentication timed out', wsCloseCodes.authTimeout),
      this.options.handshakeTimeoutMs,
    );
    const dispatch: Dispatch = (connection, text) => this.dispatcher.dispatch(connection, text);
    socket.on('message', (data, isBinary) => {
      if (handshake.state !== 'waiting') {
        if (!isBinary && handshake.state !== 'closed') handshake.receive(data.toString(), dispatch);
        return;
      }
      clearTimeout(timer);
      handshake.state = 'authenticating';
      if (isBinary) {
        refuse(socket, 'auth_timeout', 'authentication timed out', wsCloseCodes.authTimeout);
        return;
      }
      this.track(this.open(socket, data.toString(), handshake, dispatch));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const connection = handshake.connection;
      handshake.state = 'closed';
      if (connection) this.closed(connection);
    });
    socket.on('error', (error) => this.deps.logger.debug({ err: error }, 'websocket error'));
  }

  private async open(socket: WebSocket, text: string, handshake: PendingHandshake, dispatch: Dispatch) {
    try {
      const connection = await this.authenticate(socket, text);
      if (connection === null) return;
      if (handshake.state === 'closed') this.closed(connection);
      else handshake.opened(connection, dispatch);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'websocket handshake failed');
      refuse(socket, 'internal_error', 'internal server error', wsCloseCodes.internalError);
    }
  }

  /** Checks the first frame; on success registers and greets the connection. */
  private async authenticate(socket: WebSocket, text: string): Promise<Connection | null> {
    const frame = parseAuthenticate(text);
    if (frame === null) {
      refuse(socket, 'auth_required', 'first message must be Authenticate', wsCloseCodes.unauthorized);
      return null;
    }
    const identity = await this.identify(frame.token);
    if (identity === null) {
      refuse(socket, 'unauthorized', 'invalid token', wsCloseCodes.unauthorized, frame.ref);
      return null;
    }
    const { sendQueueBytes, maxSessionsPerUser } = this.options;
    const connection = new Connection(uuidv7(), identity.userId, identity.sessionId, socket, {
      sendQueueBytes,
      clock: this.deps.clock,
    });
    const mates = await this.presence.connect(connection, maxSessionsPerUser, identity.chosen);
    if (mates === null) {
      const message = `too many sessions: at most ${maxSessionsPerUser} connections per user`;
      refuse(socket, 'too_many_sessions', message, wsCloseCodes.tooManySessions, frame.ref);
      return null;
    }
    this.registry.add(connection);
    connection.send(
      withRef({ type: 'authenticated', user_id: identity.userId, server_version: serverVersion }, frame.ref),
    );
    const bulk = await this.presence.bulk(mates);
    if (bulk.statuses.length > 0) connection.send(bulk);
    connection.send({ type: 'pong', timestamp: Math.floor(this.deps.clock.now() / 1000) });
    return connection;
  }

  /** The token's user and session, if both are still good (the same rules as REST). */
  private async identify(token: string): Promise<Identity | null> {
    const claims = await this.deps.tokens.verifyAccessToken(token);
    if (claims === null) return null;
    const row = await this.deps.db
      .selectFrom('users')
      .innerJoin('sessions', 'sessions.user_id', 'users.id')
      .select(['users.presence_status', 'users.suspended_at'])
      .where('users.id', '=', claims.userId)
      .where('sessions.id', '=', claims.sessionId)
      .where('sessions.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.suspended_at !== null) return null;
    return { userId: claims.userId, sessionId: claims.sessionId, chosen: row.presence_status };
  }

  private closed(connection: Connection): void {
    this.registry.remove(connection);
    this.typing.disconnected(connection.connectionId);
    // Stopping with state in this process only: it goes with the process and every socket here is closing, so
    // nobody is left to tell (a restart of one node with 2,000 sockets would otherwise spend seconds on it).
    if (this.stopping && !this.deps.shared.outlivesProcess) return;
    this.track(
      this.presence.disconnect(connection).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'presence update on disconnect failed');
      }),
    );
  }

  /** Work a socket started that must finish before the gateway's dependencies close. */
  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private heartbeat(): void {
    const text = JSON.stringify({ type: 'pong', timestamp: Math.floor(this.deps.clock.now() / 1000) });
    for (const connection of this.registry.connections()) connection.sendText(text);
  }

  private async closeEndedSessions(): Promise<void> {
    const connections = [...this.registry.connections()];
    const ended = await endedSessions(
      this.deps.db,
      connections.map((connection) => connection.sessionId),
    );
    for (const connection of connections) {
      if (ended.has(connection.sessionId)) connection.close(wsCloseCodes.sessionEnded, 'session ended');
    }
  }

  private every(ms: number, task: () => unknown): void {
    const run = async () => {
      try {
        await task();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'gateway task failed');
      }
    };
    this.timers.push(setInterval(run, ms).unref());
  }
}

type Dispatch = (connection: Connection, text: string) => Promise<void>;

/**
 * A socket between its first frame and its end. Frames that arrive while the first one is being checked wait,
 * and every frame of a connection is handled in arrival order.
 */
class PendingHandshake {
  state: 'waiting' | 'authenticating' | 'open' | 'closed' = 'waiting';
  connection: Connection | null = null;
  private readonly early: string[] = [];
  private inbox: Promise<void> = Promise.resolve();

  receive(text: string, dispatch: Dispatch): void {
    if (this.connection === null) {
      this.early.push(text);
      return;
    }
    const connection = this.connection;
    this.inbox = this.inbox.then(() => dispatch(connection, text));
  }

  opened(connection: Connection, dispatch: Dispatch): void {
    this.connection = connection;
    this.state = 'open';
    for (const text of this.early.splice(0)) this.receive(text, dispatch);
  }
}

function whenClosed(socket: WebSocket): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

function parseAuthenticate(text: string): { token: string; ref?: string | number } | null {
  try {
    const result = clientFrame.safeParse(JSON.parse(text));
    return result.success && result.data.type === 'authenticate' ? result.data : null;
  } catch {
    return null;
  }
}

/** Sends the reason, then closes (the reference drops the socket without either). */
function refuse(
  socket: WebSocket,
  code: string,
  message: string,
  closeCode: number,
  ref?: string | number,
): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.send(JSON.stringify(withRef({ type: 'error', code, message }, ref)));
  socket.close(closeCode, message.slice(0, 120));
}

function withRef<T extends object>(frame: T, ref: string | number | undefined): T {
  return ref === undefined ? frame : { ...frame, ref };
}
