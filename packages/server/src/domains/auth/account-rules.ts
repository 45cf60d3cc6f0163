import { AppError } from '../../platform/errors.js';

const usernamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** 3–32 ASCII letters, digits, `_`, `-`, `.`; starts with a letter or digit; no trailing `.`, no `..`. */
export function checkUsername(username: string): void {
  if (username.length < 3 || username.length > 32) {
    throw new AppError('validation_error', 'username must be 3-32 characters');
  }
  if (!usernamePattern.test(username) || username.endsWith('.') || username.includes('..')) {
    throw new AppError(
      'validation_error',
      'username may only contain letters, digits, _, - and ., must start with a letter or digit and must not end with . or contain ..',
    );
  }
}

export function checkEmail(email: string): void {
  const at = email.indexOf('@');
  const valid =
    Buffer.byteLength(email) <= 254 && at > 0 && at < email.length - 1 && email.slice(at + 1).includes('.');
  if (!valid || /\s/.test(email)) throw new AppError('validation_error', 'invalid email address');
}

/** Trimmed, 1–64 bytes (the reference did not check this at registration and failed with a 500). */
export function normalizeDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  const bytes = Buffer.byteLength(trimmed);
  if (bytes < 1 || bytes > 64) throw new AppError('validation_error', 'display name must be 1-64 characters');
  return trimmed;
}
