import { z } from 'zod';
import { intBetween, optional, trimmedText } from './common.js';

/** Poll limits (server-behaviour.md §5.3); text lengths are UTF-8 bytes after trimming. */
export const pollLimits = {
  question: 500,
  minOptions: 2,
  maxOptions: 10,
  option: 200,
  maxExpiresInMinutes: 10_080,
} as const;

const optionCount = `must have ${pollLimits.minOptions}-${pollLimits.maxOptions} options`;

/** `POST /api/channels/{id}/polls` (rest-api.md §12). */
export const createPollRequest = z.object({
  question: trimmedText(1, pollLimits.question, `must be 1-${pollLimits.question} bytes`),
  options: z
    .array(trimmedText(1, pollLimits.option, `must be 1-${pollLimits.option} bytes`))
    .min(pollLimits.minOptions, optionCount)
    .max(pollLimits.maxOptions, optionCount),
  multi_select: optional(z.boolean()),
  anonymous: optional(z.boolean()),
  expires_in_minutes: optional(intBetween(1, pollLimits.maxExpiresInMinutes)),
});
export type CreatePollRequest = z.input<typeof createPollRequest>;
export type CreatePollBody = z.output<typeof createPollRequest>;

/** `POST /api/polls/{id}/vote`; whether the index names an option is the server's check. */
export const votePollRequest = z.object({ option_index: z.number().int('must be an integer') });
export type VotePollRequest = z.input<typeof votePollRequest>;

/** One option's tally; `voter_ids` is left out when empty and always for anonymous polls. */
export const pollVotes = z.object({
  option_index: z.number().int(),
  count: z.number().int(),
  voter_ids: z.array(z.string()).optional(),
});
export type PollVotes = z.infer<typeof pollVotes>;

/** Poll (rest-api.md §1.11); `votes` has one entry per option, in option order. */
export const poll = z.object({
  id: z.string(),
  channel_id: z.string(),
  created_by: z.string().nullable(),
  question: z.string(),
  options: z.array(z.string()),
  multi_select: z.boolean(),
  anonymous: z.boolean(),
  closed: z.boolean(),
  expires_at: z.string().nullable(),
  created_at: z.string(),
  votes: z.array(pollVotes),
});
export type Poll = z.infer<typeof poll>;
