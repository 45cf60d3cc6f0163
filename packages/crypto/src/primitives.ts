import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { utf8Encode } from './bytes.js';
import { CryptoError } from './errors.js';

export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;

/** HKDF-SHA-256 (RFC 5869). Note the argument order: input key material before salt. */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: string | Uint8Array,
  length: number,
): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, typeof info === 'string' ? utf8Encode(info) : info, length);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function randomBytes(length: number): Uint8Array {
  return nobleRandomBytes(length);
}

function checkAeadParameters(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_LENGTH) throw new CryptoError('invalid_key', 'AEAD key must be 32 bytes');
  if (nonce.length !== NONCE_LENGTH) throw new CryptoError('invalid_encoding', 'nonce must be 12 bytes');
}

/** ChaCha20-Poly1305 (RFC 8439); returns ciphertext ‖ 16-byte tag. */
export function aeadEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  checkAeadParameters(key, nonce);
  return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

export function aeadDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  checkAeadParameters(key, nonce);
  try {
    return chacha20poly1305(key, nonce, aad).decrypt(ciphertext);
  } catch {
    throw new CryptoError('decrypt_failed', 'decryption failed');
  }
}

/**
 * X25519 (RFC 7748). Unlike upstream's dalek, an all-zero result (a low-order peer key) is rejected;
 * honest peers never send such keys.
 */
export function x25519SharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (privateKey.length !== KEY_LENGTH || publicKey.length !== KEY_LENGTH) {
    throw new CryptoError('invalid_key', 'X25519 keys must be 32 bytes');
  }
  try {
    return x25519.getSharedSecret(privateKey, publicKey);
  } catch {
    throw new CryptoError('invalid_key', 'X25519 produced a low-order result');
  }
}
