import type { Db } from '../platform/db/schema.js';
import { type LoggedEvent, readEventLog } from '../platform/events/event-log.js';

/** How long a read's result is shared with identical reads. */
const SHARE_MS = 5_000;
/** Results kept at most; beyond that reads run on their own until old ones expire. */
const MAX_SHARED = 2_000;

type Range = Parameters<typeof readEventLog>[2];

/**
 * Reads of the channel event log, shared between the connections of this process. A logged event never changes
 * and a range always ends at a committed `seq`, so identical reads give the same events: when the members of a
 * channel resume from where they all were before a restart, one query serves them all.
 */
export class EventLogReads {
  private readonly shared = new Map<string, { at: number; events: Promise<LoggedEvent[]> }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  read(channelId: string, range: Range): Promise<LoggedEvent[]> {
    const key = `${channelId}:${range.afterSeq}:${range.upToSeq}:${range.limit}`;
    const now = this.now();
    const hit = this.shared.get(key);
    if (hit && now - hit.at < SHARE_MS) return hit.events;
    if (this.shared.size >= MAX_SHARED) this.dropExpired(now);
    const events = readEventLog(this.db, channelId, range);
    if (this.shared.size >= MAX_SHARED) return events;
    const entry = { at: now, events };
    this.shared.set(key, entry);
    events.catch(() => {
      if (this.shared.get(key) === entry) this.shared.delete(key);
    });
    return events;
  }

  private dropExpired(now: number): void {
    for (const [key, entry] of this.shared) if (now - entry.at >= SHARE_MS) this.shared.delete(key);
  }
}
