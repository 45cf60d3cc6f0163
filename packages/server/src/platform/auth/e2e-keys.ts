import { createPublicKey, verify } from 'node:crypto';
import { AppError } from '../errors.js';

/** DER prefix of an SPKI-wrapped Ed25519 public key; the raw 32 bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Checks that `signature` is the identity key's Ed25519 signature of the signed prekey's public key. */
export function verifySignedPrekey(identityKey: Buffer, prekey: Buffer, signature: Buffer): void {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, identityKey]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    throw new AppError('validation_error', 'invalid identity key');
  }
  let valid = false;
  try {
    valid = verify(null, prekey, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AppError('validation_error', 'signed prekey signature verification failed');
}

export function requireLength(bytes: number[], length: number, message: string): Buffer {
  if (bytes.length !== length) throw new AppError('validation_error', message);
  return Buffer.from(bytes);
}
