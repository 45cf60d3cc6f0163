import type { TakeResult, TokenBucketRule } from '../platform/rate-limit.js';

/**
 * The ephemeral state the gateway shares between server processes: live connections per user (the session
 * cap and presence), each device's activity, the status a user chose, short cooldowns (typing throttle,
 * later reaction and voice cooldowns) and per-user rate limits (key bundle fetches). In memory for one process
 * (`memory-shared-state.ts`); in Redis when `REDIS_URL` is set (`redis-shared-state.ts`), so several processes
 * behave as one.
 */
export type DeviceActivity = 'active' | 'idle';
export type ChosenStatus = 'online' | 'dnd' | 'invisible';

export interface UserPresence {
  chosen: ChosenStatus;
  /** One entry per live connection. */
  devices: DeviceActivity[];
}

export interface ConnectionRef {
  userId: string;
  connectionId: string;
}

export interface SharedState {
  /** True when other processes read this state (Redis); false when it lives and dies with this process. */
  readonly outlivesProcess: boolean;
  /**
   * Registers a live connection (activity `active`) unless the user already has `max` of them; false when full.
   * `chosen` becomes the user's status when none of its devices holds one yet.
   */
  addConnection(ref: ConnectionRef, max: number, chosen: ChosenStatus): Promise<boolean>;
  removeConnection(ref: ConnectionRef): Promise<void>;
  setActivity(ref: ConnectionRef, activity: DeviceActivity): Promise<void>;
  setChosen(userId: string, chosen: ChosenStatus): Promise<void>;
  /** The users among `userIds` that have at least one live connection. */
  presenceOf(userIds: readonly string[]): Promise<Map<string, UserPresence>>;
  /**
   * Keeps these connections alive. A connection not refreshed within `CONNECTION_TTL_MS` no longer counts (its
   * process died), so the cap and presence heal by themselves.
   */
  refresh(refs: readonly ConnectionRef[]): Promise<void>;
  /** True for the first caller of `key` within `ttlMs`; false while the key is held. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Takes a token from the bucket `key`, which starts full: a rate limit that holds across processes. */
  takeToken(key: string, rule: TokenBucketRule): Promise<TakeResult>;
  close(): Promise<void>;
}

/** How often each process refreshes its connections, and when an unrefreshed one is considered gone. */
export const CONNECTION_REFRESH_MS = 15_000;
export const CONNECTION_TTL_MS = 45_000;

/** What others see of a user (websocket.md §10, fixed): invisible and no device both read as offline. */
export function visibleStatus(presence: UserPresence | undefined): 'online' | 'idle' | 'dnd' | 'offline' {
  if (!presence || presence.devices.length === 0 || presence.chosen === 'invisible') return 'offline';
  if (presence.chosen === 'dnd') return 'dnd';
  return presence.devices.includes('active') ? 'online' : 'idle';
}
