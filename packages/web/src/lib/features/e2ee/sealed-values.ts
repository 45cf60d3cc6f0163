/**
 * At-rest protection for the crypto store's records: AES-GCM under a key that WebCrypto generated as
 * non-extractable. IndexedDB keeps the CryptoKey object itself (structured clone preserves
 * `extractable: false`), so script on the page can use the key but never read its bytes, and a copy of
 * the database files alone does not reveal the records.
 */

export interface SealedValue {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function createWrappingKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** `slot` names where the record lives; it is authenticated, so a record moved to another slot fails. */
export async function seal(key: CryptoKey, slot: string, value: unknown): Promise<SealedValue> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = encoder.encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(slot) },
    key,
    plaintext,
  );
  return { iv, data };
}

export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError';
}

export async function unseal<T>(key: CryptoKey, slot: string, sealed: SealedValue): Promise<T> {
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv, additionalData: encoder.encode(slot) },
      key,
      sealed.data,
    );
  } catch {
    throw new UnreadableRecordError(`the stored record ${slot} could not be decrypted`);
  }
  return JSON.parse(decoder.decode(plaintext)) as T;
}
