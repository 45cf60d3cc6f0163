/**
 * Named exclusive locks. Every operation on a peer's DM sessions or a channel's chains runs
 * load → compute → commit inside one. The web client passes
 * `{ run: (name, fn) => navigator.locks.request(name, fn) }` so that tabs exclude each other.
 * Locks are not re-entrant; the session layer takes a channel lock before a DM lock, never the reverse.
 */
export interface Locks {
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const lockNames = {
  dm: (peerId: string) => `chatalot-crypto:dm:${peerId}`,
  channel: (channelId: string) => `chatalot-crypto:channel:${channelId}`,
  keys: 'chatalot-crypto:keys',
};

/** The default: a keyed mutex within this JavaScript realm, first come first served. */
export class InProcessLocks implements Locks {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const result = previous.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return result;
  }
}
