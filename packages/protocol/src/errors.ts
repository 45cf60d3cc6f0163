/**
 * The one catalogue of error codes. Codes and statuses of the reference server are kept for wire
 * compatibility; the extra codes replace the reference's plain-text framework rejections.
 */
export const errorCatalogue = {
  validation_error: { status: 400, message: 'invalid request' },
  unauthorized: { status: 401, message: 'unauthorized' },
  forbidden: { status: 403, message: 'forbidden' },
  not_found: { status: 404, message: 'not found' },
  method_not_allowed: { status: 405, message: 'method not allowed' },
  conflict: { status: 409, message: 'conflict' },
  payload_too_large: { status: 413, message: 'request body is too large' },
  unsupported_media_type: { status: 415, message: 'unsupported content type' },
  rate_limited: { status: 429, message: 'too many requests, please slow down' },
  internal_error: { status: 500, message: 'an internal error occurred' },
  service_unavailable: { status: 503, message: 'service unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { error: { code, message: message ?? errorCatalogue[code].message } };
}
