import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { DomainEvent, FrameEvent } from './hub.js';

/** Events kept for `resume`: at least this long (the cleanup job prunes older ones). */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface LoggedEvent {
  seq: number;
  frame: FrameEvent['frame'];
  /** The frame's JSON with its `seq` in UTF-8, ready to send (shared by every connection that replays it). */
  text: Buffer;
}

/** A logged frame's JSON with its `seq` added (a frame is never empty: it always has a `type`). */
export function withSeq(json: string, seq: number): string {
  return `${json.slice(0, -1)},"seq":${seq}}`;
}

/**
 * Writes the channel frames among `events` to the event log inside the caller's transaction and numbers them:
 * one row lock per channel hands out a gap-free block of sequence numbers in commit order. Also marks each
 * `access_revoked` with the last event of the channel the user may still see.
 */
export async function appendToEventLog(trx: Db, events: DomainEvent[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (!loggedChannel(event)) continue;
    const { channelId } = event.audience;
    counts.set(channelId, (counts.get(channelId) ?? 0) + 1);
  }
  const next = await logFrames(trx, events, counts);
  const revokedChannels = events.flatMap((event) =>
    event.kind === 'access_revoked' ? event.channelIds.filter((id) => !next.has(id)) : [],
  );
  const current = await currentSeqs(trx, revokedChannels);
  for (const event of events) {
    if (loggedChannel(event)) {
      const { channelId } = event.audience;
      const seq = next.get(channelId) as number;
      next.set(channelId, seq + 1);
      event.seq = seq;
    } else if (event.kind === 'access_revoked') {
      event.untilSeq = Object.fromEntries(
        event.channelIds.map((id) => [
          id,
          next.has(id) ? (next.get(id) as number) - 1 : (current.get(id) ?? 0),
        ]),
      );
    }
  }
}

function loggedChannel(event: DomainEvent): event is FrameEvent & { audience: { kind: 'channel' } } {
  return event.kind === 'frame' && event.audience.kind === 'channel';
}

/**
 * One statement: reserves `count` numbers per channel (the upserts take the row locks in channel order, so
 * concurrent writers never deadlock) and inserts the frames with theirs, each frame `back` places before the
 * end of its channel's block. Returns the first number of each block and sets each frame's `json`.
 */
async function logFrames(
  trx: Db,
  events: DomainEvent[],
  counts: Map<string, number>,
): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  if (counts.size === 0) return first;
  const left = new Map(counts);
  const rows = { channelIds: [] as string[], backs: [] as number[], frames: [] as string[] };
  for (const event of events) {
    if (!loggedChannel(event)) continue;
    const { channelId } = event.audience;
    const remaining = (left.get(channelId) as number) - 1;
    left.set(channelId, remaining);
    event.json = JSON.stringify(event.frame);
    rows.channelIds.push(channelId);
    rows.backs.push(remaining);
    rows.frames.push(event.json);
  }
  const { rows: reserved } = await sql<{ channel_id: string; seq: string | number }>`
    with reserved as (
      insert into channel_event_seq (channel_id, seq)
      select channel_id, n from unnest(${[...counts.keys()]}::uuid[], ${[...counts.values()]}::bigint[])
        as c(channel_id, n) order by channel_id
      on conflict (channel_id) do update set seq = channel_event_seq.seq + excluded.seq
      returning channel_id, seq
    ), logged as (
      insert into channel_events (channel_id, seq, frame)
      select e.channel_id, r.seq - e.back, e.frame
        from unnest(${rows.channelIds}::uuid[], ${rows.backs}::bigint[], ${rows.frames}::text[])
          as e(channel_id, back, frame)
        join reserved r on r.channel_id = e.channel_id
    )
    select channel_id, seq from reserved`.execute(trx);
  for (const row of reserved) {
    first.set(row.channel_id, Number(row.seq) - (counts.get(row.channel_id) as number) + 1);
  }
  return first;
}

/** The last sequence number of each channel (0 for a channel without events). */
export async function currentSeqs(db: Db, channelIds: readonly string[]): Promise<Map<string, number>> {
  const seqs = new Map(channelIds.map((id) => [id, 0]));
  if (channelIds.length === 0) return seqs;
  const rows = await db
    .selectFrom('channel_event_seq')
    .select(['channel_id', 'seq'])
    .where('channel_id', 'in', channelIds)
    .execute();
  for (const row of rows) seqs.set(row.channel_id, Number(row.seq));
  return seqs;
}

/** Logged events of a channel with `afterSeq < seq <= upToSeq`, oldest first, at most `limit`. */
export async function readEventLog(
  db: Db,
  channelId: string,
  range: { afterSeq: number; upToSeq: number; limit: number },
): Promise<LoggedEvent[]> {
  const rows = await db
    .selectFrom('channel_events')
    .select(['seq', 'frame'])
    .where('channel_id', '=', channelId)
    .where('seq', '>', range.afterSeq)
    .where('seq', '<=', range.upToSeq)
    .orderBy('seq')
    .limit(range.limit)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    frame: JSON.parse(row.frame) as LoggedEvent['frame'],
    text: Buffer.from(withSeq(row.frame, Number(row.seq))),
  }));
}

/** Deletes events older than the retention; returns how many. */
export async function pruneEventLog(db: Db, now: number): Promise<number> {
  const result = await db
    .deleteFrom('channel_events')
    .where('created_at', '<', new Date(now - EVENT_LOG_RETENTION_MS))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
