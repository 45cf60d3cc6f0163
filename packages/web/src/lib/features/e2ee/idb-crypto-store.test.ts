import { MemoryCryptoStore, type PeerIdentityRecord, type StoreWrite } from '@chatalot/crypto';
import { describe, expect, it } from 'vitest';
import { describeCryptoStoreContract } from './crypto-store.contract';
import { requestResult } from './idb';
import { cryptoDatabaseName, IdbCryptoStore } from './idb-crypto-store';

let nextUser = 0;
const newUserId = () => `user-${++nextUser}-${Date.now()}`;

describeCryptoStoreContract('MemoryCryptoStore', async () => ({
  store: new MemoryCryptoStore(),
  // JSON cannot hold a BigInt: the reference store fails while serialising.
  failingWrite: {
    op: 'put',
    store: 'peerIdentities',
    value: { peerId: 'x', firstSeenAt: 1n } as unknown as PeerIdentityRecord,
  },
}));

describeCryptoStoreContract('IdbCryptoStore', async () => ({
  store: await IdbCryptoStore.open(newUserId()),
  // NaN is not a valid IndexedDB key: the request throws inside the transaction, which must then abort.
  failingWrite: { op: 'delete', store: 'signedPrekeys', keyId: Number.NaN },
}));

async function rawDatabase(userId: string): Promise<IDBDatabase> {
  return requestResult(indexedDB.open(cryptoDatabaseName(userId)));
}

async function rawValues(db: IDBDatabase): Promise<unknown[]> {
  const values: unknown[] = [];
  for (const name of db.objectStoreNames) {
    values.push(...(await requestResult(db.transaction(name).objectStore(name).getAll())));
  }
  return values;
}

function asText(value: unknown): string {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = ArrayBuffer.isView(value) ? value : new Uint8Array(value);
    return new TextDecoder('latin1').decode(bytes);
  }
  if (value && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>)
      .map(asText)
      .join('|');
  }
  return String(value);
}

const secretWrites: StoreWrite[] = [
  { op: 'put', store: 'identity', value: { seed: 'TOP-SECRET-SEED', publicKey: 'PUBLIC-KEY', createdAt: 1 } },
  {
    op: 'put',
    store: 'plaintexts',
    value: {
      messageId: 'm1',
      ciphertextHash: '00',
      conversation: '["dm","bob"]',
      plaintext: 'meet me at the old mill at noon',
      control: null,
    },
  },
];

describe('IdbCryptoStore at rest', () => {
  it('keeps every value encrypted in IndexedDB', async () => {
    const userId = newUserId();
    const store = await IdbCryptoStore.open(userId);
    await store.commit(secretWrites);
    const db = await rawDatabase(userId);
    const dump = (await rawValues(db)).map(asText).join('\n');
    db.close();
    for (const secret of [
      'TOP-SECRET-SEED',
      'PUBLIC-KEY',
      'meet me at the old mill',
      '"seed"',
      'plaintext',
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect(await store.getIdentity()).toEqual(secretWrites[0]?.op === 'put' && secretWrites[0].value);
  });

  it('wraps with a non-extractable AES-GCM key stored as a CryptoKey', async () => {
    const userId = newUserId();
    (await IdbCryptoStore.open(userId)).close();
    const db = await rawDatabase(userId);
    const key = await requestResult(db.transaction('meta').objectStore('meta').get('wrappingKey'));
    db.close();
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow();
  });

  it('reads its records after being opened again, and keeps each account in its own database', async () => {
    const userId = newUserId();
    const first = await IdbCryptoStore.open(userId);
    await first.commit(secretWrites);
    first.close();
    const again = await IdbCryptoStore.open(userId);
    expect((await again.getIdentity())?.seed).toBe('TOP-SECRET-SEED');
    const other = await IdbCryptoStore.open(newUserId());
    expect(await other.getIdentity()).toBeUndefined();
  });

  it('refuses a record moved to another slot', async () => {
    const userId = newUserId();
    const store = await IdbCryptoStore.open(userId);
    await store.commit([
      { op: 'put', store: 'oneTimePrekeys', value: { keyId: 1, privateKey: 'b25l', publicKey: 'b25l' } },
    ]);
    const db = await rawDatabase(userId);
    const tx = db.transaction('oneTimePrekeys', 'readwrite');
    const table = tx.objectStore('oneTimePrekeys');
    table.put(await requestResult(table.get(1)), 2);
    await new Promise((resolve) => {
      tx.oncomplete = resolve;
    });
    db.close();
    await expect(store.getOneTimePrekey(2)).rejects.toThrow('could not be decrypted');
  });

  it('remembers acknowledged key changes and the identity the server holds', async () => {
    const userId = newUserId();
    const store = await IdbCryptoStore.open(userId);
    expect(await store.acknowledgedKeyChange('bob')).toBeUndefined();
    await store.acknowledgeKeyChange('bob', 'KEY-2');
    await store.setRegisteredIdentity('PUB');
    store.close();
    const again = await IdbCryptoStore.open(userId);
    expect(await again.acknowledgedKeyChange('bob')).toBe('KEY-2');
    expect(await again.registeredIdentity()).toBe('PUB');
  });
});
