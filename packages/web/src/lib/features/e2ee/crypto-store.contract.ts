import type {
  CryptoStore,
  OneTimePrekeyRecord,
  PeerIdentityRecord,
  PlaintextRecord,
  ReceiverChainRecord,
  SignedPrekeyRecord,
  StoreWrite,
} from '@chatalot/crypto';
import { describe, expect, it } from 'vitest';

/**
 * The behaviour every `CryptoStore` must have (docs/e2e.md, "Storage and lock contract"), run against
 * `MemoryCryptoStore`, the reference, and against the IndexedDB store.
 */
export interface StoreUnderTest {
  store: CryptoStore;
  /** A write that makes the commit containing it fail, wherever it sits in the list. */
  failingWrite: StoreWrite;
}

const identity = { seed: 'c2VlZA==', publicKey: 'cHVibGlj', createdAt: 1 };
const peer = (identityKey: string): PeerIdentityRecord => ({
  peerId: 'bob',
  identityKey,
  firstSeenAt: 1,
  verified: false,
  previousIdentityKey: null,
  changedAt: null,
});
const oneTime = (keyId: number): OneTimePrekeyRecord => ({
  keyId,
  privateKey: 'cHJpdg==',
  publicKey: 'cHVi',
});
const signed = (keyId: number): SignedPrekeyRecord => ({
  keyId,
  privateKey: 'cHJpdg==',
  publicKey: 'cHVi',
  signature: 'c2ln',
  createdAt: 1,
  uploaded: true,
  retiredAt: null,
});
const chain = (channelId: string, senderId: string, chainId: number): ReceiverChainRecord => ({
  channelId,
  senderId,
  chainId,
  state: '{}',
  sequence: chainId,
});
const plaintext: PlaintextRecord = {
  messageId: 'm1',
  ciphertextHash: 'ab'.repeat(32),
  conversation: '["dm","bob"]',
  plaintext: 'aGk=',
  control: null,
};

export function describeCryptoStoreContract(name: string, create: () => Promise<StoreUnderTest>): void {
  describe(`${name} (CryptoStore contract)`, () => {
    it('starts empty', async () => {
      const { store } = await create();
      expect(await store.getIdentity()).toBeUndefined();
      expect(await store.listSignedPrekeys()).toEqual([]);
      expect(await store.highestOneTimePrekeyId()).toBe(0);
      expect(await store.getDmSession('bob')).toBeUndefined();
      expect(await store.listReceiverChains('c1', 'bob')).toEqual([]);
    });

    it('reads back every kind of record it stored, and replaces a record put again', async () => {
      const { store } = await create();
      await store.commit([
        { op: 'put', store: 'identity', value: identity },
        { op: 'put', store: 'signedPrekeys', value: signed(1) },
        { op: 'put', store: 'signedPrekeys', value: signed(2) },
        { op: 'put', store: 'oneTimePrekeys', value: oneTime(7) },
        {
          op: 'put',
          store: 'dmSessions',
          value: { peerId: 'bob', sessions: [], retiredEphemeralKeys: ['eA=='] },
        },
        { op: 'put', store: 'peerIdentities', value: peer('AAAA') },
        {
          op: 'put',
          store: 'ownSenderChains',
          value: {
            channelId: 'c1',
            chainId: 9,
            state: '{}',
            recipients: ['bob'],
            rotationRequired: false,
            createdAt: 1,
          },
        },
        { op: 'put', store: 'plaintexts', value: plaintext },
      ]);
      await store.commit([
        { op: 'put', store: 'peerIdentities', value: { ...peer('BBBB'), verified: true } },
      ]);
      expect(await store.getIdentity()).toEqual(identity);
      expect((await store.listSignedPrekeys()).map((key) => key.keyId).sort()).toEqual([1, 2]);
      expect(await store.getSignedPrekey(2)).toEqual(signed(2));
      expect(await store.getOneTimePrekey(7)).toEqual(oneTime(7));
      expect((await store.getDmSession('bob'))?.retiredEphemeralKeys).toEqual(['eA==']);
      expect(await store.getPeerIdentity('bob')).toEqual({ ...peer('BBBB'), verified: true });
      expect((await store.getOwnSenderChain('c1'))?.chainId).toBe(9);
      expect(await store.getPlaintext('m1', plaintext.ciphertextHash)).toEqual(plaintext);
      expect(await store.getPlaintext('m1', 'cd'.repeat(32))).toBeUndefined();
    });

    it('copies on write and on read, so callers cannot change stored records', async () => {
      const { store } = await create();
      const record = peer('AAAA');
      await store.commit([{ op: 'put', store: 'peerIdentities', value: record }]);
      record.verified = true;
      const read = await store.getPeerIdentity('bob');
      expect(read?.verified).toBe(false);
      if (read) read.identityKey = 'changed';
      expect((await store.getPeerIdentity('bob'))?.identityKey).toBe('AAAA');
    });

    it('applies none of the writes of a commit that fails, then works again', async () => {
      const { store, failingWrite } = await create();
      await store.commit([{ op: 'put', store: 'oneTimePrekeys', value: oneTime(1) }]);
      const writes: StoreWrite[] = [
        { op: 'put', store: 'identity', value: identity },
        { op: 'delete', store: 'oneTimePrekeys', keyId: 1 },
        { op: 'put', store: 'oneTimePrekeys', value: oneTime(50) },
      ];
      await expect(store.commit([...writes, failingWrite])).rejects.toThrow();
      await expect(store.commit([failingWrite, ...writes])).rejects.toThrow();
      expect(await store.getIdentity()).toBeUndefined();
      expect(await store.getOneTimePrekey(1)).toEqual(oneTime(1));
      expect(await store.getOneTimePrekey(50)).toBeUndefined();
      expect(await store.highestOneTimePrekeyId()).toBe(1);
      await store.commit(writes);
      expect(await store.getIdentity()).toEqual(identity);
      expect(await store.highestOneTimePrekeyId()).toBe(50);
    });

    it('never lowers the one-time prekey high-water mark', async () => {
      const { store } = await create();
      await store.commit([
        { op: 'put', store: 'oneTimePrekeys', value: oneTime(4) },
        { op: 'put', store: 'oneTimePrekeys', value: oneTime(5) },
      ]);
      await store.commit([
        { op: 'delete', store: 'oneTimePrekeys', keyId: 5 },
        { op: 'put', store: 'oneTimePrekeys', value: oneTime(3) },
      ]);
      expect(await store.getOneTimePrekey(5)).toBeUndefined();
      expect(await store.highestOneTimePrekeyId()).toBe(5);
    });

    it('lists receiver chains per channel and sender, and deletes one', async () => {
      const { store } = await create();
      await store.commit([
        { op: 'put', store: 'receiverChains', value: chain('c1', 'bob', 1) },
        { op: 'put', store: 'receiverChains', value: chain('c1', 'bob', 4_000_000_000) },
        { op: 'put', store: 'receiverChains', value: chain('c1', 'bobby', 2) },
        { op: 'put', store: 'receiverChains', value: chain('c1', 'carol', 3) },
        { op: 'put', store: 'receiverChains', value: chain('c2', 'bob', 5) },
      ]);
      const ids = async () => (await store.listReceiverChains('c1', 'bob')).map((c) => c.chainId).sort();
      expect(await ids()).toEqual([1, 4_000_000_000]);
      await store.commit([
        { op: 'delete', store: 'receiverChains', channelId: 'c1', senderId: 'bob', chainId: 1 },
      ]);
      expect(await store.getReceiverChain('c1', 'bob', 1)).toBeUndefined();
      expect(await ids()).toEqual([4_000_000_000]);
      expect(await store.getReceiverChain('c2', 'bob', 5)).toEqual(chain('c2', 'bob', 5));
    });

    it('deletes signed prekeys by key id', async () => {
      const { store } = await create();
      await store.commit([
        { op: 'put', store: 'signedPrekeys', value: signed(1) },
        { op: 'put', store: 'signedPrekeys', value: signed(2) },
      ]);
      await store.commit([{ op: 'delete', store: 'signedPrekeys', keyId: 1 }]);
      expect(await store.listSignedPrekeys()).toEqual([signed(2)]);
    });
  });
}
