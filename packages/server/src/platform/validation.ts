import type { z } from 'zod';
import { AppError } from './errors.js';

/** Validates input at the edge; the first problem becomes a 400 in the error shape. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const message =
    input === undefined || input === null ? 'request body is required' : (issue?.message ?? 'invalid');
  throw new AppError('validation_error', field ? `${field}: ${message}` : message);
}
