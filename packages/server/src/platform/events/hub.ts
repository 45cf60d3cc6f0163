import type { ServerFrame } from '@chatalot/protocol';

/** Who a frame is for (websocket.md §1.12 scopes). */
export type Audience =
  | { kind: 'channel'; channelId: string }
  | { kind: 'community'; communityId: string }
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'all' };

/**
 * What domains publish after a commit: a frame for an audience, or word that a user lost access to
 * channels (kick, ban, leave, deletion), so live connections can drop what they may no longer see.
 */
export type DomainEvent =
  | { kind: 'frame'; audience: Audience; frame: ServerFrame }
  | { kind: 'access_revoked'; userId: string; channelIds: readonly string[] };

export type EventListener = (event: DomainEvent) => void;

export interface EventHub {
  publish(event: DomainEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
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

/** A frame for an audience, the common case. */
export function frameEvent(audience: Audience, frame: ServerFrame): DomainEvent {
  return { kind: 'frame', audience, frame };
}
