import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/platform/db/unit-of-work.js';
import { readEventLog } from '../src/platform/events/event-log.js';
import { type DomainEvent, frameEvent, InProcessHub } from '../src/platform/events/hub.js';
import { uuidv7 } from '../src/platform/ids.js';
import { createTestDatabase, type TestDatabase } from './harness.js';

let store: TestDatabase;
const channels = [uuidv7(), uuidv7()] as const;

beforeAll(async () => {
  store = await createTestDatabase();
  await store.database.db
    .insertInto('channels')
    .values(channels.map((id, i) => ({ id, name: `log-${i}`, channel_type: 'text' })))
    .execute();
});

afterAll(() => store.drop());

const deleted = (channelId: string, note: string) =>
  frameEvent({ kind: 'channel', channelId }, { type: 'channel_deleted', channel_id: `${channelId}:${note}` });

/** Runs one transaction that emits `events` and returns what the hub published after the commit. */
async function commit(events: DomainEvent[]): Promise<DomainEvent[]> {
  const hub = new InProcessHub();
  const published: DomainEvent[] = [];
  hub.subscribe((event) => published.push(event));
  await inTransaction(store.database.db, hub, async (_trx, emit) => {
    for (const event of events) emit(event);
  });
  return published;
}

const seqs = (events: DomainEvent[], channelId: string) =>
  events.flatMap((event) =>
    event.kind === 'frame' && event.audience.kind === 'channel' && event.audience.channelId === channelId
      ? [event.seq]
      : [],
  );

describe('channel event log', () => {
  it('numbers the frames of several channels in one transaction gap-free, in the order they were emitted', async () => {
    const [a, b] = channels;
    const revoked: DomainEvent = { kind: 'access_revoked', userId: uuidv7(), channelIds: [a, b] };
    const published = await commit([
      deleted(a, '1'),
      deleted(b, '1'),
      deleted(a, '2'),
      revoked,
      deleted(a, '3'),
      deleted(b, '2'),
    ]);
    expect(seqs(published, a)).toEqual([1, 2, 3]);
    expect(seqs(published, b)).toEqual([1, 2]);
    // The user who lost access sees each channel up to the last event before the revocation.
    expect(published.find((event) => event.kind === 'access_revoked')).toMatchObject({
      untilSeq: { [a]: 2, [b]: 1 },
    });

    const logged = await readEventLog(store.database.db, a, { afterSeq: 0, upToSeq: 10, limit: 10 });
    expect(logged.map((event) => [event.seq, JSON.parse(event.text.toString())])).toEqual(
      [1, 2, 3].map((seq) => [seq, { type: 'channel_deleted', channel_id: `${a}:${seq}`, seq }]),
    );
  });

  it('hands concurrent transactions disjoint blocks that continue where the log stood', async () => {
    const [a, b] = channels;
    const batches = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        commit(
          i % 2 === 0
            ? [deleted(a, `x${i}`), deleted(b, `x${i}`)]
            : [deleted(b, `y${i}`), deleted(a, `y${i}`)],
        ),
      ),
    );
    const all = (channelId: string) =>
      batches.flatMap((batch) => seqs(batch, channelId)).sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(all(a)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(all(b)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
