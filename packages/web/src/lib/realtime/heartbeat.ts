export interface HeartbeatTiming {
  pingMs: number;
  /** A connection that has heard nothing for this long is dead (the server sends a `pong` every 15 s). */
  deadMs: number;
  authTimeoutMs: number;
}

/**
 * Notices a dead connection: no `authenticated` in time, or silence after it. Once authenticated it pings every
 * `pingMs` and gives up when nothing at all was heard for `deadMs` (a half-open TCP connection never closes).
 */
export class Heartbeat {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #interval: ReturnType<typeof setInterval> | null = null;
  #lastHeard = 0;

  constructor(
    private readonly timing: HeartbeatTiming,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  awaitAuthentication(): void {
    this.stop();
    this.#timer = setTimeout(this.dead, this.timing.authTimeoutMs);
  }

  start(): void {
    this.stop();
    this.#lastHeard = Date.now();
    this.#interval = setInterval(() => {
      if (Date.now() - this.#lastHeard > this.timing.deadMs) this.dead();
      else this.ping();
    }, this.timing.pingMs);
  }

  heard(): void {
    this.#lastHeard = Date.now();
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#interval !== null) clearInterval(this.#interval);
    this.#timer = null;
    this.#interval = null;
  }
}
