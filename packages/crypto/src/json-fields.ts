import { fromNumberArray, isU32 } from './bytes.js';
import { CryptoError } from './errors.js';

/** Helpers for reading untrusted JSON: every failure is a CryptoError('invalid_encoding'). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new CryptoError('invalid_encoding', `${what} must be an object`);
  return value;
}

export function readU32(object: JsonObject, field: string): number {
  const value = object[field];
  if (!isU32(value)) throw new CryptoError('invalid_encoding', `${field} must be an integer 0–4294967295`);
  return value;
}

export function readBytes(object: JsonObject, field: string, length?: number): Uint8Array {
  try {
    return fromNumberArray(object[field], length);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid';
    throw new CryptoError('invalid_encoding', `${field}: ${reason}`);
  }
}

/** Milliseconds since the epoch. */
export function readTimestamp(object: JsonObject, field: string): number {
  const value = object[field];
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new CryptoError('invalid_encoding', `${field} must be a non-negative integer`);
  }
  return value as number;
}

/** `null` and a missing field both mean "absent", as serde treats `Option` fields. */
export function readOptional<T>(object: JsonObject, field: string, read: (value: unknown) => T): T | null {
  const value = object[field];
  return value === undefined || value === null ? null : read(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CryptoError('invalid_encoding', 'invalid JSON');
  }
}
