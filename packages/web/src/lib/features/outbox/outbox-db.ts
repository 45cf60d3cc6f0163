import type { StoredItem } from './outbox-types';

export const OUTBOX_DATABASE = 'chatalot-outbox';
const STORE = 'items';

/** Where unsent messages wait across reloads. */
export interface OutboxStore {
  /** The user's items, oldest first. */
  load(userId: string): Promise<StoredItem[]>;
  put(item: StoredItem): Promise<void>;
  delete(clientId: string): Promise<void>;
  close(): void;
}

/** IndexedDB `chatalot-outbox`: one store keyed by `clientId`. */
export class IdbOutboxStore implements OutboxStore {
  #db: Promise<IDBDatabase> | null = null;

  async load(userId: string): Promise<StoredItem[]> {
    const all = await this.#run<StoredItem[]>('readonly', (store) => store.getAll());
    return all
      .filter((item) => item.userId === userId)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async put(item: StoredItem): Promise<void> {
    await this.#run('readwrite', (store) => store.put(item));
  }

  async delete(clientId: string): Promise<void> {
    await this.#run('readwrite', (store) => store.delete(clientId));
  }

  close(): void {
    const db = this.#db;
    this.#db = null;
    db?.then((open) => open.close()).catch(() => undefined);
  }

  /** Runs one request in its own transaction; resolves once the transaction committed. */
  async #run<T>(mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.#open();
    return new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const pending = request(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(pending.result as T);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(OUTBOX_DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'clientId' });
      request.onsuccess = () => {
        const db = request.result;
        // Sign-out deletes the database; it can only go once every tab has let go of it.
        db.onversionchange = () => {
          db.close();
          this.#db = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
    this.#db.catch(() => {
      this.#db = null;
    });
    return this.#db;
  }
}
