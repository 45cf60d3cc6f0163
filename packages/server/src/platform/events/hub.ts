import type { GatewayFrame, ServerFrame } from '@chatalot/protocol';

/** Who a frame is for (websocket.md §1.12 scopes). */
export type Audience =
  /**
   * Subscribers of the channel; `alsoUsers` also reach the connections of those users that are not
   * subscribed (a DM's `new_message`, websocket.md §5).
   */
  | { kind: 'channel'; channelId: string; alsoUsers?: readonly string[] }
  | { kind: 'community'; communityId: string }
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'all' };

/**
 * A frame for an audience. `seq` is set on channel frames written to the event log (`event-log.ts`), which is
 * every channel frame a domain emits in a transaction; ephemeral ones (typing) have none and are not resumable.
 */
export interface FrameEvent {
  kind: 'frame';
  audience: Audience;
  frame: ServerFrame | GatewayFrame;
  seq?: number;
  /** The frame's JSON as the event log stored it, so fan-out does not serialise it a second time. */
  json?: string;
}

/**
 * A user lost access to channels (kick, ban, leave, deletion): live connections drop those subscriptions.
 * `untilSeq` (set when logged) is the channel's last event the user may still see, e.g. its own `member_kicked`.
 */
export interface AccessRevokedEvent {
  kind: 'access_revoked';
  userId: string;
  channelIds: readonly string[];
  untilSeq?: Record<string, number>;
}

/** Sessions ended (logout, revocation, password change, suspension): their sockets are closed. */
export interface SessionsEndedEvent {
  kind: 'sessions_ended';
  userId: string;
  /** `all` ends every session of the user except `keep`. */
  sessionIds: readonly string[] | 'all';
  keep?: string;
}

/** What domains publish after a commit. */
export type DomainEvent = FrameEvent | AccessRevokedEvent | SessionsEndedEvent;

export type EventListener = (event: DomainEvent) => void;

export interface EventHub {
  publish(event: DomainEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
  close?(): Promise<void>;
}

/** The hub of a single server process; listeners run synchronously, and one that throws harms no other. */
export class InProcessHub implements EventHub {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function sessionsEnded(
  userId: string,
  sessionIds: readonly string[] | 'all',
  keep?: string,
): SessionsEndedEvent {
  return keep === undefined
    ? { kind: 'sessions_ended', userId, sessionIds }
    : { kind: 'sessions_ended', userId, sessionIds, keep };
}

/**
 * Members must start a new sender-key chain (e2e-encryption.md); emitted after the removed user's
 * `access_revoked`, so the removed user never receives it.
 */
export function rotationRequired(channelId: string, reason: 'member_removed' | 'member_left'): FrameEvent {
  return frameEvent(
    { kind: 'channel', channelId },
    { type: 'sender_key_rotation_required', channel_id: channelId, reason },
  );
}

/** A frame for an audience, the common case. */
export function frameEvent(audience: Audience, frame: FrameEvent['frame']): FrameEvent {
  return { kind: 'frame', audience, frame };
}
