import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  generateIdentity,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type OneTimePrekey,
  type PreKeyBundle,
  parseBundle,
  type SignedPrekey,
  toNumberArray,
  x3dhInitiate,
  x3dhRespond,
} from '../src/index.js';
import { expectCryptoError } from './helpers.js';

function bobKeys(): { identity: ReturnType<typeof generateIdentity>; spk: SignedPrekey; opk: OneTimePrekey } {
  const identity = generateIdentity();
  const [opk] = generateOneTimePrekeys(42, 1);
  if (!opk) throw new Error('no one-time prekey');
  return { identity, spk: generateSignedPrekey(identity, 1), opk };
}

function bundleJson(keys: ReturnType<typeof bobKeys>, withOneTime = true) {
  return {
    identity_key: toNumberArray(keys.identity.publicKey),
    signed_prekey: {
      key_id: keys.spk.keyId,
      public_key: toNumberArray(keys.spk.keyPair.publicKey),
      signature: toNumberArray(keys.spk.signature),
    },
    one_time_prekey: withOneTime
      ? { key_id: keys.opk.keyId, public_key: toNumberArray(keys.opk.keyPair.publicKey) }
      : null,
  };
}

describe('parseBundle', () => {
  it('reads the REST bundle shape, with or without a one-time prekey', () => {
    const keys = bobKeys();
    const bundle = parseBundle(bundleJson(keys));
    expect(bundle.identityKey).toEqual(keys.identity.publicKey);
    expect(bundle.signedPrekey).toEqual({
      keyId: 1,
      publicKey: keys.spk.keyPair.publicKey,
      signature: keys.spk.signature,
    });
    expect(bundle.oneTimePrekey).toEqual({ keyId: 42, publicKey: keys.opk.keyPair.publicKey });
    expect(parseBundle(bundleJson(keys, false)).oneTimePrekey).toBeNull();
    const { one_time_prekey: _, ...withoutField } = bundleJson(keys);
    expect(parseBundle(withoutField).oneTimePrekey).toBeNull();
  });

  it.each<[string, (json: ReturnType<typeof bundleJson>) => unknown]>([
    ['not an object', () => 'bundle'],
    ['an array', () => []],
    ['missing identity key', ({ identity_key: _, ...rest }) => rest],
    ['short identity key', (json) => ({ ...json, identity_key: json.identity_key.slice(1) })],
    ['missing signed prekey', ({ signed_prekey: _, ...rest }) => rest],
    ['null signed prekey', (json) => ({ ...json, signed_prekey: null })],
    ['negative key id', (json) => ({ ...json, signed_prekey: { ...json.signed_prekey, key_id: -1 } })],
    ['string key id', (json) => ({ ...json, signed_prekey: { ...json.signed_prekey, key_id: '1' } })],
    ['short signature', (json) => ({ ...json, signed_prekey: { ...json.signed_prekey, signature: [1] } })],
    [
      'byte 256 in the prekey',
      (json) => ({ ...json, signed_prekey: { ...json.signed_prekey, public_key: Array(32).fill(256) } }),
    ],
    ['one-time prekey as a number', (json) => ({ ...json, one_time_prekey: 5 })],
    [
      'one-time prekey without id',
      (json) => ({ ...json, one_time_prekey: { public_key: Array(32).fill(1) } }),
    ],
  ])('rejects %s as invalid_encoding', (_, mutate) => {
    expectCryptoError(() => parseBundle(mutate(bundleJson(bobKeys()))), 'invalid_encoding');
  });

  it('rejects an identity key that is not a valid point as invalid_key', () => {
    const json = { ...bundleJson(bobKeys()), identity_key: Array(32).fill(0) };
    expectCryptoError(() => parseBundle(json), 'invalid_key');
  });

  it('throws only CryptoError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          parseBundle(json);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
        }
      }),
    );
  });
});

describe('x3dhInitiate / x3dhRespond', () => {
  const alice = generateIdentity();

  it.each([true, false])('agree on the secret (one-time prekey: %s) and fill the header', (withOneTime) => {
    const keys = bobKeys();
    const initiation = x3dhInitiate(alice, parseBundle(bundleJson(keys, withOneTime)));
    expect(initiation.header).toEqual({
      identityKey: alice.publicKey,
      ephemeralKey: expect.any(Uint8Array),
      signedPrekeyId: 1,
      oneTimePrekeyId: withOneTime ? 42 : null,
    });
    const secret = x3dhRespond(
      keys.identity,
      keys.spk.keyPair,
      withOneTime ? keys.opk.keyPair : null,
      initiation.header,
    );
    expect(secret).toEqual(initiation.sharedSecret);
    expect(secret).toHaveLength(32);
  });

  it('uses a fresh ephemeral key each time', () => {
    const bundle = parseBundle(bundleJson(bobKeys()));
    const first = x3dhInitiate(alice, bundle);
    const second = x3dhInitiate(alice, bundle);
    expect(first.header.ephemeralKey).not.toEqual(second.header.ephemeralKey);
    expect(first.sharedSecret).not.toEqual(second.sharedSecret);
  });

  it('rejects a bundle whose signed prekey is not signed by its identity', () => {
    const keys = bobKeys();
    const bundle = parseBundle(bundleJson(keys));
    const forged: PreKeyBundle = { ...bundle, identityKey: generateIdentity().publicKey };
    expectCryptoError(() => x3dhInitiate(alice, forged), 'bad_signature');
    const swapped: PreKeyBundle = {
      ...bundle,
      signedPrekey: { ...bundle.signedPrekey, publicKey: keys.opk.keyPair.publicKey },
    };
    expectCryptoError(() => x3dhInitiate(alice, swapped), 'bad_signature');
  });

  it('derives a different secret for a wrong identity, ephemeral or prekey', () => {
    const keys = bobKeys();
    const { header, sharedSecret } = x3dhInitiate(alice, parseBundle(bundleJson(keys)));
    const respond = (changes: Partial<typeof header>, spk = keys.spk.keyPair) =>
      x3dhRespond(keys.identity, spk, keys.opk.keyPair, { ...header, ...changes });
    expect(respond({ identityKey: generateIdentity().publicKey })).not.toEqual(sharedSecret);
    expect(respond({ ephemeralKey: keys.opk.keyPair.publicKey })).not.toEqual(sharedSecret);
    expect(respond({}, generateSignedPrekey(keys.identity, 1).keyPair)).not.toEqual(sharedSecret);
  });

  it('fails explicitly when the one-time prekey does not match the header', () => {
    const keys = bobKeys();
    const withOneTime = x3dhInitiate(alice, parseBundle(bundleJson(keys, true))).header;
    const withoutOneTime = x3dhInitiate(alice, parseBundle(bundleJson(keys, false))).header;
    expectCryptoError(
      () => x3dhRespond(keys.identity, keys.spk.keyPair, null, withOneTime),
      'unknown_prekey',
    );
    expectCryptoError(
      () => x3dhRespond(keys.identity, keys.spk.keyPair, keys.opk.keyPair, withoutOneTime),
      'unknown_prekey',
    );
  });

  it('rejects an invalid identity key or a low-order ephemeral key in the header', () => {
    const keys = bobKeys();
    const { header } = x3dhInitiate(alice, parseBundle(bundleJson(keys)));
    const respond = (changes: Partial<typeof header>) =>
      x3dhRespond(keys.identity, keys.spk.keyPair, keys.opk.keyPair, { ...header, ...changes });
    expectCryptoError(() => respond({ identityKey: new Uint8Array(32) }), 'invalid_key');
    expectCryptoError(() => respond({ ephemeralKey: new Uint8Array(32) }), 'invalid_key');
    expectCryptoError(() => respond({ ephemeralKey: new Uint8Array(31) }), 'invalid_key');
  });
});
