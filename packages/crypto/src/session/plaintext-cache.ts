import { fromBase64, toBase64, toHex } from '../bytes.js';
import { sha256 } from '../primitives.js';
import type { CryptoStore, DecryptControl, StoreWrite } from './store.js';

/**
 * Plaintext of received (and own sent) messages, keyed by message id AND the hash of the envelope bytes:
 * re-reading history returns the cached text instead of failing as a duplicate, while an edit (same id,
 * new ciphertext) misses the cache and goes through the ratchet as it must. A record answers only in the
 * conversation it was read in, so the server cannot replay a message into another one.
 */
export interface CacheKey {
  messageId: string;
  conversation: string;
}

export interface CachedPlaintext {
  plaintext: Uint8Array;
  control: DecryptControl | null;
}

export const conversations = {
  dm: (peerId: string) => JSON.stringify(['dm', peerId]),
  channel: (channelId: string, senderId: string) => JSON.stringify(['channel', channelId, senderId]),
};

export function ciphertextHash(envelope: Uint8Array): string {
  return toHex(sha256(envelope));
}

export async function findCachedPlaintext(
  store: CryptoStore,
  key: CacheKey,
  envelope: Uint8Array,
): Promise<CachedPlaintext | undefined> {
  const record = await store.getPlaintext(key.messageId, ciphertextHash(envelope));
  if (record?.conversation !== key.conversation) return undefined;
  return { plaintext: fromBase64(record.plaintext), control: record.control };
}

export function plaintextWrite(
  key: CacheKey,
  envelope: Uint8Array,
  plaintext: Uint8Array,
  control: DecryptControl | null = null,
): StoreWrite {
  const value = { ...key, ciphertextHash: ciphertextHash(envelope), plaintext: toBase64(plaintext), control };
  return { op: 'put', store: 'plaintexts', value };
}
