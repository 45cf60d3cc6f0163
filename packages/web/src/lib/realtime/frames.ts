import type { ErrorFrame, GatewayFrame, ServerFrame } from '@chatalot/protocol';

/**
 * Every frame the server sends. Channel events also carry `seq` (docs/realtime.md); ephemeral ones do not.
 */
export type InboundFrame = (ServerFrame | GatewayFrame) & { seq?: number };
export type InboundType = InboundFrame['type'];

/** The frame of one `type`, narrowed even where a protocol interface covers two types (reactions, polls). */
export type FrameOf<T extends InboundType> = InboundFrame extends infer F
  ? F extends { type: infer U }
    ? T extends U
      ? F & { type: T }
      : never
    : never
  : never;

export type FrameHandler<T extends InboundType> = (frame: FrameOf<T>) => void;

/** Why a channel must be re-fetched over REST: the log lost the gap, access ended, or the gap is unknown. */
export type ResyncReason = 'gap_too_old' | 'no_access' | 'missed';

/** The server refuses frames larger than this (close 1009); the socket never sends one. */
export const MAX_FRAME_BYTES = 1_048_576;
/** Channel ids per `subscribe` frame, as the reference server accepts them. */
export const SUBSCRIBE_CHUNK = 200;

/** What `socket.request` rejects with: the server's `error` frame, or a local reason. */
export class SocketRequestError extends Error {
  override readonly name = 'SocketRequestError';

  constructor(
    /** The server's error code, or `offline`, `disconnected`, `timeout`, `too_large` for local failures. */
    readonly code: string,
    message: string,
    /** The server's `error` frame, when the server answered. */
    readonly frame?: ErrorFrame,
  ) {
    super(message);
  }
}

/** A text frame as the server sends it: one JSON object with a string `type`; anything else is ignored. */
export function parseFrame(text: string): InboundFrame | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as { type?: unknown }).type === 'string'
      ? (value as InboundFrame)
      : null;
  } catch {
    return null;
  }
}

/** The UTF-8 size is counted only when it could matter: a UTF-16 unit takes at most 3 bytes. */
export function exceedsFrameLimit(text: string): boolean {
  return text.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(text).length > MAX_FRAME_BYTES;
}
