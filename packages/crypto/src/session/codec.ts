import { fromBase64, toBase64 } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { type IdentityKeyPair, identityFromSeed, type X25519KeyPair } from '../identity.js';
import type { X3dhHeader } from '../x3dh.js';
import type { CryptoStore, X3dhHeaderRecord } from './store.js';

/** Conversions between the core's byte-based types and the store's JSON records. */

export function keyPairFromRecord(record: { privateKey: string; publicKey: string }): X25519KeyPair {
  return { privateKey: fromBase64(record.privateKey), publicKey: fromBase64(record.publicKey) };
}

export function keyPairToRecord(keyPair: X25519KeyPair): { privateKey: string; publicKey: string } {
  return { privateKey: toBase64(keyPair.privateKey), publicKey: toBase64(keyPair.publicKey) };
}

export function x3dhHeaderToRecord(header: X3dhHeader): X3dhHeaderRecord {
  return {
    identityKey: toBase64(header.identityKey),
    ephemeralKey: toBase64(header.ephemeralKey),
    signedPrekeyId: header.signedPrekeyId,
    oneTimePrekeyId: header.oneTimePrekeyId,
  };
}

export function x3dhHeaderFromRecord(record: X3dhHeaderRecord): X3dhHeader {
  return {
    identityKey: fromBase64(record.identityKey),
    ephemeralKey: fromBase64(record.ephemeralKey),
    signedPrekeyId: record.signedPrekeyId,
    oneTimePrekeyId: record.oneTimePrekeyId,
  };
}

export async function loadIdentity(store: CryptoStore): Promise<IdentityKeyPair> {
  const record = await store.getIdentity();
  if (!record) throw new CryptoError('invalid_key', 'no identity key: register first');
  return identityFromSeed(fromBase64(record.seed));
}
