import { type ResyncRequiredFrame, wsCloseCodes } from '@chatalot/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../platform/db/schema.js';
import { ChannelCursor } from './channel-cursor.js';
import { type Connection, isOwnEcho } from './connection.js';
import { EventLogReads } from './event-log-reads.js';
import type { Registry } from './registry.js';

/** Membership checks run in chunks of this many ids (the reference client sends all its channels at once). */
const CHECK_CHUNK = 200;

/**
 * Which channels a connection follows. Membership is checked when subscribing or resuming, and access
 * revocations end subscriptions as they happen (continuous authorisation, websocket.md §14.3).
 */
export class Subscriptions {
  private readonly reads: EventLogReads;

  constructor(
    private readonly db: Db,
    private readonly registry: Registry,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.reads = new EventLogReads(db);
  }

  /** Subscribes to the channels the user belongs to; others and duplicates are skipped silently. */
  async subscribe(connection: Connection, channelIds: readonly string[]): Promise<void> {
    const held = this.hold(connection, channelIds);
    const access = await this.accessible(connection.userId, [...held.keys()]);
    for (const [channelId, cursor] of held) {
      const seq = access.get(channelId);
      if (seq === undefined) this.drop(connection, channelId, cursor);
      else cursor.release(seq);
    }
  }

  unsubscribe(connection: Connection, channelIds: readonly string[]): void {
    const ids = channelIds.length === 0 ? [...connection.subscriptions.keys()] : channelIds;
    for (const channelId of ids) this.registry.unsubscribed(connection, channelId);
  }

  /**
   * Subscribes to each channel from the client's last `seq` and replays what it missed, in order. Returns
   * where each resumed channel now stands.
   */
  async resume(connection: Connection, channels: Record<string, number>): Promise<Record<string, number>> {
    const held = this.hold(connection, Object.keys(channels));
    const access = await this.accessible(connection.userId, Object.keys(channels));
    const catchUps: Array<Promise<void>> = [];
    for (const [channelId, clientSeq] of Object.entries(channels)) {
      const current = access.get(channelId);
      const cursor = held.get(channelId);
      if (current === undefined) {
        if (cursor) this.drop(connection, channelId, cursor);
        connection.send(resyncFrame(channelId, 0, 'no_access'));
        continue;
      }
      if (cursor && clientSeq > current) connection.send(resyncFrame(channelId, current, 'gap_too_old'));
      cursor?.release(Math.min(clientSeq, current));
      const subscription = connection.subscriptions.get(channelId);
      if (subscription) catchUps.push(subscription.catchUp(current));
    }
    await Promise.all(catchUps);
    return Object.fromEntries(
      [...access.keys()].flatMap((id) => {
        const cursor = connection.subscriptions.get(id);
        return cursor ? [[id, cursor.seq]] : [];
      }),
    );
  }

  /** The user lost access: each of its connections sees the channel up to `untilSeq`, then stops. */
  revoke(userId: string, channelIds: readonly string[], untilSeq: Record<string, number> = {}): void {
    for (const connection of this.registry.ofUser(userId)) {
      for (const channelId of channelIds) {
        const cursor = connection.subscriptions.get(channelId);
        cursor?.endAt(untilSeq[channelId] ?? cursor.seq);
      }
    }
  }

  /** The channels among `channelIds` the user is a member of, with each channel's current `seq`. */
  async accessible(userId: string, channelIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (let start = 0; start < channelIds.length; start += CHECK_CHUNK) {
      const chunk = channelIds.slice(start, start + CHECK_CHUNK);
      const rows = await this.db
        .selectFrom('channel_members as m')
        .leftJoin('channel_event_seq as s', 's.channel_id', 'm.channel_id')
        .select(['m.channel_id', sql<number>`coalesce(s.seq, 0)`.as('seq')])
        .where('m.user_id', '=', userId)
        .where('m.channel_id', 'in', chunk)
        .execute();
      for (const row of rows) result.set(row.channel_id, Number(row.seq));
    }
    return result;
  }

  /** Registers held cursors for the channels not subscribed yet, before their starting point is read. */
  private hold(connection: Connection, channelIds: readonly string[]): Map<string, ChannelCursor> {
    const held = new Map<string, ChannelCursor>();
    if (!connection.open) return held;
    for (const channelId of new Set(channelIds)) {
      if (!connection.subscriptions.has(channelId)) held.set(channelId, this.attach(connection, channelId));
    }
    return held;
  }

  private drop(connection: Connection, channelId: string, cursor: ChannelCursor): void {
    if (connection.subscriptions.get(channelId) === cursor) this.registry.unsubscribed(connection, channelId);
  }

  private attach(connection: Connection, channelId: string): ChannelCursor {
    const cursor = new ChannelCursor({
      deliver: (text, frame) => {
        if (!isOwnEcho(connection, frame)) connection.sendText(text);
      },
      read: (afterSeq, upToSeq, limit) => this.reads.read(channelId, { afterSeq, upToSeq, limit }),
      resync: (current) => connection.send(resyncFrame(channelId, current, 'gap_too_old')),
      ended: () => this.drop(connection, channelId, cursor),
      failed: (error) => {
        this.logger.error({ err: error, channelId }, 'replaying channel events failed');
        connection.close(wsCloseCodes.internalError, 'replay failed: reconnect and resume');
      },
    });
    connection.subscriptions.set(channelId, cursor);
    this.registry.subscribed(connection, channelId);
    return cursor;
  }
}

function resyncFrame(
  channelId: string,
  seq: number,
  reason: ResyncRequiredFrame['reason'],
): ResyncRequiredFrame {
  return { type: 'resync_required', channel_id: channelId, seq, reason };
}
