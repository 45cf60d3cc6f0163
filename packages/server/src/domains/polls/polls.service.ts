import type { CreatePollBody, PollVoteFrame } from '@chatalot/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { type Emit, inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { storedChannelRole } from '../permissions/access.js';
import { canClose, canUsePolls, isOption, votingClosedReason } from './polls.policy.js';
import { type PollWithVotes, presentPollClosed, presentPollCreated, presentVote } from './polls.present.js';
import {
  addVote,
  closeExpiredPolls,
  findPoll,
  insertPoll,
  listChannelPolls,
  listVotes,
  markClosed,
  type PollRecord,
  removeVotes,
} from './polls.repo.js';

interface Caller {
  id: string;
}

const MINUTE_MS = 60_000;

/** Polls attached to channels (rest-api.md §12); every change is announced to the channel after commit. */
export class PollsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  async create(user: Caller, channelId: string, body: CreatePollBody): Promise<PollWithVotes> {
    await assertMember(this.db, channelId, user.id);
    const now = this.clock.now();
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const poll = await insertPoll(trx, {
        id: uuidv7(now),
        channel_id: channelId,
        created_by: user.id,
        question: body.question,
        options: JSON.stringify(body.options),
        multi_select: body.multi_select ?? false,
        anonymous: body.anonymous ?? false,
        expires_at: body.expires_in_minutes ? new Date(now + body.expires_in_minutes * MINUTE_MS) : null,
        created_at: new Date(now),
      });
      emit(frameEvent({ kind: 'channel', channelId }, presentPollCreated(poll, user.id)));
      return { poll, votes: [] };
    });
  }

  /** Newest first, with their tallies. */
  async list(user: Caller, channelId: string): Promise<PollWithVotes[]> {
    await assertMember(this.db, channelId, user.id);
    const polls = await listChannelPolls(this.db, channelId);
    const votes = await listVotes(
      this.db,
      polls.map((poll) => poll.id),
    );
    return polls.map((poll) => ({ poll, votes: votes.filter((vote) => vote.poll_id === poll.id) }));
  }

  async get(user: Caller, pollId: string): Promise<PollWithVotes> {
    const poll = await existing(this.db, pollId);
    await assertMember(this.db, poll.channel_id, user.id);
    return { poll, votes: await listVotes(this.db, [poll.id]) };
  }

  /**
   * Multi-select: a vote already cast changes nothing and announces nothing. Single-select: the
   * caller's other votes go first, each announced as removed, then the vote is announced (again, when
   * it is the same option).
   */
  vote(user: Caller, pollId: string, optionIndex: number): Promise<void> {
    return this.inOpenPoll(user, pollId, optionIndex, async (trx, emit, poll) => {
      const removed = poll.multi_select ? [] : await removeVotes(trx, poll.id, user.id);
      const added = await addVote(trx, {
        poll_id: poll.id,
        user_id: user.id,
        option_index: optionIndex,
        created_at: new Date(this.clock.now()),
      });
      for (const index of removed.filter((index) => index !== optionIndex)) {
        emit(voteEvent('poll_vote_removed', poll, index, user.id));
      }
      if (added) emit(voteEvent('poll_voted', poll, optionIndex, user.id));
    });
  }

  /** Announced even when there was no such vote, as the reference does. */
  unvote(user: Caller, pollId: string, optionIndex: number): Promise<void> {
    return this.inOpenPoll(user, pollId, optionIndex, async (trx, emit, poll) => {
      await removeVotes(trx, poll.id, user.id, optionIndex);
      emit(voteEvent('poll_vote_removed', poll, optionIndex, user.id));
    });
  }

  /** Closing a closed poll changes nothing and announces nothing. */
  close(user: Caller, pollId: string): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const poll = await existing(trx, pollId, true);
      if (!canClose(poll, user.id, await storedChannelRole(trx, poll.channel_id, user.id))) {
        throw new AppError('forbidden');
      }
      if (await markClosed(trx, poll.id)) emit(closedEvent(poll));
    });
  }

  /**
   * Closes the polls whose time ran out and announces each once (the reference announced nothing, so
   * open clients kept offering a vote). `claim` lets the caller skip the round; null when it did.
   */
  closeExpired(claim: (trx: Transaction<Schema>) => Promise<boolean>): Promise<number | null> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      if (!(await claim(trx))) return null;
      const closed = await closeExpiredPolls(trx, new Date(this.clock.now()));
      for (const poll of closed) emit(closedEvent(poll));
      return closed.length;
    });
  }

  /** Runs `work` with the poll locked, after the checks that voting and unvoting share. */
  private inOpenPoll(
    user: Caller,
    pollId: string,
    optionIndex: number,
    work: (trx: Transaction<Schema>, emit: Emit, poll: PollRecord) => Promise<void>,
  ): Promise<void> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const poll = await existing(trx, pollId, true);
      await assertMember(trx, poll.channel_id, user.id);
      const reason = votingClosedReason(poll, this.clock.now());
      if (reason !== null) throw invalid(reason);
      if (!isOption(poll, optionIndex)) throw invalid('invalid option index');
      await work(trx, emit, poll);
    });
  }
}

async function existing(db: Db, pollId: string, lock = false): Promise<PollRecord> {
  const poll = await findPoll(db, pollId, lock);
  if (!poll) throw new AppError('not_found', 'poll not found');
  return poll;
}

async function assertMember(db: Db, channelId: string, userId: string): Promise<void> {
  if (!canUsePolls(await storedChannelRole(db, channelId, userId))) throw new AppError('forbidden');
}

function voteEvent(type: PollVoteFrame['type'], poll: PollRecord, optionIndex: number, voterId: string) {
  return frameEvent(
    { kind: 'channel', channelId: poll.channel_id },
    presentVote(type, poll, optionIndex, voterId),
  );
}

const closedEvent = (poll: Pick<PollRecord, 'id' | 'channel_id'>) =>
  frameEvent({ kind: 'channel', channelId: poll.channel_id }, presentPollClosed(poll));
