import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  fromBase64,
  fromHex,
  fromNumberArray,
  toBase64,
  toHex,
  toNumberArray,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { expectCryptoError } from './helpers.js';

describe('number arrays', () => {
  it('round-trips and checks an exact length', () => {
    expect(toNumberArray(Uint8Array.of(0, 7, 255))).toEqual([0, 7, 255]);
    expect(fromNumberArray([0, 7, 255], 3)).toEqual(Uint8Array.of(0, 7, 255));
    expectCryptoError(() => fromNumberArray([1, 2], 3), 'invalid_encoding');
  });

  it.each([
    ['not an array', 'abc'],
    ['an object', { 0: 1, length: 1 }],
    ['null', null],
    ['256', [256]],
    ['-1', [-1]],
    ['a fraction', [1.5]],
    ['a numeric string', ['1']],
    ['a hole', [1, undefined]],
    ['NaN', [Number.NaN]],
  ])('rejects %s', (_, value) => {
    expectCryptoError(() => fromNumberArray(value), 'invalid_encoding');
  });
});

describe('text and hex', () => {
  it('round-trips UTF-8, keeping a leading BOM', () => {
    expect(utf8Decode(utf8Encode('\ufeffhé 🔐'))).toBe('\ufeffhé 🔐');
  });

  it('rejects invalid UTF-8', () => {
    expectCryptoError(() => utf8Decode(Uint8Array.of(0xc3)), 'invalid_encoding');
    expectCryptoError(() => utf8Decode(Uint8Array.of(0xed, 0xa0, 0x80)), 'invalid_encoding');
  });

  it('round-trips hex and rejects malformed input', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
      }),
    );
    expect(toHex(Uint8Array.of(0, 171, 255))).toBe('00abff');
    expect(fromHex('ABcd')).toEqual(Uint8Array.of(0xab, 0xcd));
    for (const bad of ['abc', 'zz', '0x00', ' 00']) expectCryptoError(() => fromHex(bad), 'invalid_encoding');
  });
});

describe('base64', () => {
  it('matches Buffer for random bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64');
        expect(toBase64(bytes)).toBe(encoded);
        expect(fromBase64(encoded)).toEqual(bytes);
      }),
    );
  });

  it('rejects malformed input', () => {
    for (const bad of ['A', 'AB', 'AB=', 'A===', 'AB==CD==', 'ab c', 'ab-_', '====']) {
      expectCryptoError(() => fromBase64(bad), 'invalid_encoding');
    }
  });
});

describe('bytesEqual', () => {
  it('compares contents and lengths', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
