import type { PresenceStatus, VisibleStatus } from '@chatalot/protocol';
import { SvelteMap } from 'svelte/reactivity';
import type { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';
import { type ChosenStatus, isChosenStatus } from './status-labels';

export const STATUS_KEY = 'chatalot:status';
/** PRES-02: this long without input while Online reads as Away. */
export const IDLE_AFTER_MS = 5 * 60_000;
const IDLE_CHECK_MS = 15_000;
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

type Socket = Pick<RealtimeSocket, 'status' | 'send' | 'on'>;

/**
 * Who is online (from `presence_bulk` and `presence_update`) and this user's own status: the one chosen in
 * this browser (kept in localStorage, sent again after each reconnect) and automatic Away after 5 minutes
 * without input, which never overrides Away, Do Not Disturb or Invisible chosen by hand.
 */
export class Presence {
  chosen = $state<ChosenStatus>(savedStatus());
  /** Online was chosen, but nobody has touched this device for a while. */
  autoIdle = $state(false);
  readonly #others = new SvelteMap<string, VisibleStatus>();
  #lastActivity = Date.now();
  #idleTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly selfId: () => string | null,
  ) {
    socket.on('authenticated', () => this.#connected());
    socket.on('presence_bulk', (frame) => {
      for (const [userId, status] of frame.statuses) this.#others.set(userId, status);
    });
    socket.on('presence_update', (frame) => this.#others.set(frame.user_id, frame.status));
  }

  /** This user's status as it appears to them. */
  get mine(): ChosenStatus {
    return this.chosen === 'online' && this.autoIdle ? 'idle' : this.chosen;
  }

  /** A user's status; this user's own reads offline while the socket is not connected. */
  of(userId: string): PresenceStatus {
    if (userId === this.selfId()) return this.socket.status === 'open' ? this.mine : 'offline';
    return this.#others.get(userId) ?? 'offline';
  }

  setStatus(status: ChosenStatus): void {
    this.chosen = status;
    this.autoIdle = false;
    try {
      localStorage.setItem(STATUS_KEY, status);
    } catch {
      // Storage unavailable: the choice lasts until the page is closed.
    }
    this.socket.send({ type: 'update_presence', status });
  }

  /** Sign-out: the next person starts Online (the session clears the stored key). */
  reset(): void {
    this.chosen = 'online';
    this.autoIdle = false;
    this.#others.clear();
    if (this.#idleTimer === null) return;
    clearInterval(this.#idleTimer);
    this.#idleTimer = null;
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, this.#active, true);
  }

  #connected(): void {
    // Everyone is offline until `presence_bulk` (sent only when someone is present) says otherwise.
    this.#others.clear();
    this.#watchActivity();
    if (this.mine !== 'online') this.socket.send({ type: 'update_presence', status: this.mine });
  }

  #watchActivity(): void {
    if (this.#idleTimer !== null || typeof window === 'undefined') return;
    this.#lastActivity = Date.now();
    for (const type of ACTIVITY_EVENTS) {
      window.addEventListener(type, this.#active, { capture: true, passive: true });
    }
    this.#idleTimer = setInterval(() => this.#checkIdle(), IDLE_CHECK_MS);
  }

  readonly #active = (): void => {
    this.#lastActivity = Date.now();
    if (!this.autoIdle) return;
    this.autoIdle = false;
    if (this.chosen === 'online') this.socket.send({ type: 'update_presence', status: 'online' });
  };

  #checkIdle(): void {
    if (this.autoIdle || this.chosen !== 'online') return;
    if (Date.now() - this.#lastActivity < IDLE_AFTER_MS) return;
    this.autoIdle = true;
    this.socket.send({ type: 'update_presence', status: 'idle' });
  }
}

function savedStatus(): ChosenStatus {
  try {
    const saved = localStorage.getItem(STATUS_KEY);
    return isChosenStatus(saved) ? saved : 'online';
  } catch {
    return 'online';
  }
}
