import { describe, expect, it } from 'vitest';
import { InProcessLocks, MemoryCryptoStore, type PeerIdentityRecord } from '../../src/session/index.js';

const peer = (identityKey: string): PeerIdentityRecord => ({
  peerId: 'bob',
  identityKey,
  firstSeenAt: 1,
  verified: false,
  previousIdentityKey: null,
  changedAt: null,
});

describe('MemoryCryptoStore', () => {
  it('copies on write and on read, so callers cannot change stored records', async () => {
    const store = new MemoryCryptoStore();
    const record = peer('AAAA');
    await store.commit([{ op: 'put', store: 'peerIdentities', value: record }]);
    record.verified = true;
    const read = await store.getPeerIdentity('bob');
    expect(read?.verified).toBe(false);
    if (read) read.identityKey = 'changed';
    expect((await store.getPeerIdentity('bob'))?.identityKey).toBe('AAAA');
  });

  it('applies nothing when told to fail the next commit, then works again', async () => {
    const store = new MemoryCryptoStore();
    const before = store.snapshot();
    store.failNextCommit();
    const writes = [
      { op: 'put', store: 'peerIdentities', value: peer('AAAA') },
      { op: 'put', store: 'oneTimePrekeys', value: { keyId: 7, privateKey: 'AA==', publicKey: 'AA==' } },
    ] as const;
    await expect(store.commit(writes)).rejects.toThrow('simulated storage failure');
    expect(store.snapshot() === before).toBe(true);
    expect(await store.highestOneTimePrekeyId()).toBe(0);
    await store.commit(writes);
    expect(await store.getOneTimePrekey(7)).toEqual({ keyId: 7, privateKey: 'AA==', publicKey: 'AA==' });
  });

  it('keeps the highest one-time prekey id when keys are deleted', async () => {
    const store = new MemoryCryptoStore();
    await store.commit([
      { op: 'put', store: 'oneTimePrekeys', value: { keyId: 5, privateKey: '', publicKey: '' } },
    ]);
    await store.commit([{ op: 'delete', store: 'oneTimePrekeys', keyId: 5 }]);
    expect(await store.getOneTimePrekey(5)).toBeUndefined();
    expect(await store.highestOneTimePrekeyId()).toBe(5);
  });

  it('lists receiver chains per channel and sender', async () => {
    const store = new MemoryCryptoStore();
    const chain = (channelId: string, senderId: string, chainId: number) => ({
      op: 'put' as const,
      store: 'receiverChains' as const,
      value: { channelId, senderId, chainId, state: '{}', sequence: 1 },
    });
    await store.commit([
      chain('c1', 'bob', 1),
      chain('c1', 'bob', 2),
      chain('c1', 'carol', 3),
      chain('c2', 'bob', 4),
    ]);
    const chainIds = (await store.listReceiverChains('c1', 'bob')).map((c) => c.chainId).sort();
    expect(chainIds).toEqual([1, 2]);
    await store.commit([
      { op: 'delete', store: 'receiverChains', channelId: 'c1', senderId: 'bob', chainId: 1 },
    ]);
    expect(await store.getReceiverChain('c1', 'bob', 1)).toBeUndefined();
  });
});

describe('InProcessLocks', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('runs holders of the same name one after another, even when one fails', async () => {
    const locks = new InProcessLocks();
    const events: string[] = [];
    const holder =
      (name: string, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await tick();
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      locks.run('x', holder('a', true)),
      locks.run('x', holder('b')),
      locks.run('x', holder('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different names run concurrently', async () => {
    const locks = new InProcessLocks();
    const events: string[] = [];
    const holder = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
    };
    await Promise.all([locks.run('x', holder('a')), locks.run('y', holder('b'))]);
    expect(events.slice(0, 2)).toEqual(['start a', 'start b']);
  });
});
