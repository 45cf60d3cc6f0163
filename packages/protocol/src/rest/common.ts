import { z } from 'zod';

function isByteArray(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const byte of value) {
    if (typeof byte !== 'number' || (byte & 255) !== byte) return false;
  }
  return true;
}

/** Issue params that mark a broken size limit (`validation_error` on the WebSocket) rather than a wrong shape. */
export const limitIssue = { params: { limit: true } } as const;

/**
 * Byte arrays travel as JSON arrays of integers 0–255 (rest-api.md §1.4). Checked in one plain loop: zod's
 * per-element checks cost ~25 ms for a 64 KiB message, a CPU cost any client could impose at will.
 */
export const byteArray = z.custom<number[]>(isByteArray, 'must be an array of bytes (0-255)');

/** A byte array of `min`–`max` bytes; the length is checked first so an oversized array is not walked. */
export const byteArrayOf = (min: number, max: number, messages: { empty: string; tooLarge: string }) =>
  z
    .custom<number[]>((value) => !Array.isArray(value) || value.length <= max, {
      message: messages.tooLarge,
      ...limitIssue,
      abort: true,
    })
    .refine((value) => !Array.isArray(value) || value.length >= min, {
      message: messages.empty,
      ...limitIssue,
      abort: true,
    })
    .pipe(byteArray);

/** Largest value of a PostgreSQL `integer` column. */
export const MAX_INT32 = 2_147_483_647;

export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

/** A UUID in its canonical lower-case form, so that ids compare equal as strings. */
export const canonicalUuid = uuid.transform((value) => value.toLowerCase());

export function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

/**
 * A string field: capped generously so that nobody can make the server chew on megabytes, and free of
 * NUL characters, which PostgreSQL cannot store in text.
 */
export const text = (max = 4096) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters');

/** Absent and null mean the same thing in requests (rest-api.md §1.4). */
export const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined);

/**
 * Trimmed text of `min`–`max` UTF-8 bytes, refused with `message`; `maxChars` caps the input before it
 * is trimmed.
 */
export const trimmedText = (min: number, max: number, message: string, maxChars?: number) =>
  text(maxChars)
    .transform((value) => value.trim())
    .refine((value) => {
      const bytes = utf8Length(value);
      return bytes >= min && bytes <= max;
    }, message);

/** A whole number of `min`–`max`, refused outside with `message`. */
export const intBetween = (min: number, max: number, message = `must be between ${min} and ${max}`) =>
  z.number().int('must be an integer').min(min, message).max(max, message);

const queryInteger = optional(z.coerce.number().int('must be an integer'));
const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** `?limit=&offset=`: absent takes the default, out-of-range values are clamped, not refused (rest-api.md §1.7). */
export const pageQuery = (defaultLimit: number, maxLimit: number) =>
  z.object({
    limit: queryInteger.transform((value) => clamp(value ?? defaultLimit, 1, maxLimit)),
    offset: queryInteger.transform((value) => clamp(value ?? 0, 0, MAX_INT32)),
  });
