import type { Clock } from '../platform/clock.js';
import { type EventHub, frameEvent } from '../platform/events/hub.js';
import type { ConnectionIdentity } from './connection.js';
import type { SharedState } from './shared-state.js';

/** One `user_typing` per user and channel per 3 s; an entry not refreshed for 10 s expires (websocket.md §3). */
export const TYPING_THROTTLE_MS = 3_000;
export const TYPING_EXPIRY_MS = 10_000;
export const TYPING_SWEEP_MS = 5_000;

interface Entry {
  connectionId: string;
  userId: string;
  channelId: string;
  at: number;
}

/**
 * Typing indicators. The throttle is shared between processes; the expiry belongs to the process holding the
 * typer's connection, which also clears it when that connection goes away.
 */
export class Typing {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly shared: SharedState,
    private readonly hub: EventHub,
    private readonly clock: Clock,
  ) {}

  async typing(connection: ConnectionIdentity, channelId: string): Promise<void> {
    const key = `${channelId}:${connection.userId}`;
    const entry = this.entries.get(key);
    if (entry) entry.at = this.clock.now();
    if (!(await this.shared.claim(`typing:${key}`, TYPING_THROTTLE_MS))) return;
    this.entries.set(key, {
      connectionId: connection.connectionId,
      userId: connection.userId,
      channelId,
      at: this.clock.now(),
    });
    this.publish('user_typing', channelId, connection.userId);
  }

  /** Always announces the stop, even for a user not marked typing (as the reference does). */
  stop(userId: string, channelId: string): void {
    this.entries.delete(`${channelId}:${userId}`);
    this.publish('user_stopped_typing', channelId, userId);
  }

  /**
   * A message was sent: the typer's indicator ends. Announced only when the user was typing here; clients
   * also clear an indicator on the typer's `new_message`, so a silent no-op costs them nothing.
   */
  messageSent(userId: string, channelId: string): void {
    if (this.entries.has(`${channelId}:${userId}`)) this.stop(userId, channelId);
  }

  /** Clears what this connection was typing. */
  disconnected(connectionId: string): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.connectionId === connectionId) this.stop(entry.userId, entry.channelId);
    }
  }

  sweep(): void {
    const expired = this.clock.now() - TYPING_EXPIRY_MS;
    for (const entry of [...this.entries.values()]) {
      if (entry.at <= expired) this.stop(entry.userId, entry.channelId);
    }
  }

  private publish(type: 'user_typing' | 'user_stopped_typing', channelId: string, userId: string): void {
    this.hub.publish(
      frameEvent({ kind: 'channel', channelId }, { type, channel_id: channelId, user_id: userId }),
    );
  }
}
