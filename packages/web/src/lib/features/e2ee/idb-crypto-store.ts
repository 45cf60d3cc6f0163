import type {
  CryptoStore,
  DmSessionRecord,
  IdentityRecord,
  OneTimePrekeyRecord,
  OwnSenderChainRecord,
  PeerIdentityRecord,
  PlaintextRecord,
  ReceiverChainRecord,
  SignedPrekeyRecord,
  StoreWrite,
} from '@chatalot/crypto';
import { openDatabase, requestResult, transact } from './idb';
import { createWrappingKey, type SealedValue, seal, unseal } from './sealed-values';

/**
 * The web client's `CryptoStore` (docs/e2e.md): one IndexedDB database per account, `chatalot-crypto-<userId>`,
 * never deleted on sign-out. Every value is sealed (sealed-values.ts); keys stay readable so that records
 * can be found. One `commit` is one IndexedDB transaction, opened only after all sealing is done.
 */

const DB_VERSION = 1;

/** The session layer's tables, plus `keyChangeAcks`: which changed peer key the user acknowledged. */
const TABLES = [
  'identity',
  'signedPrekeys',
  'oneTimePrekeys',
  'dmSessions',
  'peerIdentities',
  'ownSenderChains',
  'receiverChains',
  'plaintexts',
  'keyChangeAcks',
] as const;
type Table = (typeof TABLES)[number];

/** Unsealed bookkeeping: the wrapping key, the one-time prekey high-water mark, what the server has. */
const META = 'meta';
const WRAPPING_KEY = 'wrappingKey';
const HIGH_WATER = 'oneTimePrekeyHighWater';
const REGISTERED_IDENTITY = 'registeredIdentity';

interface KeyChangeAck {
  peerId: string;
  identityKey: string;
}

interface PreparedWrite {
  table: Table;
  key: IDBValidKey;
  sealed: SealedValue | null;
}

export function cryptoDatabaseName(userId: string): string {
  return `chatalot-crypto-${userId}`;
}

function slot(table: Table, key: IDBValidKey): string {
  return JSON.stringify([table, key]);
}

function locate(write: StoreWrite): { table: Table; key: IDBValidKey } {
  if (write.op === 'delete') {
    const key =
      write.store === 'receiverChains' ? [write.channelId, write.senderId, write.chainId] : write.keyId;
    return { table: write.store, key };
  }
  const table = write.store;
  switch (write.store) {
    case 'identity':
      return { table, key: 'self' };
    case 'signedPrekeys':
    case 'oneTimePrekeys':
      return { table, key: write.value.keyId };
    case 'dmSessions':
    case 'peerIdentities':
      return { table, key: write.value.peerId };
    case 'ownSenderChains':
      return { table, key: write.value.channelId };
    case 'receiverChains':
      return { table, key: [write.value.channelId, write.value.senderId, write.value.chainId] };
    case 'plaintexts':
      return { table, key: [write.value.messageId, write.value.ciphertextHash] };
  }
}

export class IdbCryptoStore implements CryptoStore {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly wrappingKey: CryptoKey,
  ) {}

  static async open(userId: string, factory: IDBFactory = indexedDB): Promise<IdbCryptoStore> {
    const db = await openDatabase(factory, cryptoDatabaseName(userId), DB_VERSION, (upgrading) => {
      for (const table of [...TABLES, META]) upgrading.createObjectStore(table);
    });
    try {
      return new IdbCryptoStore(db, await loadWrappingKey(db));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  getIdentity(): Promise<IdentityRecord | undefined> {
    return this.read('identity', 'self');
  }

  getSignedPrekey(keyId: number): Promise<SignedPrekeyRecord | undefined> {
    return this.read('signedPrekeys', keyId);
  }

  listSignedPrekeys(): Promise<SignedPrekeyRecord[]> {
    return this.readAll('signedPrekeys');
  }

  getOneTimePrekey(keyId: number): Promise<OneTimePrekeyRecord | undefined> {
    return this.read('oneTimePrekeys', keyId);
  }

  async highestOneTimePrekeyId(): Promise<number> {
    return (await this.readMeta<number>(HIGH_WATER)) ?? 0;
  }

  getDmSession(peerId: string): Promise<DmSessionRecord | undefined> {
    return this.read('dmSessions', peerId);
  }

  getPeerIdentity(peerId: string): Promise<PeerIdentityRecord | undefined> {
    return this.read('peerIdentities', peerId);
  }

  getOwnSenderChain(channelId: string): Promise<OwnSenderChainRecord | undefined> {
    return this.read('ownSenderChains', channelId);
  }

  getReceiverChain(
    channelId: string,
    senderId: string,
    chainId: number,
  ): Promise<ReceiverChainRecord | undefined> {
    return this.read('receiverChains', [channelId, senderId, chainId]);
  }

  listReceiverChains(channelId: string, senderId: string): Promise<ReceiverChainRecord[]> {
    // Array keys sort element by element, and every number sorts before every string.
    return this.readAll(
      'receiverChains',
      IDBKeyRange.bound([channelId, senderId], [channelId, senderId, '']),
    );
  }

  getPlaintext(messageId: string, ciphertextHash: string): Promise<PlaintextRecord | undefined> {
    return this.read('plaintexts', [messageId, ciphertextHash]);
  }

  async commit(writes: readonly StoreWrite[]): Promise<void> {
    const prepared = await Promise.all(writes.map((write) => this.prepare(write)));
    const highest = Math.max(
      0,
      ...writes.map((write) =>
        write.op === 'put' && write.store === 'oneTimePrekeys' ? write.value.keyId : 0,
      ),
    );
    await this.apply(prepared, highest);
  }

  /** The identity key (base64) the user acknowledged as `peerId`'s new key without verifying it. */
  async acknowledgedKeyChange(peerId: string): Promise<string | undefined> {
    return (await this.read<KeyChangeAck>('keyChangeAcks', peerId))?.identityKey;
  }

  async acknowledgeKeyChange(peerId: string, identityKey: string): Promise<void> {
    const value: KeyChangeAck = { peerId, identityKey };
    await this.apply([
      { table: 'keyChangeAcks', key: peerId, sealed: await this.sealed('keyChangeAcks', peerId, value) },
    ]);
  }

  /** The identity public key (base64) the server is known to hold for this account. */
  registeredIdentity(): Promise<string | undefined> {
    return this.readMeta<string>(REGISTERED_IDENTITY);
  }

  setRegisteredIdentity(publicKey: string): Promise<void> {
    return transact(this.db, [META], 'readwrite', (tx) => {
      tx.objectStore(META).put(publicKey, REGISTERED_IDENTITY);
    });
  }

  private sealed(table: Table, key: IDBValidKey, value: unknown): Promise<SealedValue> {
    return seal(this.wrappingKey, slot(table, key), value);
  }

  private async prepare(write: StoreWrite): Promise<PreparedWrite> {
    const { table, key } = locate(write);
    return { table, key, sealed: write.op === 'put' ? await this.sealed(table, key, write.value) : null };
  }

  private apply(writes: PreparedWrite[], highestOneTimePrekeyId = 0): Promise<void> {
    const tables = [...new Set(writes.map((write) => write.table))];
    if (tables.length === 0) return Promise.resolve();
    return transact(this.db, highestOneTimePrekeyId > 0 ? [...tables, META] : tables, 'readwrite', (tx) => {
      for (const { table, key, sealed } of writes) {
        if (sealed) tx.objectStore(table).put(sealed, key);
        else tx.objectStore(table).delete(key);
      }
      if (highestOneTimePrekeyId > 0) {
        const meta = tx.objectStore(META);
        const current = meta.get(HIGH_WATER);
        current.onsuccess = () => {
          meta.put(Math.max(Number(current.result ?? 0), highestOneTimePrekeyId), HIGH_WATER);
        };
      }
    });
  }

  private async read<T>(table: Table, key: IDBValidKey): Promise<T | undefined> {
    const tx = this.db.transaction(table, 'readonly');
    const sealed = await requestResult<SealedValue | undefined>(tx.objectStore(table).get(key));
    return sealed === undefined ? undefined : unseal<T>(this.wrappingKey, slot(table, key), sealed);
  }

  private async readAll<T>(table: Table, range?: IDBKeyRange): Promise<T[]> {
    const store = this.db.transaction(table, 'readonly').objectStore(table);
    const [keys, values] = await Promise.all([
      requestResult(store.getAllKeys(range)),
      requestResult<SealedValue[]>(store.getAll(range)),
    ]);
    return Promise.all(
      values.map((sealed, index) =>
        unseal<T>(this.wrappingKey, slot(table, keys[index] as IDBValidKey), sealed),
      ),
    );
  }

  private async readMeta<T>(key: string): Promise<T | undefined> {
    const tx = this.db.transaction(META, 'readonly');
    return requestResult<T | undefined>(tx.objectStore(META).get(key));
  }
}

/**
 * Generates a candidate before the transaction (WebCrypto cannot run inside one), then keeps whichever key
 * the database already holds: two tabs opening a new database at once agree on the first one stored.
 */
async function loadWrappingKey(db: IDBDatabase): Promise<CryptoKey> {
  const candidate = await createWrappingKey();
  let key: CryptoKey = candidate;
  await transact(db, [META], 'readwrite', (tx) => {
    const meta = tx.objectStore(META);
    const stored = meta.get(WRAPPING_KEY);
    stored.onsuccess = () => {
      if (stored.result) key = stored.result as CryptoKey;
      else meta.put(candidate, WRAPPING_KEY);
    };
  });
  return key;
}
