import { InProcessLocks, type Locks } from '@chatalot/crypto';

/**
 * The Web Locks API when the browser has it, so that two tabs never run the same session's
 * load → compute → commit at once; otherwise a mutex within this tab.
 */
export function browserLocks(manager: LockManager | undefined = globalThis.navigator?.locks): Locks {
  if (!manager) return new InProcessLocks();
  return {
    run: <T>(name: string, fn: () => Promise<T>) => manager.request(name, () => fn()) as Promise<T>,
  };
}
