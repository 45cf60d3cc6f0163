import { type ErrorCode, errorBody, errorCatalogue } from '@chatalot/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The one error type services throw; the handler below turns it into the wire envelope. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message ?? errorCatalogue[code].message);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}

/** A WebSocket error code outside the REST catalogue (websocket.md §11), e.g. `slow_mode`, `archived`. */
export class WsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WsError';
  }
}

/** A 400 `validation_error` saying `message`. */
export const invalid = (message: string) => new AppError('validation_error', message);

/** Fastify's own rejections (body parsing, limits) mapped onto catalogue codes by status. */
const frameworkCodes: Readonly<Record<number, ErrorCode>> = {
  400: 'validation_error',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.status).headers(error.headers).send(errorBody(error.code, error.message));
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) return sendError(reply, error);
    const code = error.statusCode === undefined ? undefined : frameworkCodes[error.statusCode];
    if (code !== undefined) return sendError(reply, new AppError(code, frameworkMessage(code, error)));
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new AppError('internal_error'));
  });
}

function frameworkMessage(code: ErrorCode, error: FastifyError): string {
  if (code === 'validation_error') return error.message.replace(/^FST_\w+: /, '');
  return errorCatalogue[code].message;
}
