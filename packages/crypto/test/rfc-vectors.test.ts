import * as nodeCrypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aeadDecrypt,
  aeadEncrypt,
  hkdfSha256,
  identityFromSeed,
  signPrekey,
  toHex,
  utf8Encode,
  verifySignedPrekey,
  x25519KeyPairFromPrivate,
  x25519SharedSecret,
} from '../src/index.js';
import vectors from '../vectors/rfc.json' with { type: 'json' };
import { expectCryptoError, hex } from './helpers.js';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

describe('RFC 7748 X25519 through x25519SharedSecret', () => {
  it.each(vectors.x25519_5_2)('§5.2 scalar $scalar', ({ scalar, u, output }) => {
    expect(toHex(x25519SharedSecret(hex(scalar), hex(u)))).toBe(output);
  });

  it('§5.2 iterated 1 and 1000 times', () => {
    let k = hex(vectors.x25519_iterated.start);
    let u = k;
    for (let i = 1; i <= 1000; i++) {
      [k, u] = [x25519SharedSecret(k, u), k];
      if (i === 1) expect(toHex(k)).toBe(vectors.x25519_iterated.after1);
    }
    expect(toHex(k)).toBe(vectors.x25519_iterated.after1000);
  });

  it('§6.1 Diffie-Hellman', () => {
    const v = vectors.x25519_6_1;
    expect(toHex(x25519KeyPairFromPrivate(hex(v.alicePrivate)).publicKey)).toBe(v.alicePublic);
    expect(toHex(x25519KeyPairFromPrivate(hex(v.bobPrivate)).publicKey)).toBe(v.bobPublic);
    expect(toHex(x25519SharedSecret(hex(v.alicePrivate), hex(v.bobPublic)))).toBe(v.shared);
    expect(toHex(x25519SharedSecret(hex(v.bobPrivate), hex(v.alicePublic)))).toBe(v.shared);
  });

  it('rejects a low-order peer key (all-zero shared secret) as invalid_key', () => {
    expectCryptoError(
      () => x25519SharedSecret(new Uint8Array(32).fill(1), new Uint8Array(32)),
      'invalid_key',
    );
  });

  it('agrees with node:crypto for random keys', () => {
    const pkcs8Prefix = hex('302e020100300506032b656e04220420');
    fc.assert(
      fc.property(bytes(32), bytes(32), (ours, theirs) => {
        const privateKey = nodeCrypto.createPrivateKey({
          key: Buffer.concat([pkcs8Prefix, ours]),
          format: 'der',
          type: 'pkcs8',
        });
        const theirPublic = x25519KeyPairFromPrivate(theirs).publicKey;
        const publicKey = nodeCrypto.createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(theirPublic).toString('base64url') },
          format: 'jwk',
        });
        const expected = nodeCrypto.diffieHellman({ privateKey, publicKey });
        expect(toHex(x25519SharedSecret(ours, theirPublic))).toBe(expected.toString('hex'));
      }),
      { numRuns: 25 },
    );
  });
});

describe('RFC 8032 Ed25519: keys through identityFromSeed, signatures as signPrekey makes them', () => {
  it.each(vectors.ed25519_7_1)('§7.1 public key $publicKey', ({ seed, publicKey, message, signature }) => {
    const identity = identityFromSeed(hex(seed));
    expect(toHex(identity.publicKey)).toBe(publicKey);
    expect(toHex(ed25519.sign(hex(message), identity.seed))).toBe(signature);
    expect(ed25519.verify(hex(signature), hex(message), identity.publicKey, { zip215: false })).toBe(true);
  });

  it('signs and verifies prekeys as node:crypto does', () => {
    const pkcs8Prefix = hex('302e020100300506032b657004220420');
    fc.assert(
      fc.property(bytes(32), bytes(32), (seed, prekey) => {
        const identity = identityFromSeed(seed);
        const privateKey = nodeCrypto.createPrivateKey({
          key: Buffer.concat([pkcs8Prefix, seed]),
          format: 'der',
          type: 'pkcs8',
        });
        const expected = nodeCrypto.sign(null, prekey, privateKey);
        expect(toHex(signPrekey(identity, prekey))).toBe(expected.toString('hex'));
        expect(verifySignedPrekey(identity.publicKey, prekey, expected)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe('RFC 8439 ChaCha20-Poly1305 through aeadEncrypt / aeadDecrypt', () => {
  const v = vectors.chacha20poly1305_2_8_2;

  it('§2.8.2 encrypts and decrypts', () => {
    const sealed = aeadEncrypt(hex(v.key), hex(v.nonce), hex(v.aad), utf8Encode(v.plaintext));
    expect(toHex(sealed)).toBe(v.ciphertext + v.tag);
    expect(aeadDecrypt(hex(v.key), hex(v.nonce), hex(v.aad), sealed)).toEqual(utf8Encode(v.plaintext));
  });

  it('rejects a modified tag, ciphertext or AAD as decrypt_failed', () => {
    const sealed = hex(v.ciphertext + v.tag);
    const flipped = (data: Uint8Array, index: number) =>
      data.map((byte, i) => (i === index ? byte ^ 1 : byte));
    expectCryptoError(
      () => aeadDecrypt(hex(v.key), hex(v.nonce), hex(v.aad), flipped(sealed, 0)),
      'decrypt_failed',
    );
    expectCryptoError(
      () => aeadDecrypt(hex(v.key), hex(v.nonce), hex(v.aad), flipped(sealed, sealed.length - 1)),
      'decrypt_failed',
    );
    expectCryptoError(
      () => aeadDecrypt(hex(v.key), hex(v.nonce), new Uint8Array(0), sealed),
      'decrypt_failed',
    );
    expectCryptoError(
      () => aeadDecrypt(hex(v.key), hex(v.nonce), hex(v.aad), sealed.slice(0, 15)),
      'decrypt_failed',
    );
  });

  it('rejects wrong key and nonce sizes', () => {
    expectCryptoError(
      () => aeadEncrypt(new Uint8Array(31), new Uint8Array(12), new Uint8Array(0), new Uint8Array(0)),
      'invalid_key',
    );
    expectCryptoError(
      () => aeadEncrypt(new Uint8Array(32), new Uint8Array(24), new Uint8Array(0), new Uint8Array(0)),
      'invalid_encoding',
    );
  });

  it('agrees with node:crypto for random inputs', () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(12),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, nonce, aad, plaintext) => {
          const cipher = nodeCrypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
          cipher.setAAD(aad, { plaintextLength: plaintext.length });
          const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
          expect(toHex(aeadEncrypt(key, nonce, aad, plaintext))).toBe(expected.toString('hex'));
          expect(aeadDecrypt(key, nonce, aad, expected)).toEqual(plaintext);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('RFC 5869 HKDF-SHA-256 through hkdfSha256', () => {
  it.each(vectors.hkdf_sha256)('$name', ({ ikm, salt, info, length, okm }) => {
    expect(toHex(hkdfSha256(hex(ikm), hex(salt), hex(info), length))).toBe(okm);
  });

  it('encodes string info as UTF-8, like node:crypto given the same bytes', () => {
    const ikm = hex('0b0b0b0b');
    const expected = Buffer.from(
      nodeCrypto.hkdfSync('sha256', ikm, new Uint8Array(32), 'chatalot-msg-key', 32),
    );
    expect(toHex(hkdfSha256(ikm, new Uint8Array(32), 'chatalot-msg-key', 32))).toBe(expected.toString('hex'));
  });
});
