import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  encodeDmEnvelope,
  encodeGroupEnvelope,
  type RatchetMessage,
  type SenderKeyMessage,
  utf8Decode,
  utf8Encode,
  type X3dhHeader,
} from '../src/index.js';
import { expectCryptoError, filled } from './helpers.js';

const message: RatchetMessage = {
  header: { ratchetKey: filled(1), previousChainLength: 2, messageNumber: 3 },
  ciphertext: filled(4, 17),
  nonce: filled(5, 12),
};
const x3dh: X3dhHeader = {
  identityKey: filled(6),
  ephemeralKey: filled(7),
  signedPrekeyId: 1,
  oneTimePrekeyId: 42,
};
const groupMessage: SenderKeyMessage = {
  chainId: 0xdeadbeef,
  iteration: 7,
  ciphertext: filled(8, 18),
  nonce: filled(9, 12),
};

const decodeJson = (value: unknown) => decodeEnvelope(utf8Encode(JSON.stringify(value)));
const dmJson = () => JSON.parse(utf8Decode(encodeDmEnvelope({ x3dh, message })));

describe('DM envelopes', () => {
  it('encode in upstream’s key order and decode back', () => {
    const bytes = encodeDmEnvelope({ x3dh, message });
    expect(Object.keys(JSON.parse(utf8Decode(bytes)))).toEqual([
      'v',
      'x3dh',
      'header',
      'ciphertext',
      'nonce',
    ]);
    expect(decodeEnvelope(bytes)).toEqual({ kind: 'dm', x3dh, message, extra: {} });
  });

  it('omit the x3dh block when absent or null', () => {
    for (const block of [undefined, null]) {
      const bytes = encodeDmEnvelope({ x3dh: block, message });
      expect(utf8Decode(bytes).startsWith('{"v":1,"header":{"ratchet_key":[1,')).toBe(true);
      expect(decodeEnvelope(bytes)).toEqual({ kind: 'dm', x3dh: null, message, extra: {} });
    }
  });

  it('carry a repeated X3DH block under x3dh_resend after nonce, read like the first one', () => {
    const bytes = encodeDmEnvelope({ x3dhResend: x3dh, message });
    const json = JSON.parse(utf8Decode(bytes));
    expect(Object.keys(json)).toEqual(['v', 'header', 'ciphertext', 'nonce', 'x3dh_resend']);
    expect(json.x3dh_resend).toEqual(dmJson().x3dh);
    expect(decodeEnvelope(bytes)).toEqual({ kind: 'dm', x3dh, message, extra: {} });
    expectCryptoError(() => encodeDmEnvelope({ message, extra: { x3dh_resend: 1 } }), 'invalid_encoding');
  });

  it('append extra top-level fields after nonce and return them when decoding', () => {
    const bytes = encodeDmEnvelope({ message, extra: { reset: true, note: { a: 1 } } });
    expect(utf8Decode(bytes).endsWith('"nonce":[5,5,5,5,5,5,5,5,5,5,5,5],"reset":true,"note":{"a":1}}')).toBe(
      true,
    );
    expect(decodeEnvelope(bytes)).toMatchObject({ kind: 'dm', extra: { reset: true, note: { a: 1 } } });
  });

  it('refuse extra fields that would overwrite envelope fields', () => {
    expectCryptoError(() => encodeDmEnvelope({ message, extra: { nonce: [] } }), 'invalid_encoding');
    expectCryptoError(() => encodeGroupEnvelope(groupMessage, { sk: false }), 'invalid_encoding');
  });

  it('read a null or missing one-time prekey id as null, like serde', () => {
    const json = dmJson();
    delete json.x3dh.one_time_prekey_id;
    expect(decodeJson(json)).toMatchObject({ kind: 'dm', x3dh: { oneTimePrekeyId: null } });
    expect(decodeJson({ ...json, x3dh: { ...json.x3dh, one_time_prekey_id: null } })).toMatchObject({
      x3dh: { oneTimePrekeyId: null },
    });
  });

  it.each<[string, (json: ReturnType<typeof dmJson>) => unknown]>([
    ['version 2', (json) => ({ ...json, v: 2 })],
    ['version "1"', (json) => ({ ...json, v: '1' })],
    ['sk false', (json) => ({ ...json, sk: false })],
    ['no header', ({ header: _, ...json }) => json],
    ['header as an array', (json) => ({ ...json, header: [] })],
    [
      'a 31-byte ratchet key',
      (json) => ({ ...json, header: { ...json.header, ratchet_key: Array(31).fill(1) } }),
    ],
    [
      'a 33-byte ratchet key',
      (json) => ({ ...json, header: { ...json.header, ratchet_key: Array(33).fill(1) } }),
    ],
    ['a byte of 256', (json) => ({ ...json, header: { ...json.header, ratchet_key: Array(32).fill(256) } })],
    ['a negative message number', (json) => ({ ...json, header: { ...json.header, message_number: -1 } })],
    [
      'a message number of 2^32',
      (json) => ({ ...json, header: { ...json.header, message_number: 2 ** 32 } }),
    ],
    [
      'a fractional chain length',
      (json) => ({ ...json, header: { ...json.header, previous_chain_length: 0.5 } }),
    ],
    ['a string message number', (json) => ({ ...json, header: { ...json.header, message_number: '3' } })],
    ['an 11-byte nonce', (json) => ({ ...json, nonce: Array(11).fill(0) })],
    ['no nonce', ({ nonce: _, ...json }) => json],
    ['a ciphertext shorter than a tag', (json) => ({ ...json, ciphertext: Array(15).fill(0) })],
    ['a ciphertext string', (json) => ({ ...json, ciphertext: 'abc' })],
    ['x3dh as a string', (json) => ({ ...json, x3dh: 'x' })],
    ['a short ephemeral key', (json) => ({ ...json, x3dh: { ...json.x3dh, ephemeral_key: [1] } })],
    [
      'a missing signed prekey id',
      (json) => ({ ...json, x3dh: { ...json.x3dh, signed_prekey_id: undefined } }),
    ],
    [
      'a negative one-time prekey id',
      (json) => ({ ...json, x3dh: { ...json.x3dh, one_time_prekey_id: -4 } }),
    ],
  ])('report %s as invalid', (_, mutate) => {
    expect(decodeJson(mutate(dmJson()))).toEqual({ kind: 'invalid', reason: expect.any(String) });
  });
});

describe('group envelopes', () => {
  it('encode exactly as spec §7.2 and decode back', () => {
    const bytes = encodeGroupEnvelope(groupMessage);
    const expected =
      '{"v":1,"sk":true,"message":{"chain_id":3735928559,"iteration":7,' +
      `"ciphertext":[${Array(18).fill(8)}],"nonce":[${Array(12).fill(9)}]}}`;
    expect(utf8Decode(bytes)).toBe(expected);
    expect(decodeEnvelope(bytes)).toEqual({ kind: 'group', message: groupMessage, extra: {} });
  });

  it('keep unknown top-level fields in extra', () => {
    expect(decodeEnvelope(encodeGroupEnvelope(groupMessage, { epoch: 3 }))).toMatchObject({
      extra: { epoch: 3 },
    });
  });

  it.each<[string, unknown]>([
    ['no message', { v: 1, sk: true }],
    [
      'a chain id beyond u32',
      {
        v: 1,
        sk: true,
        message: { chain_id: 2 ** 32, iteration: 0, ciphertext: Array(16).fill(0), nonce: Array(12).fill(0) },
      },
    ],
    [
      'a missing iteration',
      { v: 1, sk: true, message: { chain_id: 1, ciphertext: Array(16).fill(0), nonce: Array(12).fill(0) } },
    ],
    [
      'a 13-byte nonce',
      {
        v: 1,
        sk: true,
        message: { chain_id: 1, iteration: 0, ciphertext: Array(16).fill(0), nonce: Array(13).fill(0) },
      },
    ],
  ])('report %s as invalid', (_, json) => {
    expect(decodeJson(json)).toMatchObject({ kind: 'invalid' });
  });
});

describe('non-envelope content', () => {
  it.each([
    ['plain text', 'hello'],
    ['a webhook placeholder', '\u0000'],
    ['a file message sent without E2E', '{"file_id":"f","filename":"a.txt","size":3}'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['empty text', ''],
  ])('decodes %s as plaintext', (_, text) => {
    expect(decodeEnvelope(utf8Encode(text))).toEqual({ kind: 'plaintext', text });
  });

  it('reports bytes that are not UTF-8 as invalid', () => {
    expect(decodeEnvelope(Uint8Array.of(0xff, 0xfe))).toEqual({ kind: 'invalid', reason: 'not UTF-8' });
  });

  it('never throws, whatever the bytes or JSON', () => {
    fc.assert(fc.property(fc.uint8Array(), (bytes) => void decodeEnvelope(bytes)));
    fc.assert(fc.property(fc.jsonValue(), (value) => void decodeJson(value)));
    fc.assert(
      fc.property(
        fc.constantFrom('v', 'x3dh', 'header', 'ciphertext', 'nonce', 'sk', 'message'),
        fc.jsonValue(),
        (field, value) => {
          void decodeJson({ ...dmJson(), [field]: value });
          void decodeJson({ ...JSON.parse(utf8Decode(encodeGroupEnvelope(groupMessage))), [field]: value });
        },
      ),
    );
  });
});
