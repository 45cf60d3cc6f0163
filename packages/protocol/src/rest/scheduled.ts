import { z } from 'zod';
import { canonicalUuid, optional } from './common.js';

/** Scheduled-message limits (rest-api.md §13, server-behaviour.md §5); sizes are UTF-8 bytes. */
export const scheduledLimits = {
  daysAhead: 30,
  pendingPerUser: 50,
  ciphertextBytes: 100_000,
  nonceBytes: 256,
  previewBytes: 10_000,
  listMax: 200,
} as const;

const rfc3339 = z.iso.datetime({ offset: true });
/** An opaque string the server stores as text, which cannot hold NUL. */
const opaque = z.string().refine((value) => !value.includes('\0'), 'must not contain NUL characters');

/**
 * `POST /api/messages/schedule`. `ciphertext`/`nonce` are strings, usually the JSON text of a byte array.
 * `scheduled_for` (RFC 3339 with an offset) becomes null when unparsable rather than failing here: the
 * server checks channel membership first, and the sizes and times after it.
 */
export const scheduleMessageRequest = z.object({
  channel_id: canonicalUuid,
  ciphertext: opaque,
  nonce: opaque,
  scheduled_for: z.string().transform((value) => (rfc3339.safeParse(value).success ? new Date(value) : null)),
  content_preview: optional(opaque),
});
export type ScheduleMessageRequest = z.input<typeof scheduleMessageRequest>;
export type ScheduleMessageBody = z.output<typeof scheduleMessageRequest>;

/** ScheduledMessage (rest-api.md §1.11); `content_preview` only when set. */
export interface ScheduledMessage {
  id: string;
  channel_id: string;
  scheduled_for: string;
  created_at: string;
  content_preview?: string;
}
