import { type ClientFrame, type ClientFrameType, clientFrame } from '@chatalot/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import { AppError, WsError } from '../platform/errors.js';
import type { Connection } from './connection.js';

export type FrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;
export type FrameHandler<T extends ClientFrameType> = (
  connection: Connection,
  frame: FrameOf<T>,
) => Promise<void> | void;

type Ref = ClientFrame['ref'];
/** Zod issues that mean "a limit was exceeded" rather than "not this frame at all" (see `limitIssue`). */
const limitCodes = new Set(['too_big', 'too_small']);

/**
 * Validates each frame of an authenticated connection and runs the handler its domain registered for the type
 * (`<domain>.ws.ts`). Errors go back to the sender as `error` frames carrying the frame's `ref`.
 */
export class Dispatcher {
  private readonly handlers = new Map<ClientFrameType, FrameHandler<ClientFrameType>>();

  constructor(private readonly logger: FastifyBaseLogger) {}

  on<T extends ClientFrameType>(type: T, handler: FrameHandler<T>): void {
    this.handlers.set(type, handler as unknown as FrameHandler<ClientFrameType>);
  }

  async dispatch(connection: Connection, text: string): Promise<void> {
    if (!connection.open) return;
    if (!connection.takeFrameToken()) {
      sendError(connection, 'rate_limited', 'too many messages, slow down', refOf(text));
      return;
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      sendError(connection, parsed.code, parsed.message, parsed.ref);
      return;
    }
    const { frame } = parsed;
    const handler = this.handlers.get(frame.type);
    if (!handler) {
      sendError(connection, 'unsupported', `${frame.type} is not supported by this server yet`, frame.ref);
      return;
    }
    try {
      await handler(connection, frame);
    } catch (error) {
      this.reportFailure(connection, frame, error);
    }
  }

  private reportFailure(connection: Connection, frame: ClientFrame, error: unknown): void {
    if (error instanceof AppError || error instanceof WsError) {
      sendError(connection, error.code, error.message, frame.ref);
      return;
    }
    this.logger.error({ err: error, frame: frame.type }, 'websocket frame failed');
    sendError(connection, 'internal_error', 'internal server error', frame.ref);
  }
}

type Parsed = { ok: true; frame: ClientFrame } | { ok: false; code: string; message: string; ref: Ref };

function parseFrame(text: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_message', message: 'malformed message', ref: undefined };
  }
  const result = clientFrame.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  const ref = refOfValue(json);
  if (isLimitViolation(result.error)) {
    return {
      ok: false,
      code: 'validation_error',
      message: result.error.issues[0]?.message ?? 'invalid',
      ref,
    };
  }
  return { ok: false, code: 'invalid_message', message: 'malformed message', ref };
}

/** A frame of a known type whose only faults are sizes and limits gets `validation_error`. */
function isLimitViolation(error: z.ZodError): boolean {
  return error.issues.every(
    (issue) =>
      issue.path.length > 0 &&
      (limitCodes.has(issue.code) || (issue.code === 'custom' && issue.params?.limit === true)),
  );
}

export function sendError(connection: Connection, code: string, message: string, ref: Ref): void {
  connection.send(
    ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref },
  );
}

function refOf(text: string): Ref {
  try {
    return refOfValue(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function refOfValue(json: unknown): Ref {
  if (typeof json !== 'object' || json === null || !('ref' in json)) return undefined;
  const { ref } = json;
  return typeof ref === 'string' ? ref.slice(0, 64) : Number.isInteger(ref) ? (ref as number) : undefined;
}
