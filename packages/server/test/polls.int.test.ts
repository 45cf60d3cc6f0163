import { type Poll, type PollVoteFrame, poll as pollSchema, type ServerFrame } from '@chatalot/protocol';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { POLL_EXPIRY_LOCK_ID, runPollExpiry } from '../src/jobs/poll-expiry.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { createTestApp, databaseKind, ManualClock } from './harness.js';
import { buildWorld } from './world.js';

const clock = new ManualClock(Date.now());
const { app, database, events, hub } = await createTestApp({ clock });
const { actors, channelId } = await buildWorld(app, database);
const { db } = database;
const { member, moderator, communityAdmin, communityOwner, outsider, instanceAdmin, instanceOwner } = actors;
const nonMembers = { outsider, instanceAdmin, instanceOwner, banned: actors.banned };
const expirePolls = () => runPollExpiry({ db, hub, clock });
const pollsUrl = `/api/channels/${channelId}/polls`;
const minimalPoll = { question: 'Q', options: ['a', 'b'] };

const send = (user: TestUser, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  call(app, { method, url, headers: user.headers, ...(payload !== undefined && { payload }) });
const validation = (message: string) => ({ error: { code: 'validation_error', message } });
const forbidden = { error: { code: 'forbidden', message: 'forbidden' } };
const pollNotFound = { error: { code: 'not_found', message: 'poll not found' } };

async function createPoll(user: TestUser = member, body: object = {}): Promise<Poll> {
  const response = await send(user, 'POST', pollsUrl, {
    question: 'Lunch?',
    options: ['Pizza', 'Soup', 'Salad'],
    ...body,
  });
  expect(response.statusCode).toBe(200);
  return pollSchema.strict().parse(response.json());
}

async function getPoll(id: string): Promise<Poll> {
  const response = await send(member, 'GET', `/api/polls/${id}`);
  expect(response.statusCode).toBe(200);
  return pollSchema.strict().parse(response.json());
}

const vote = (user: TestUser, id: string, option_index: unknown) =>
  send(user, 'POST', `/api/polls/${id}/vote`, { option_index });
const unvote = (user: TestUser, id: string, index: number | string) =>
  send(user, 'DELETE', `/api/polls/${id}/vote/${index}`);

/** What `action` returned and the channel frames it published, in order. */
async function framesOf<T>(action: () => Promise<T>): Promise<[T, ServerFrame[]]> {
  const start = events.length;
  const result = await action();
  const frames = events.slice(start).map((event) => {
    expect(event).toMatchObject({ kind: 'frame', audience: { kind: 'channel', channelId } });
    return (event as { frame: ServerFrame }).frame;
  });
  return [result, frames];
}
const onlyFrames = async (action: () => Promise<unknown>) => (await framesOf(action))[1];

const voteFrame = (type: PollVoteFrame['type'], poll: Poll, index: number, voter: string | null) =>
  ({ type, poll_id: poll.id, channel_id: channelId, option_index: index, voter_id: voter }) as const;

describe('POST /api/channels/{id}/polls', () => {
  it('creates a poll with zero votes and announces it', async () => {
    const [created, frames] = await framesOf(() =>
      createPoll(member, { question: '  Lunch?  ', options: [' Pizza ', 'Soup'] }),
    );
    expect(created).toEqual({
      id: expect.any(String),
      channel_id: channelId,
      created_by: member.user.id,
      question: 'Lunch?',
      options: ['Pizza', 'Soup'],
      multi_select: false,
      anonymous: false,
      closed: false,
      expires_at: null,
      created_at: new Date(clock.now()).toISOString(),
      votes: [
        { option_index: 0, count: 0 },
        { option_index: 1, count: 0 },
      ],
    });
    const announced = { poll_id: created.id, channel_id: channelId, created_by: member.user.id };
    expect(frames).toEqual([{ type: 'poll_created', ...announced, question: 'Lunch?' }]);
  });

  it('takes the flags and an expiry in minutes', async () => {
    const created = await createPoll(member, { multi_select: true, anonymous: true, expires_in_minutes: 90 });
    expect(created).toMatchObject({ multi_select: true, anonymous: true });
    expect(created.expires_at).toBe(new Date(Date.parse(created.created_at) + 90 * 60_000).toISOString());
  });

  it.each([
    ['a blank question', { question: '  ' }, 'question: must be 1-500 bytes'],
    ['a 502-byte question', { question: 'é'.repeat(251) }, 'question: must be 1-500 bytes'],
    ['one option', { options: ['only'] }, 'options: must have 2-10 options'],
    ['11 options', { options: [...'abcdefghijk'] }, 'options: must have 2-10 options'],
    ['a blank option', { options: ['a', ' '] }, 'options.1: must be 1-200 bytes'],
    ['a 201-byte option', { options: ['a', 'x'.repeat(201)] }, 'options.1: must be 1-200 bytes'],
    ['a 0-minute expiry', { expires_in_minutes: 0 }, 'expires_in_minutes: must be between 1 and 10080'],
    ['a too long expiry', { expires_in_minutes: 10_081 }, 'expires_in_minutes: must be between 1 and 10080'],
  ])('refuses %s', async (_, body, message) => {
    const [response, frames] = await framesOf(() =>
      send(member, 'POST', pollsUrl, { ...minimalPoll, ...body }),
    );
    expect([response.statusCode, response.json(), frames]).toEqual([400, validation(message), []]);
  });

  it('is forbidden to non-members, staff included, and for unknown channels', async () => {
    for (const user of Object.values(nonMembers)) {
      const response = await send(user, 'POST', pollsUrl, minimalPoll);
      expect([response.statusCode, response.json()]).toEqual([403, forbidden]);
    }
    const unknown = await send(member, 'POST', `/api/channels/${uuidv7()}/polls`, minimalPoll);
    expect(unknown.json()).toEqual(forbidden);
  });
});

describe('reading polls', () => {
  it('lists the channel polls newest first with their tallies, to members only', async () => {
    const older = await createPoll();
    clock.advance(1000);
    const newer = await createPoll();
    expect((await vote(moderator, older.id, 1)).statusCode).toBe(200);
    const response = await send(communityAdmin, 'GET', pollsUrl);
    const list = pollSchema.strict().array().parse(response.json());
    expect(list.slice(0, 2).map((poll) => poll.id)).toEqual([newer.id, older.id]);
    expect(list[1]?.votes[1]).toEqual({ option_index: 1, count: 1, voter_ids: [moderator.user.id] });
    for (const user of Object.values(nonMembers)) {
      expect((await send(user, 'GET', pollsUrl)).statusCode).toBe(403);
    }
  });

  it('gets one poll: 404 when unknown, 403 for non-members', async () => {
    const created = await createPoll();
    expect(await getPoll(created.id)).toEqual(created);
    const missing = await send(member, 'GET', `/api/polls/${uuidv7()}`);
    expect([missing.statusCode, missing.json()]).toEqual([404, pollNotFound]);
    expect((await send(outsider, 'GET', `/api/polls/${created.id}`)).statusCode).toBe(403);
    expect((await send(member, 'GET', '/api/polls/nope')).json()).toEqual(validation('id: must be a UUID'));
  });
});

describe('voting', () => {
  it('single-select: a new vote replaces the old one, the same vote is announced again', async () => {
    const poll = await createPoll();
    const me = member.user.id;
    expect(await onlyFrames(() => vote(member, poll.id, 0))).toEqual([voteFrame('poll_voted', poll, 0, me)]);
    expect(await onlyFrames(() => vote(member, poll.id, 2))).toEqual([
      voteFrame('poll_vote_removed', poll, 0, me),
      voteFrame('poll_voted', poll, 2, me),
    ]);
    expect(await onlyFrames(() => vote(member, poll.id, 2))).toEqual([voteFrame('poll_voted', poll, 2, me)]);
    clock.advance(1000);
    await vote(actors.timedOut, poll.id, 2);
    expect((await getPoll(poll.id)).votes).toEqual([
      { option_index: 0, count: 0 },
      { option_index: 1, count: 0 },
      { option_index: 2, count: 2, voter_ids: [me, actors.timedOut.user.id] },
    ]);
  });

  it('multi-select: votes add up, a duplicate is a silent no-op, unvoting always announces', async () => {
    const poll = await createPoll(member, { multi_select: true });
    const me = member.user.id;
    await vote(member, poll.id, 0);
    expect(await onlyFrames(() => vote(member, poll.id, 1))).toEqual([voteFrame('poll_voted', poll, 1, me)]);
    const [duplicate, silence] = await framesOf(() => vote(member, poll.id, 0));
    expect([duplicate.statusCode, silence]).toEqual([200, []]);
    expect((await getPoll(poll.id)).votes.map((tally) => tally.count)).toEqual([1, 1, 0]);
    for (let round = 0; round < 2; round += 1) {
      const [response, frames] = await framesOf(() => unvote(member, poll.id, 1));
      expect([response.statusCode, frames]).toEqual([200, [voteFrame('poll_vote_removed', poll, 1, me)]]);
    }
    expect((await getPoll(poll.id)).votes[1]).toEqual({ option_index: 1, count: 0 });
  });

  it('anonymous polls never name voters, neither in events nor in tallies', async () => {
    const poll = await createPoll(member, { anonymous: true });
    await vote(moderator, poll.id, 1);
    expect(await onlyFrames(() => vote(member, poll.id, 0))).toEqual([
      voteFrame('poll_voted', poll, 0, null),
    ]);
    expect(await onlyFrames(() => vote(member, poll.id, 1))).toEqual([
      voteFrame('poll_vote_removed', poll, 0, null),
      voteFrame('poll_voted', poll, 1, null),
    ]);
    expect(await onlyFrames(() => unvote(member, poll.id, 1))).toEqual([
      voteFrame('poll_vote_removed', poll, 1, null),
    ]);
    const listed = (await send(member, 'GET', pollsUrl)).json<Poll[]>();
    expect(JSON.stringify(listed.find((entry) => entry.id === poll.id))).not.toContain(moderator.user.id);
    expect((await getPoll(poll.id)).votes).toEqual([
      { option_index: 0, count: 0 },
      { option_index: 1, count: 1 },
      { option_index: 2, count: 0 },
    ]);
  });

  it('refuses unknown polls, non-members and bad option indexes', async () => {
    const poll = await createPoll();
    const frames = await onlyFrames(async () => {
      expect((await vote(member, uuidv7(), 0)).json()).toEqual(pollNotFound);
      expect((await unvote(member, uuidv7(), 0)).json()).toEqual(pollNotFound);
      for (const user of Object.values(nonMembers)) {
        expect((await vote(user, poll.id, 0)).json()).toEqual(forbidden);
        expect((await unvote(user, poll.id, 0)).json()).toEqual(forbidden);
      }
      for (const index of [-1, 3]) {
        expect((await vote(member, poll.id, index)).json()).toEqual(validation('invalid option index'));
        expect((await unvote(member, poll.id, index)).json()).toEqual(validation('invalid option index'));
      }
      expect((await vote(member, poll.id, 1.5)).json()).toEqual(
        validation('option_index: must be an integer'),
      );
      expect((await unvote(member, poll.id, 'x')).json()).toEqual(validation('idx: must be an integer'));
    });
    expect(frames).toEqual([]);
  });

  it('refuses votes on closed and on expired polls', async () => {
    const closed = await createPoll();
    await send(member, 'POST', `/api/polls/${closed.id}/close`);
    expect((await vote(member, closed.id, 0)).json()).toEqual(validation('poll is closed'));
    expect((await unvote(member, closed.id, 0)).json()).toEqual(validation('poll is closed'));
    const expiring = await createPoll(member, { expires_in_minutes: 1 });
    clock.advance(60_000);
    expect((await vote(member, expiring.id, 0)).json()).toEqual(validation('poll has expired'));
    await expirePolls();
    expect((await unvote(member, expiring.id, 0)).json()).toEqual(validation('poll has expired'));
  });
});

describe('POST /api/polls/{id}/close', () => {
  it('lets the creator close, once announced, then idempotently', async () => {
    const poll = await createPoll();
    const [response, frames] = await framesOf(() => send(member, 'POST', `/api/polls/${poll.id}/close`));
    expect([response.statusCode, response.body]).toEqual([200, '']);
    expect(frames).toEqual([{ type: 'poll_closed', poll_id: poll.id, channel_id: channelId }]);
    expect((await getPoll(poll.id)).closed).toBe(true);
    const [again, silence] = await framesOf(() => send(member, 'POST', `/api/polls/${poll.id}/close`));
    expect([again.statusCode, silence]).toEqual([200, []]);
  });

  it("lets the channel owner close someone else's poll", async () => {
    const poll = await createPoll();
    expect((await send(communityOwner, 'POST', `/api/polls/${poll.id}/close`)).statusCode).toBe(200);
    expect((await getPoll(poll.id)).closed).toBe(true);
  });

  it('forbids everyone else, channel admins and instance staff included', async () => {
    const poll = await createPoll();
    const moderatorRow = db.updateTable('channel_members').where('user_id', '=', moderator.user.id);
    await moderatorRow.set({ role: 'admin' }).where('channel_id', '=', channelId).execute();
    try {
      for (const user of [moderator, communityAdmin, ...Object.values(nonMembers)]) {
        expect((await send(user, 'POST', `/api/polls/${poll.id}/close`)).json()).toEqual(forbidden);
      }
    } finally {
      await moderatorRow.set({ role: 'member' }).where('channel_id', '=', channelId).execute();
    }
    expect((await getPoll(poll.id)).closed).toBe(false);
    expect((await send(member, 'POST', `/api/polls/${uuidv7()}/close`)).statusCode).toBe(404);
  });
});

describe('the poll expiry job', () => {
  it('closes expired polls and announces each once', async () => {
    await expirePolls();
    const soon = await createPoll(member, { expires_in_minutes: 1 });
    const later = await createPoll(member, { expires_in_minutes: 10 });
    const open = await createPoll();
    const closedEarly = await createPoll(member, { expires_in_minutes: 1 });
    await send(member, 'POST', `/api/polls/${closedEarly.id}/close`);
    clock.advance(60_000);
    const [count, frames] = await framesOf(expirePolls);
    expect(count).toBe(1);
    expect(frames).toEqual([{ type: 'poll_closed', poll_id: soon.id, channel_id: channelId }]);
    expect((await getPoll(soon.id)).closed).toBe(true);
    expect((await getPoll(later.id)).closed).toBe(false);
    expect((await getPoll(open.id)).closed).toBe(false);
    expect(await framesOf(expirePolls)).toEqual([0, []]);
  });

  it.skipIf(databaseKind === 'embedded')('skips a round while another process holds the lock', async () => {
    const otherProcess = await db.startTransaction().execute();
    await sql`select pg_advisory_xact_lock(${POLL_EXPIRY_LOCK_ID})`.execute(otherProcess);
    try {
      expect(await expirePolls()).toBeNull();
    } finally {
      await otherProcess.rollback().execute();
    }
    expect(await expirePolls()).toBe(0);
  });
});
