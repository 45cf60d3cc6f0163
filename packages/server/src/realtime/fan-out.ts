import { wsCloseCodes } from '@chatalot/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../platform/db/schema.js';
import { withSeq } from '../platform/events/event-log.js';
import type { DomainEvent, FrameEvent, SessionsEndedEvent } from '../platform/events/hub.js';
import { type Connection, type FrameText, isOwnEcho } from './connection.js';
import type { Registry } from './registry.js';
import type { Subscriptions } from './subscriptions.js';
import { WireFrame } from './wire-frame.js';

/**
 * Turns the hub's domain events into frames on this process's sockets. Each frame is serialised and framed once
 * (`WireFrame`), however many connections receive it. Channel events go through each subscriber's cursor
 * (ordered, gap-filled).
 */
export class FanOut {
  constructor(
    private readonly registry: Registry,
    private readonly subscriptions: Subscriptions,
    private readonly db: Db,
    private readonly logger: FastifyBaseLogger,
  ) {}

  readonly onEvent = (event: DomainEvent): void => {
    if (this.registry.size === 0) return;
    if (event.kind === 'frame') this.deliver(event);
    else if (event.kind === 'access_revoked') {
      this.subscriptions.revoke(event.userId, event.channelIds, event.untilSeq);
    } else this.endSessions(event);
  };

  private deliver(event: FrameEvent): void {
    const text = WireFrame.of(serialise(event));
    const { audience } = event;
    if (audience.kind === 'channel')
      this.toChannel(event, audience.channelId, audience.alsoUsers ?? [], text);
    else if (audience.kind === 'users') this.toUsers(audience.userIds, text);
    else if (audience.kind === 'all')
      for (const connection of this.registry.connections()) connection.sendText(text);
    else void this.toCommunity(audience.communityId, text);
  }

  private toChannel(
    event: FrameEvent,
    channelId: string,
    alsoUsers: readonly string[],
    text: FrameText,
  ): void {
    const { seq, frame } = event;
    for (const connection of this.registry.ofChannel(channelId)) {
      const cursor = connection.subscriptions.get(channelId);
      if (seq !== undefined) cursor?.offer(seq, text, frame);
      else if (cursor?.ready && !isOwnEcho(connection, frame)) connection.sendText(text);
    }
    for (const userId of alsoUsers) {
      for (const connection of this.registry.ofUser(userId)) {
        if (!connection.subscriptions.has(channelId) && !isOwnEcho(connection, frame))
          connection.sendText(text);
      }
    }
  }

  private toUsers(userIds: readonly string[], text: FrameText): void {
    for (const userId of userIds)
      for (const connection of this.registry.ofUser(userId)) connection.sendText(text);
  }

  private async toCommunity(communityId: string, text: FrameText): Promise<void> {
    try {
      const members = await this.db
        .selectFrom('community_members')
        .select('user_id')
        .where('community_id', '=', communityId)
        .execute();
      this.toUsers(
        members.map((member) => member.user_id),
        text,
      );
    } catch (error) {
      this.logger.error({ err: error, communityId }, 'community fan-out failed');
    }
  }

  private endSessions(event: SessionsEndedEvent): void {
    const ended = (connection: Connection) =>
      event.sessionIds === 'all'
        ? connection.sessionId !== event.keep
        : event.sessionIds.includes(connection.sessionId);
    for (const connection of this.registry.ofUser(event.userId)) {
      if (ended(connection)) connection.close(wsCloseCodes.sessionEnded, 'session ended');
    }
  }
}

function serialise(event: FrameEvent): string {
  if (event.seq === undefined) return JSON.stringify(event.frame);
  return event.json === undefined
    ? JSON.stringify({ ...event.frame, seq: event.seq })
    : withSeq(event.json, event.seq);
}
