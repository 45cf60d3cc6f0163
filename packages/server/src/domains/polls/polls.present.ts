import type { Poll, PollClosedFrame, PollCreatedFrame, PollVoteFrame } from '@chatalot/protocol';
import type { PollRecord, VoteRecord } from './polls.repo.js';

export interface PollWithVotes {
  poll: PollRecord;
  /** This poll's votes, each option's in the order they were cast. */
  votes: readonly VoteRecord[];
}

/** Poll (rest-api.md §1.11): one tally per option in option order; anonymous polls never name voters. */
export function presentPoll({ poll, votes }: PollWithVotes): Poll {
  return {
    id: poll.id,
    channel_id: poll.channel_id,
    created_by: poll.created_by,
    question: poll.question,
    options: poll.options,
    multi_select: poll.multi_select,
    anonymous: poll.anonymous,
    closed: poll.closed,
    expires_at: poll.expires_at?.toISOString() ?? null,
    created_at: poll.created_at.toISOString(),
    votes: poll.options.map((_, index) => {
      const voterIds = votes.filter((vote) => vote.option_index === index).map((vote) => vote.user_id);
      return {
        option_index: index,
        count: voterIds.length,
        ...(!poll.anonymous && voterIds.length > 0 && { voter_ids: voterIds }),
      };
    }),
  };
}

export function presentPollCreated(poll: PollRecord, createdBy: string): PollCreatedFrame {
  return {
    type: 'poll_created',
    poll_id: poll.id,
    channel_id: poll.channel_id,
    created_by: createdBy,
    question: poll.question,
  };
}

/** `voter_id` is null on anonymous polls. */
export function presentVote(
  type: PollVoteFrame['type'],
  poll: PollRecord,
  optionIndex: number,
  voterId: string,
): PollVoteFrame {
  return {
    type,
    poll_id: poll.id,
    channel_id: poll.channel_id,
    option_index: optionIndex,
    voter_id: poll.anonymous ? null : voterId,
  };
}

export function presentPollClosed(poll: Pick<PollRecord, 'id' | 'channel_id'>): PollClosedFrame {
  return { type: 'poll_closed', poll_id: poll.id, channel_id: poll.channel_id };
}
