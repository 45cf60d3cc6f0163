import type { ChannelRole } from '../../platform/db/schema.js';
import type { PollRecord } from './polls.repo.js';

/**
 * Poll permission predicates (permissions.md §8.4). Instance roles grant no channel membership, so
 * staff who are not members neither see nor vote.
 */

/** Reading, creating and voting take a membership row. */
export function canUsePolls(stored: ChannelRole | null): boolean {
  return stored !== null;
}

/**
 * The creator or the channel's owner by raw channel role (rest-api.md §12), and only while a member:
 * someone kicked from the channel no longer acts in it.
 */
export function canClose(poll: PollRecord, userId: string, stored: ChannelRole | null): boolean {
  return canUsePolls(stored) && (poll.created_by === userId || stored === 'owner');
}

/**
 * Why the poll takes no votes at `now`, or null. Expiry is checked first so that the answer stays the
 * same once the expiry job has closed the poll.
 */
export function votingClosedReason(poll: PollRecord, now: number): string | null {
  if (poll.expires_at !== null && poll.expires_at.getTime() <= now) return 'poll has expired';
  return poll.closed ? 'poll is closed' : null;
}

export function isOption(poll: PollRecord, optionIndex: number): boolean {
  return optionIndex >= 0 && optionIndex < poll.options.length;
}
