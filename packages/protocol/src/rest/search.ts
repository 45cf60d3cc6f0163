import { z } from 'zod';
import { canonicalUuid, optional, text } from './common.js';

export const searchLimits = { minQueryChars: 2, maxQueryChars: 256, defaultResults: 20, maxResults: 50 };

/**
 * Sent with every message search answer: only messages stored in plaintext (sent while end-to-end
 * encryption was off) can match; encrypted ones are searched on the client.
 */
export const searchScopeHeader = { name: 'x-search-scope', value: 'plaintext-only' } as const;

const RFC_3339 =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** An RFC 3339 timestamp with its offset (rest-api.md §1.4), or undefined when it is not one. */
export function parseRfc3339(value: string): Date | undefined {
  const match = RFC_3339.exec(value);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  if (calendar.getUTCDate() !== day) return undefined;
  const time = Date.parse(value.toUpperCase());
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Unparsable bounds are ignored, not refused (rest-api.md §10). */
const timeBound = optional(z.string()).transform((value) =>
  value === undefined ? undefined : parseRfc3339(value),
);

const fields = {
  q: z
    .string()
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters')
    .default(''),
  limit: optional(z.coerce.number().int('must be an integer')).transform((value) =>
    Math.min(Math.max(value ?? searchLimits.defaultResults, 1), searchLimits.maxResults),
  ),
  /** Part of the sender's username, any case; empty means any sender. */
  sender: optional(text()).transform((value) => value || undefined),
  before: timeBound,
  after: timeBound,
  has_file: optional(z.enum(['true', 'false'])).transform((value) => value === 'true'),
};

/** Counted in characters (code points), unlike most limits (rest-api.md §30.5). */
const queryLength = ({ q }: { q: string }) => {
  const length = [...q].length;
  return length >= searchLimits.minQueryChars && length <= searchLimits.maxQueryChars;
};
const queryLengthMessage = 'search query must be 2-256 characters';

/** `GET /api/channels/{id}/messages/search` (rest-api.md §10). */
export const channelSearchQuery = z.object(fields).refine(queryLength, queryLengthMessage);
export type ChannelSearchQuery = z.infer<typeof channelSearchQuery>;

/** `GET /api/messages/search`: the same, plus `community_id` to search one community's channels only. */
export const messageSearchQuery = z
  .object({ ...fields, community_id: optional(canonicalUuid) })
  .refine(queryLength, queryLengthMessage);
export type MessageSearchQuery = z.infer<typeof messageSearchQuery>;
