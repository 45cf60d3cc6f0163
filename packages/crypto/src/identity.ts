import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { CryptoError } from './errors.js';
import { KEY_LENGTH, randomBytes } from './primitives.js';

export const SIGNATURE_LENGTH = 64;

/** Ed25519 identity: the 32-byte seed is the secret, as upstream stores it. */
export interface IdentityKeyPair {
  seed: Uint8Array;
  publicKey: Uint8Array;
}

export interface X25519KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface SignedPrekey {
  keyId: number;
  keyPair: X25519KeyPair;
  signature: Uint8Array;
}

export interface OneTimePrekey {
  keyId: number;
  keyPair: X25519KeyPair;
}

function requireKeyLength(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new CryptoError('invalid_key', `${what} must be 32 bytes`);
  }
}

export function identityFromSeed(seed: Uint8Array): IdentityKeyPair {
  requireKeyLength(seed, 'identity seed');
  return { seed: seed.slice(), publicKey: ed25519.getPublicKey(seed) };
}

export function generateIdentity(): IdentityKeyPair {
  return identityFromSeed(randomBytes(KEY_LENGTH));
}

/** Accepts any 32 bytes (clamped or not): X25519 clamps the scalar itself. */
export function x25519KeyPairFromPrivate(privateKey: Uint8Array): X25519KeyPair {
  requireKeyLength(privateKey, 'X25519 private key');
  return { privateKey: privateKey.slice(), publicKey: x25519.getPublicKey(privateKey) };
}

export function generateX25519KeyPair(): X25519KeyPair {
  return x25519KeyPairFromPrivate(randomBytes(KEY_LENGTH));
}

/** Ed25519 signature over the raw 32-byte prekey public key (no type prefix, spec §3.1). */
export function signPrekey(identity: IdentityKeyPair, prekeyPublic: Uint8Array): Uint8Array {
  requireKeyLength(prekeyPublic, 'prekey public key');
  return ed25519.sign(prekeyPublic, identity.seed);
}

export function generateSignedPrekey(identity: IdentityKeyPair, keyId: number): SignedPrekey {
  const keyPair = generateX25519KeyPair();
  return { keyId, keyPair, signature: signPrekey(identity, keyPair.publicKey) };
}

export function generateOneTimePrekeys(firstKeyId: number, count: number): OneTimePrekey[] {
  return Array.from({ length: count }, (_, index) => ({
    keyId: firstKeyId + index,
    keyPair: generateX25519KeyPair(),
  }));
}

/** Strict RFC 8032 verification (not ZIP-215); never throws. */
export function verifySignedPrekey(
  identityPublic: Uint8Array,
  prekeyPublic: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!isValidIdentityKey(identityPublic) || prekeyPublic.length !== KEY_LENGTH) return false;
  if (signature.length !== SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(signature, prekeyPublic, identityPublic, { zip215: false });
  } catch {
    return false;
  }
}

/** A canonical encoding of an Ed25519 point that is not of small order. */
export function isValidIdentityKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_LENGTH) return false;
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

/** Montgomery u-coordinate of the identity point: u = (1 + y) / (1 − y) (spec §3.2). */
export function identityToX25519Public(edPublic: Uint8Array): Uint8Array {
  if (!isValidIdentityKey(edPublic)) throw new CryptoError('invalid_key', 'invalid identity key');
  return ed25519.utils.toMontgomery(edPublic);
}

/** Clamped head of SHA-512(seed); X25519 clamps anyway, so upstream's unclamped form is equivalent. */
export function identityToX25519Secret(seed: Uint8Array): Uint8Array {
  requireKeyLength(seed, 'identity seed');
  return ed25519.utils.toMontgomerySecret(seed);
}
