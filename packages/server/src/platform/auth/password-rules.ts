import { AppError } from '../errors.js';

/** 8–128 bytes with an upper-case letter, a lower-case letter, a digit and a symbol (rest-api.md §2). */
export function checkPasswordRules(password: string): void {
  const bytes = Buffer.byteLength(password);
  if (bytes < 8) throw new AppError('validation_error', 'password must be at least 8 characters');
  if (bytes > 128) throw new AppError('validation_error', 'password must be at most 128 bytes');
  if (!/[A-Z]/.test(password))
    throw new AppError('validation_error', 'password must contain an uppercase letter');
  if (!/[a-z]/.test(password))
    throw new AppError('validation_error', 'password must contain a lowercase letter');
  if (!/[0-9]/.test(password)) throw new AppError('validation_error', 'password must contain a digit');
  if (!/[^A-Za-z0-9]/.test(password)) {
    throw new AppError('validation_error', 'password must contain a special character');
  }
}
