import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { DomainEvent, FrameEvent } from './hub.js';

/** Events kept for `resume`: at least this long (the cleanup job prunes older ones). */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface LoggedEvent {
  seq: number;
  frame: FrameEvent['frame'];
  /** The frame's JSON with its `seq`, ready to send. */
  text: string;
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
  const next = await reserve(trx, counts);
  const revokedChannels = events.flatMap((event) =>
    event.kind === 'access_revoked' ? event.channelIds.filter((id) => !next.has(id)) : [],
  );
  const current = await currentSeqs(trx, revokedChannels);
  const rows: Array<{ channel_id: string; seq: number; frame: string }> = [];
  for (const event of events) {
    if (loggedChannel(event)) {
      const { channelId } = event.audience;
      const seq = next.get(channelId) as number;
      next.set(channelId, seq + 1);
      event.seq = seq;
      event.json = JSON.stringify(event.frame);
      rows.push({ channel_id: channelId, seq, frame: event.json });
    } else if (event.kind === 'access_revoked') {
      event.untilSeq = Object.fromEntries(
        event.channelIds.map((id) => [
          id,
          next.has(id) ? (next.get(id) as number) - 1 : (current.get(id) ?? 0),
        ]),
      );
    }
  }
  if (rows.length > 0) await trx.insertInto('channel_events').values(rows).execute();
}

function loggedChannel(event: DomainEvent): event is FrameEvent & { audience: { kind: 'channel' } } {
  return event.kind === 'frame' && event.audience.kind === 'channel';
}

/** Reserves `count` numbers per channel; returns the first of each block. */
async function reserve(trx: Db, counts: Map<string, number>): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (const [channelId, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const row = await trx
      .insertInto('channel_event_seq')
      .values({ channel_id: channelId, seq: count })
      .onConflict((oc) => oc.column('channel_id').doUpdateSet({ seq: sql`channel_event_seq.seq + ${count}` }))
      .returning('seq')
      .executeTakeFirstOrThrow();
    first.set(channelId, Number(row.seq) - count + 1);
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
    text: withSeq(row.frame, Number(row.seq)),
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
