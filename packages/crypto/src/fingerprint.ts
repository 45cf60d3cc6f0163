import { concatBytes, toHex } from './bytes.js';
import { CryptoError } from './errors.js';
import { KEY_LENGTH, sha256 } from './primitives.js';

function requireIdentityKey(publicKey: Uint8Array): void {
  if (publicKey.length !== KEY_LENGTH) throw new CryptoError('invalid_key', 'identity key must be 32 bytes');
}

/** Lowercase hex SHA-256 of the Ed25519 public key, as the server stores it (spec §8). */
export function fingerprint(identityPublic: Uint8Array): string {
  requireIdentityKey(identityPublic);
  return toHex(sha256(identityPublic));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Eight 5-digit groups from SHA-256(smaller key ‖ larger key); symmetric in a and b (spec §8). */
export function safetyNumber(a: Uint8Array, b: Uint8Array): string {
  requireIdentityKey(a);
  requireIdentityKey(b);
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const hash = sha256(concatBytes(first, second));
  const view = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  return Array.from({ length: 8 }, (_, chunk) =>
    String(view.getUint32(4 * chunk) % 100_000).padStart(5, '0'),
  ).join(' ');
}
