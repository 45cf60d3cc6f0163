import type { Clock } from '../platform/clock.js';
import { MemoryRateLimitStore, type TakeResult, type TokenBucketRule } from '../platform/rate-limit.js';
import type {
  ChosenStatus,
  ConnectionRef,
  DeviceActivity,
  SharedState,
  UserPresence,
} from './shared-state.js';

interface UserEntry {
  chosen: ChosenStatus;
  devices: Map<string, DeviceActivity>;
}

/** Shared state of a single server process. */
export class MemorySharedState implements SharedState {
  readonly outlivesProcess = false;
  private readonly users = new Map<string, UserEntry>();
  private readonly claims = new Map<string, number>();
  private readonly buckets: MemoryRateLimitStore;

  constructor(private readonly clock: Clock) {
    this.buckets = new MemoryRateLimitStore(clock);
  }

  async addConnection(ref: ConnectionRef, max: number, chosen: ChosenStatus): Promise<boolean> {
    const entry = this.users.get(ref.userId) ?? { chosen, devices: new Map() };
    if (entry.devices.size >= max) return false;
    entry.devices.set(ref.connectionId, 'active');
    this.users.set(ref.userId, entry);
    return true;
  }

  async removeConnection(ref: ConnectionRef): Promise<void> {
    const entry = this.users.get(ref.userId);
    if (!entry) return;
    entry.devices.delete(ref.connectionId);
    if (entry.devices.size === 0) this.users.delete(ref.userId);
  }

  async setActivity(ref: ConnectionRef, activity: DeviceActivity): Promise<void> {
    const entry = this.users.get(ref.userId);
    if (entry?.devices.has(ref.connectionId)) entry.devices.set(ref.connectionId, activity);
  }

  async setChosen(userId: string, chosen: ChosenStatus): Promise<void> {
    const entry = this.users.get(userId);
    if (entry) entry.chosen = chosen;
  }

  async presenceOf(userIds: readonly string[]): Promise<Map<string, UserPresence>> {
    const result = new Map<string, UserPresence>();
    for (const userId of userIds) {
      const entry = this.users.get(userId);
      if (entry) result.set(userId, { chosen: entry.chosen, devices: [...entry.devices.values()] });
    }
    return result;
  }

  /** Nothing to do: one process's connections die with it. */
  async refresh(): Promise<void> {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return false;
    if (this.claims.size > 10_000) this.dropExpiredClaims(now);
    this.claims.set(key, now + ttlMs);
    return true;
  }

  async takeToken(key: string, rule: TokenBucketRule): Promise<TakeResult> {
    return this.buckets.take(key, rule);
  }

  async close(): Promise<void> {}

  private dropExpiredClaims(now: number): void {
    for (const [key, until] of this.claims) if (until <= now) this.claims.delete(key);
  }
}
