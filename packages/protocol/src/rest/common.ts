import { z } from 'zod';

/** Byte arrays travel as JSON arrays of integers 0–255 (rest-api.md §1.4). */
export const byteArray = z.array(z.number().int().min(0).max(255));

export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

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
