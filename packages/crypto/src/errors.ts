export type CryptoErrorCode =
  | 'invalid_encoding'
  | 'invalid_key'
  | 'unknown_prekey'
  | 'bad_signature'
  | 'decrypt_failed'
  | 'duplicate_message'
  | 'too_many_skipped'
  | 'no_sending_chain'
  | 'unknown_chain'
  | 'unsupported_envelope';

/** The only error type thrown by this package; callers branch on `code`, never on the message. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string = code) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

export function isCryptoError(error: unknown, code?: CryptoErrorCode): error is CryptoError {
  return error instanceof CryptoError && (code === undefined || error.code === code);
}
