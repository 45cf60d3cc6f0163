import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  aeadEncrypt,
  decodeEnvelope,
  encodeDmEnvelope,
  fingerprint,
  headerAad,
  identityFromSeed,
  identityToX25519Public,
  identityToX25519Secret,
  initInitiator,
  initResponder,
  kdfChainKey,
  kdfRootKey,
  type PreKeyBundle,
  ratchetDecrypt,
  ratchetEncrypt,
  safetyNumber,
  senderKeyAad,
  senderKeyAdvance,
  senderKeyDecrypt,
  senderKeyEncrypt,
  signPrekey,
  toHex,
  utf8Decode,
  utf8Encode,
  verifySignedPrekey,
  x3dhInitiate,
  x3dhKdf,
  x3dhRespond,
  x25519KeyPairFromPrivate,
  x25519SharedSecret,
} from '../src/index.js';
import vectors from '../vectors/spec-13.json' with { type: 'json' };
import { hex } from './helpers.js';

describe('spec §13.1 (verified against upstream)', () => {
  it('KDF_CK', () => {
    const step = kdfChainKey(hex(vectors.kdfChainKey.chainKey));
    expect(toHex(step.messageKey)).toBe(vectors.kdfChainKey.messageKey);
    expect(toHex(step.chainKey)).toBe(vectors.kdfChainKey.nextChainKey);
  });

  it('sender-key advance', () => {
    const step = senderKeyAdvance(hex(vectors.senderKeyAdvance.chainKey));
    expect(toHex(step.messageKey)).toBe(vectors.senderKeyAdvance.messageKey);
    expect(toHex(step.chainKey)).toBe(vectors.senderKeyAdvance.nextChainKey);
  });

  it('KDF_RK', () => {
    const { rootKey, dhOutput, nextRootKey, chainKey } = vectors.kdfRootKey;
    const result = kdfRootKey(hex(rootKey), hex(dhOutput));
    expect(toHex(result.rootKey)).toBe(nextRootKey);
    expect(toHex(result.chainKey)).toBe(chainKey);
  });

  it('X3DH HKDF', () => {
    expect(toHex(x3dhKdf(vectors.x3dhKdf.dhOutputs.map(hex)))).toBe(vectors.x3dhKdf.sharedSecret);
  });

  it('header AAD', () => {
    const { ratchetKey, previousChainLength, messageNumber, aad } = vectors.headerAad;
    expect(utf8Decode(headerAad({ ratchetKey: hex(ratchetKey), previousChainLength, messageNumber }))).toBe(
      aad,
    );
  });
});

describe('spec §13.2 identities', () => {
  const a = identityFromSeed(hex(vectors.identityA.seed));
  const b = identityFromSeed(hex(vectors.identityB.seed));

  it('derives public keys, Montgomery forms and fingerprints', () => {
    expect(toHex(a.publicKey)).toBe(vectors.identityA.publicKey);
    expect(toHex(b.publicKey)).toBe(vectors.identityB.publicKey);
    expect(toHex(identityToX25519Public(a.publicKey))).toBe(vectors.identityA.montgomeryPublic);
    expect(fingerprint(a.publicKey)).toBe(vectors.identityA.fingerprint);
  });

  it('derives the clamped X25519 secret, equivalent to the unclamped SHA-512 head', () => {
    const clamped = identityToX25519Secret(a.seed);
    const unclamped = sha512(a.seed).slice(0, 32);
    expect(toHex(clamped)).toBe(vectors.identityA.x25519SecretClamped);
    expect(toHex(unclamped).startsWith(vectors.identityA.x25519SecretUnclampedPrefix)).toBe(true);
    expect(toHex(unclamped).endsWith(vectors.identityA.x25519SecretUnclampedSuffix)).toBe(true);
    const montgomeryPublic = hex(vectors.identityA.montgomeryPublic);
    expect(x25519KeyPairFromPrivate(clamped).publicKey).toEqual(montgomeryPublic);
    expect(x25519KeyPairFromPrivate(unclamped).publicKey).toEqual(montgomeryPublic);
  });

  it('computes the safety number in both orders', () => {
    expect(safetyNumber(a.publicKey, b.publicKey)).toBe(vectors.safetyNumberAB);
    expect(safetyNumber(b.publicKey, a.publicKey)).toBe(vectors.safetyNumberAB);
  });
});

describe('spec §13.2 X3DH and the first Double Ratchet message', () => {
  const v = vectors.x3dh;
  const alice = identityFromSeed(hex(vectors.identityA.seed));
  const bob = identityFromSeed(hex(vectors.identityB.seed));
  const signedPrekey = x25519KeyPairFromPrivate(hex(v.signedPrekeyPrivate));
  const oneTimePrekey = x25519KeyPairFromPrivate(hex(v.oneTimePrekeyPrivate));
  const ephemeral = x25519KeyPairFromPrivate(hex(v.ephemeralPrivate));
  const bundle = (withOneTime: boolean): PreKeyBundle => ({
    identityKey: bob.publicKey,
    signedPrekey: { keyId: 1, publicKey: signedPrekey.publicKey, signature: hex(v.signedPrekeySignature) },
    oneTimePrekey: withOneTime ? { keyId: 1, publicKey: oneTimePrekey.publicKey } : null,
  });

  it('derives prekey publics and the deterministic SPK signature', () => {
    expect(toHex(signedPrekey.publicKey)).toBe(v.signedPrekeyPublic);
    expect(toHex(oneTimePrekey.publicKey)).toBe(v.oneTimePrekeyPublic);
    expect(toHex(ephemeral.publicKey)).toBe(v.ephemeralPublic);
    expect(toHex(signPrekey(bob, signedPrekey.publicKey))).toBe(v.signedPrekeySignature);
    expect(verifySignedPrekey(bob.publicKey, signedPrekey.publicKey, hex(v.signedPrekeySignature))).toBe(
      true,
    );
  });

  it.each([
    [true, v.sharedSecretWithOneTimePrekey],
    [false, v.sharedSecretWithoutOneTimePrekey],
  ])('agrees on SK (one-time prekey: %s) on both sides', (withOneTime, expected) => {
    const initiation = x3dhInitiate(alice, bundle(withOneTime), { ephemeral });
    expect(toHex(initiation.sharedSecret)).toBe(expected);
    expect(toHex(initiation.associatedData)).toBe(vectors.identityA.publicKey + vectors.identityB.publicKey);
    const responderSecret = x3dhRespond(
      bob,
      signedPrekey,
      withOneTime ? oneTimePrekey : null,
      initiation.header,
    );
    expect(toHex(responderSecret)).toBe(expected);
  });

  const m = vectors.firstMessage;
  const ratchetKeyPair = x25519KeyPairFromPrivate(hex(m.ratchetPrivate));

  it('initialises the initiator ratchet and derives message 0', () => {
    expect(toHex(ratchetKeyPair.publicKey)).toBe(m.ratchetPublic);
    const sharedSecret = hex(v.sharedSecretWithOneTimePrekey);
    const manual = kdfRootKey(
      sharedSecret,
      x25519SharedSecret(ratchetKeyPair.privateKey, signedPrekey.publicKey),
    );
    const session = initInitiator(sharedSecret, signedPrekey.publicKey, { ratchetKeyPair });
    expect(toHex(session.rootKey)).toBe(m.rootKey);
    expect(toHex(manual.rootKey)).toBe(m.rootKey);
    expect(toHex(session.sendingChainKey as Uint8Array)).toBe(m.sendingChainKey);
    const step = kdfChainKey(session.sendingChainKey as Uint8Array);
    expect(toHex(step.messageKey)).toBe(m.messageKey);
    expect(toHex(step.chainKey)).toBe(m.nextChainKey);
    const { session: next, message } = ratchetEncrypt(session, utf8Encode(m.plaintext), {
      nonce: hex(m.nonce),
    });
    expect(toHex(message.ciphertext)).toBe(m.ciphertext);
    expect(toHex(next.sendingChainKey as Uint8Array)).toBe(m.nextChainKey);
    const aad = headerAad(message.header);
    expect(aeadEncrypt(step.messageKey, hex(m.nonce), aad, utf8Encode(m.plaintext))).toEqual(
      message.ciphertext,
    );
  });

  it('produces the 628-byte envelope byte for byte, which the responder decrypts', () => {
    const initiation = x3dhInitiate(alice, bundle(true), { ephemeral });
    const session = initInitiator(initiation.sharedSecret, signedPrekey.publicKey, { ratchetKeyPair });
    const { message } = ratchetEncrypt(session, utf8Encode(m.plaintext), { nonce: hex(m.nonce) });
    const envelope = encodeDmEnvelope({ x3dh: initiation.header, message });
    expect(envelope.length).toBe(m.envelopeLength);
    expect(envelope).toEqual(utf8Encode(m.envelope));

    const decoded = decodeEnvelope(utf8Encode(m.envelope));
    if (decoded.kind !== 'dm' || decoded.x3dh === null) throw new Error(`unexpected ${decoded.kind}`);
    const secret = x3dhRespond(bob, signedPrekey, oneTimePrekey, decoded.x3dh);
    const { plaintext } = ratchetDecrypt(initResponder(secret, signedPrekey), decoded.message);
    expect(utf8Decode(plaintext)).toBe(m.plaintext);
  });
});

describe('spec §13.2 sender keys', () => {
  const s = vectors.senderKeyMessages;
  const initial = { chainId: s.chainId, chainKey: hex(s.chainKey), iteration: 0, senderId: utf8Encode('a') };

  it('encrypts iterations 0 and 1 and the receiver decrypts them', () => {
    let state = initial;
    let receiver = { ...initial, cachedKeys: new Map() };
    for (const expected of s.messages) {
      expect(toHex(senderKeyAad(s.chainId, expected.iteration))).toBe(expected.aad);
      const result = senderKeyEncrypt(state, utf8Encode(s.plaintext), { nonce: hex(s.nonce) });
      expect(result.message.iteration).toBe(expected.iteration);
      expect(toHex(result.message.ciphertext)).toBe(expected.ciphertext);
      state = result.state;
      const decrypted = senderKeyDecrypt(receiver, result.message);
      expect(utf8Decode(decrypted.plaintext)).toBe(s.plaintext);
      receiver = decrypted.state;
    }
    expect(toHex(senderKeyAdvance(senderKeyAdvance(initial.chainKey).chainKey).messageKey)).toBe(
      s.messages[1]?.messageKey,
    );
  });
});
