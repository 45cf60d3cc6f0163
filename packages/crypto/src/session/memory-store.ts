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
} from './store.js';

type TableName = StoreWrite['store'];

/** Composite keys are JSON arrays, so no separator can collide with an id. */
function receiverChainKey(channelId: string, senderId: string, chainId: number): string {
  return JSON.stringify([channelId, senderId, chainId]);
}

function recordKey(write: StoreWrite): string {
  if (write.op === 'delete') {
    return write.store === 'receiverChains'
      ? receiverChainKey(write.channelId, write.senderId, write.chainId)
      : String(write.keyId);
  }
  switch (write.store) {
    case 'identity':
      return 'self';
    case 'signedPrekeys':
    case 'oneTimePrekeys':
      return String(write.value.keyId);
    case 'dmSessions':
    case 'peerIdentities':
      return write.value.peerId;
    case 'ownSenderChains':
      return write.value.channelId;
    case 'receiverChains':
      return receiverChainKey(write.value.channelId, write.value.senderId, write.value.chainId);
    case 'plaintexts':
      return JSON.stringify([write.value.messageId, write.value.ciphertextHash]);
  }
}

/**
 * In-memory `CryptoStore` for tests. Records are held as JSON text, so every read and write is a deep
 * copy (callers cannot change stored state by accident) and non-JSON values are caught early.
 */
export class MemoryCryptoStore implements CryptoStore {
  private readonly tables = new Map<TableName, Map<string, string>>();
  private oneTimePrekeyHighWater = 0;
  private pendingFailure: Error | null = null;

  /** The next `commit` rejects with `error` and applies nothing. */
  failNextCommit(error: Error = new Error('simulated storage failure')): void {
    this.pendingFailure = error;
  }

  /** Everything stored, as canonical JSON: equal snapshots mean equal contents. */
  snapshot(): string {
    const tables = [...this.tables]
      .filter(([, rows]) => rows.size > 0)
      .map(([name, rows]) => [name, [...rows].sort(([a], [b]) => (a < b ? -1 : 1))] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return JSON.stringify({ tables, oneTimePrekeyHighWater: this.oneTimePrekeyHighWater });
  }

  private table(name: TableName): Map<string, string> {
    let rows = this.tables.get(name);
    if (!rows) {
      rows = new Map();
      this.tables.set(name, rows);
    }
    return rows;
  }

  private async read<T>(name: TableName, key: string): Promise<T | undefined> {
    const json = this.tables.get(name)?.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  private async readAll<T>(name: TableName): Promise<T[]> {
    return [...(this.tables.get(name)?.values() ?? [])].map((json) => JSON.parse(json) as T);
  }

  getIdentity(): Promise<IdentityRecord | undefined> {
    return this.read('identity', 'self');
  }

  getSignedPrekey(keyId: number): Promise<SignedPrekeyRecord | undefined> {
    return this.read('signedPrekeys', String(keyId));
  }

  listSignedPrekeys(): Promise<SignedPrekeyRecord[]> {
    return this.readAll('signedPrekeys');
  }

  getOneTimePrekey(keyId: number): Promise<OneTimePrekeyRecord | undefined> {
    return this.read('oneTimePrekeys', String(keyId));
  }

  async highestOneTimePrekeyId(): Promise<number> {
    return this.oneTimePrekeyHighWater;
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
    return this.read('receiverChains', receiverChainKey(channelId, senderId, chainId));
  }

  async listReceiverChains(channelId: string, senderId: string): Promise<ReceiverChainRecord[]> {
    const all = await this.readAll<ReceiverChainRecord>('receiverChains');
    return all.filter((chain) => chain.channelId === channelId && chain.senderId === senderId);
  }

  getPlaintext(messageId: string, ciphertextHash: string): Promise<PlaintextRecord | undefined> {
    return this.read('plaintexts', JSON.stringify([messageId, ciphertextHash]));
  }

  async commit(writes: readonly StoreWrite[]): Promise<void> {
    const failure = this.pendingFailure;
    this.pendingFailure = null;
    if (failure) throw failure;
    // Serialise everything first: a value that cannot be stored fails the commit before any change.
    const prepared = writes.map((write) => ({
      write,
      key: recordKey(write),
      json: write.op === 'put' ? JSON.stringify(write.value) : null,
    }));
    for (const { write, key, json } of prepared) {
      if (json === null) this.table(write.store).delete(key);
      else this.table(write.store).set(key, json);
      if (write.op === 'put' && write.store === 'oneTimePrekeys') {
        this.oneTimePrekeyHighWater = Math.max(this.oneTimePrekeyHighWater, write.value.keyId);
      }
    }
  }
}
