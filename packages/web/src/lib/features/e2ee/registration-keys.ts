import { KeyManager, MemoryCryptoStore, type RegistrationBody, type StoreWrite } from '@chatalot/crypto';
import type { IdbCryptoStore } from './idb-crypto-store';

/**
 * Keys for `POST /api/auth/register`, made before the account (and so its database) exists. They are held
 * in memory and move into the new account's store when `e2ee.open` follows the server's answer.
 */
export interface RegistrationKeys {
  body: RegistrationBody;
  createdAt: number;
  store: MemoryCryptoStore;
}

/** Clocks of browser and server may disagree a little. */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function makeRegistrationKeys(now: () => number): Promise<RegistrationKeys> {
  const store = new MemoryCryptoStore();
  const body = await new KeyManager({ store, now }).register();
  return { body, createdAt: now(), store };
}

/**
 * Whether `userId` can be the account these keys were made for. Account ids are UUIDv7, whose first 48
 * bits are the creation time: an account that existed before the keys (a failed registration followed by
 * signing in to another account) must not receive them, or its local identity would differ from the
 * server's. Ids of another kind give no answer, and are accepted.
 */
export function madeFor(keys: RegistrationKeys, userId: string): boolean {
  const hex = userId.replaceAll('-', '');
  if (hex.length !== 32 || hex[12] !== '7') return true;
  const createdAt = Number.parseInt(hex.slice(0, 12), 16);
  return createdAt >= keys.createdAt - CLOCK_SKEW_MS;
}

/** Copies the keys into the account's store in one commit; the server already has them. */
export async function adoptRegistrationKeys(keys: RegistrationKeys, target: IdbCryptoStore): Promise<void> {
  const { store } = keys;
  const identity = await store.getIdentity();
  if (!identity) throw new Error('registration keys without an identity');
  const writes: StoreWrite[] = [{ op: 'put', store: 'identity', value: identity }];
  for (const value of await store.listSignedPrekeys())
    writes.push({ op: 'put', store: 'signedPrekeys', value });
  const highest = await store.highestOneTimePrekeyId();
  for (let keyId = 1; keyId <= highest; keyId++) {
    const value = await store.getOneTimePrekey(keyId);
    if (value) writes.push({ op: 'put', store: 'oneTimePrekeys', value });
  }
  await target.commit(writes);
  await target.setRegisteredIdentity(identity.publicKey);
}
