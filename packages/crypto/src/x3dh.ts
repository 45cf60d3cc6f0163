import { concatBytes } from './bytes.js';
import { CryptoError } from './errors.js';
import {
  generateX25519KeyPair,
  type IdentityKeyPair,
  identityToX25519Public,
  identityToX25519Secret,
  isValidIdentityKey,
  SIGNATURE_LENGTH,
  verifySignedPrekey,
  type X25519KeyPair,
} from './identity.js';
import { readBytes, readOptional, readU32, requireObject } from './json-fields.js';
import { x3dhKdf } from './kdf.js';
import { KEY_LENGTH, x25519SharedSecret } from './primitives.js';

export interface PreKeyBundle {
  identityKey: Uint8Array;
  signedPrekey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  oneTimePrekey: { keyId: number; publicKey: Uint8Array } | null;
}

/** The `x3dh` block of the first DM envelope (spec §7.1). */
export interface X3dhHeader {
  identityKey: Uint8Array;
  ephemeralKey: Uint8Array;
  signedPrekeyId: number;
  oneTimePrekeyId: number | null;
}

export interface X3dhInitiation {
  sharedSecret: Uint8Array;
  /** IK_A ‖ IK_B; upstream computes but never uses it (spec §4 step 6). */
  associatedData: Uint8Array;
  header: X3dhHeader;
}

/** Parses the body of GET /api/keys/{id}/bundle (spec §3.4). */
export function parseBundle(json: unknown): PreKeyBundle {
  const bundle = requireObject(json, 'bundle');
  const identityKey = readBytes(bundle, 'identity_key', KEY_LENGTH);
  if (!isValidIdentityKey(identityKey)) throw new CryptoError('invalid_key', 'invalid identity key');
  const signed = requireObject(bundle.signed_prekey, 'signed_prekey');
  return {
    identityKey,
    signedPrekey: {
      keyId: readU32(signed, 'key_id'),
      publicKey: readBytes(signed, 'public_key', KEY_LENGTH),
      signature: readBytes(signed, 'signature', SIGNATURE_LENGTH),
    },
    oneTimePrekey: readOptional(bundle, 'one_time_prekey', (value) => {
      const oneTime = requireObject(value, 'one_time_prekey');
      return { keyId: readU32(oneTime, 'key_id'), publicKey: readBytes(oneTime, 'public_key', KEY_LENGTH) };
    }),
  };
}

export function x3dhInitiate(
  identity: IdentityKeyPair,
  bundle: PreKeyBundle,
  options: { ephemeral?: X25519KeyPair } = {},
): X3dhInitiation {
  const { signedPrekey, oneTimePrekey } = bundle;
  if (!verifySignedPrekey(bundle.identityKey, signedPrekey.publicKey, signedPrekey.signature)) {
    throw new CryptoError('bad_signature', 'signed prekey signature verification failed');
  }
  const ephemeral = options.ephemeral ?? generateX25519KeyPair();
  const dhOutputs = [
    x25519SharedSecret(identityToX25519Secret(identity.seed), signedPrekey.publicKey),
    x25519SharedSecret(ephemeral.privateKey, identityToX25519Public(bundle.identityKey)),
    x25519SharedSecret(ephemeral.privateKey, signedPrekey.publicKey),
  ];
  if (oneTimePrekey) dhOutputs.push(x25519SharedSecret(ephemeral.privateKey, oneTimePrekey.publicKey));
  return {
    sharedSecret: x3dhKdf(dhOutputs),
    associatedData: concatBytes(identity.publicKey, bundle.identityKey),
    header: {
      identityKey: identity.publicKey.slice(),
      ephemeralKey: ephemeral.publicKey.slice(),
      signedPrekeyId: signedPrekey.keyId,
      oneTimePrekeyId: oneTimePrekey?.keyId ?? null,
    },
  };
}

/**
 * Responder side; returns the shared secret. Unlike upstream, a header that names a one-time prekey
 * the caller could not supply (or vice versa) fails explicitly instead of silently dropping DH4 (§14.2).
 */
export function x3dhRespond(
  identity: IdentityKeyPair,
  signedPrekey: X25519KeyPair,
  oneTimePrekey: X25519KeyPair | null,
  header: X3dhHeader,
): Uint8Array {
  if ((header.oneTimePrekeyId === null) !== (oneTimePrekey === null)) {
    throw new CryptoError('unknown_prekey', 'one-time prekey does not match the X3DH header');
  }
  const theirIdentity = identityToX25519Public(header.identityKey);
  const dhOutputs = [
    x25519SharedSecret(signedPrekey.privateKey, theirIdentity),
    x25519SharedSecret(identityToX25519Secret(identity.seed), header.ephemeralKey),
    x25519SharedSecret(signedPrekey.privateKey, header.ephemeralKey),
  ];
  if (oneTimePrekey) dhOutputs.push(x25519SharedSecret(oneTimePrekey.privateKey, header.ephemeralKey));
  return x3dhKdf(dhOutputs);
}
