import type { ClientFrame, MessageSentFrame, PongFrame, ResumedFrame } from '@chatalot/protocol';
import type { InboundFrame } from './frames';
import type { HeartbeatTiming } from './heartbeat';

export type SocketStatus = 'offline' | 'connecting' | 'open';

/** What the socket needs from the session. */
export interface SocketAuth {
  /** The access token, or null when nobody is signed in. */
  token(): string | null;
  /** Gets a new access token after the server refused one; false when that failed. */
  refresh(): Promise<boolean>;
  /** The server ended the session (logout elsewhere, revocation, suspension). */
  ended(): void;
}

export interface SocketTiming extends HeartbeatTiming {
  requestTimeoutMs: number;
  resumeTimeoutMs: number;
}

export interface SocketOptions {
  auth: SocketAuth;
  url?: () => string;
  createWebSocket?: (url: string) => WebSocket;
  random?: () => number;
  timing?: Partial<SocketTiming>;
}

export const defaultTiming: SocketTiming = {
  pingMs: 15_000,
  deadMs: 45_000,
  authTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  resumeTimeoutMs: 60_000,
};

/** The close codes of docs/realtime.md this client acts on (`wsCloseCodes`, kept out of the bundle's zod). */
export const CLOSE = {
  unauthorized: 4001,
  sessionEnded: 4003,
  tooManySessions: 4004,
  abnormal: 1006,
} as const;

/** The frame each request type is answered with. */
interface Replies {
  send_message: MessageSentFrame;
  ping: PongFrame;
  resume: ResumedFrame;
}
export type ReplyOf<F extends ClientFrame> = F['type'] extends keyof Replies
  ? Replies[F['type']]
  : InboundFrame;
