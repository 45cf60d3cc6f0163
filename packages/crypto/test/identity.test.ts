import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  generateIdentity,
  generateOneTimePrekeys,
  generateSignedPrekey,
  identityFromSeed,
  identityToX25519Public,
  identityToX25519Secret,
  isValidIdentityKey,
  safetyNumber,
  toHex,
  verifySignedPrekey,
  x25519KeyPairFromPrivate,
  x25519SharedSecret,
} from '../src/index.js';
import { expectCryptoError, hex } from './helpers.js';

const P = 2n ** 255n - 19n;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** u = (1 + y) / (1 − y) mod p, computed independently of noble's conversion. */
function montgomeryU(edPublic: Uint8Array): string {
  const littleEndian = [...edPublic].reverse().map((byte) => byte.toString(16).padStart(2, '0'));
  const y = BigInt(`0x${littleEndian.join('')}`) & ((1n << 255n) - 1n);
  const u = (((1n + y) % P) * modPow((1n - y + P) % P, P - 2n)) % P;
  const bigEndianHex = u.toString(16).padStart(64, '0');
  return toHex(hex(bigEndianHex).reverse());
}

describe('Ed25519 → X25519 conversion', () => {
  it('matches u = (1 + y) / (1 − y) for random identities', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const identity = identityFromSeed(seed);
        expect(toHex(identityToX25519Public(identity.publicKey))).toBe(montgomeryU(identity.publicKey));
      }),
      { numRuns: 50 },
    );
  });

  it('converts the secret so that its X25519 public key is the converted public key', () => {
    const identity = generateIdentity();
    const secret = identityToX25519Secret(identity.seed);
    expect(x25519KeyPairFromPrivate(secret).publicKey).toEqual(identityToX25519Public(identity.publicKey));
  });

  it('gives both parties the same DH from converted identities', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    expect(x25519SharedSecret(identityToX25519Secret(a.seed), identityToX25519Public(b.publicKey))).toEqual(
      x25519SharedSecret(identityToX25519Secret(b.seed), identityToX25519Public(a.publicKey)),
    );
  });
});

describe('identity key validity', () => {
  it('accepts real keys and rejects small-order, non-canonical, off-curve and wrong-size keys', () => {
    expect(isValidIdentityKey(generateIdentity().publicKey)).toBe(true);
    expect(isValidIdentityKey(ed25519.Point.ZERO.toBytes())).toBe(false);
    expect(isValidIdentityKey(hex(`ec${'ff'.repeat(30)}7f`))).toBe(false); // y = p, non-canonical
    expect(isValidIdentityKey(hex(`02${'00'.repeat(31)}`))).toBe(false); // y = 2 is not on the curve
    expect(isValidIdentityKey(new Uint8Array(31))).toBe(false);
    expectCryptoError(() => identityToX25519Public(new Uint8Array(32)), 'invalid_key');
  });

  it('rejects wrong-size seeds and private keys', () => {
    expectCryptoError(() => identityFromSeed(new Uint8Array(31)), 'invalid_key');
    expectCryptoError(() => identityToX25519Secret(new Uint8Array(64)), 'invalid_key');
    expectCryptoError(() => x25519KeyPairFromPrivate(new Uint8Array(33)), 'invalid_key');
  });

  it('copies the seed, so later changes to the input do not alter the identity', () => {
    const seed = new Uint8Array(32).fill(9);
    const identity = identityFromSeed(seed);
    seed.fill(0);
    expect(identity.seed).toEqual(new Uint8Array(32).fill(9));
  });
});

describe('prekeys', () => {
  it('signs the signed prekey and rejects tampering or the wrong identity', () => {
    const identity = generateIdentity();
    const prekey = generateSignedPrekey(identity, 1);
    const { publicKey } = prekey.keyPair;
    expect(prekey.keyId).toBe(1);
    expect(verifySignedPrekey(identity.publicKey, publicKey, prekey.signature)).toBe(true);
    const flippedSignature = prekey.signature.map((byte, i) => (i === 10 ? byte ^ 1 : byte));
    expect(verifySignedPrekey(identity.publicKey, publicKey, flippedSignature)).toBe(false);
    const otherPrekey = publicKey.map((byte, i) => (i === 0 ? byte ^ 1 : byte));
    expect(verifySignedPrekey(identity.publicKey, otherPrekey, prekey.signature)).toBe(false);
    expect(verifySignedPrekey(generateIdentity().publicKey, publicKey, prekey.signature)).toBe(false);
    expect(verifySignedPrekey(identity.publicKey, publicKey, prekey.signature.slice(0, 63))).toBe(false);
    expect(verifySignedPrekey(new Uint8Array(32), publicKey, prekey.signature)).toBe(false);
  });

  it('generates consecutive one-time prekeys with distinct keys', () => {
    const prekeys = generateOneTimePrekeys(101, 3);
    expect(prekeys.map((prekey) => prekey.keyId)).toEqual([101, 102, 103]);
    expect(new Set(prekeys.map((prekey) => toHex(prekey.keyPair.publicKey))).size).toBe(3);
  });
});

describe('fingerprints and safety numbers', () => {
  it('formats eight 5-digit groups and is symmetric', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const number = safetyNumber(a, b);
          expect(number).toMatch(/^\d{5}( \d{5}){7}$/);
          expect(safetyNumber(b, a)).toBe(number);
        },
      ),
    );
  });

  it('fingerprints as lowercase hex SHA-256 and rejects wrong sizes', () => {
    expect(fingerprint(new Uint8Array(32))).toBe(
      '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925',
    );
    expectCryptoError(() => fingerprint(new Uint8Array(33)), 'invalid_key');
    expectCryptoError(() => safetyNumber(new Uint8Array(32), new Uint8Array(3)), 'invalid_key');
  });
});
