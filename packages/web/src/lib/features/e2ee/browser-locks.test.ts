import { InProcessLocks } from '@chatalot/crypto';
import { describe, expect, it } from 'vitest';
import { browserLocks } from './browser-locks';

describe('browserLocks', () => {
  it('uses navigator.locks when present, passing the lock name through', async () => {
    const names: string[] = [];
    const manager = {
      request: (name: string, callback: () => Promise<unknown>) => {
        names.push(name);
        return callback();
      },
    } as unknown as LockManager;
    await expect(browserLocks(manager).run('chatalot-crypto:keys', async () => 42)).resolves.toBe(42);
    expect(names).toEqual(['chatalot-crypto:keys']);
  });

  it('falls back to an in-process mutex', () => {
    expect(browserLocks(undefined)).toBeInstanceOf(InProcessLocks);
  });
});
