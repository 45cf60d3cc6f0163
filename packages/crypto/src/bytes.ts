import { CryptoError } from './errors.js';

export function toNumberArray(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}

/** Parses a JSON byte array (integers 0–255), optionally of an exact length. */
export function fromNumberArray(value: unknown, length?: number): Uint8Array {
  if (!Array.isArray(value)) throw new CryptoError('invalid_encoding', 'expected a byte array');
  if (length !== undefined && value.length !== length) {
    throw new CryptoError('invalid_encoding', `expected ${length} bytes, got ${value.length}`);
  }
  const bytes = new Uint8Array(value.length);
  value.forEach((item: unknown, index) => {
    if (!Number.isInteger(item) || (item as number) < 0 || (item as number) > 255) {
      throw new CryptoError('invalid_encoding', `byte ${index} is not an integer 0–255`);
    }
    bytes[index] = item as number;
  });
  return bytes;
}

/** Comparison whose running time depends only on the lengths, not on where the inputs differ. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/**
 * The two text codecs every browser and Node ≥ 20 provide. Typed here rather than through the DOM or Node
 * typings, which this package's own type-check leaves out so that no other platform API slips in.
 */
interface TextCodecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (
    label: string,
    options: { fatal: boolean; ignoreBOM: boolean },
  ) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as TextCodecs;
const encoder = new codecs.TextEncoder();
// ignoreBOM keeps a leading U+FEFF as part of the text, as upstream's Rust `String::from_utf8` does.
const decoder = new codecs.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new CryptoError('invalid_encoding', 'invalid UTF-8');
  }
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CryptoError('invalid_encoding', 'invalid hex');
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  let output = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const available = Math.min(3, bytes.length - i);
    for (let j = 0; j < 4; j++) {
      output += j <= available ? BASE64_ALPHABET[(chunk >> (18 - 6 * j)) & 63] : '=';
    }
  }
  return output;
}

/** Strict decoder: padding required, no whitespace, no URL-safe alphabet. */
export function fromBase64(text: string): Uint8Array {
  if (!BASE64_PATTERN.test(text)) throw new CryptoError('invalid_encoding', 'invalid base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  for (let i = 0, out = 0; i < text.length; i += 4) {
    let chunk = 0;
    for (let j = 0; j < 4; j++)
      chunk = (chunk << 6) | Math.max(0, BASE64_ALPHABET.indexOf(text[i + j] as string));
    for (let j = 0; j < 3 && out < bytes.length; j++) bytes[out++] = (chunk >> (16 - 8 * j)) & 255;
  }
  return bytes;
}

/** Big-endian u32, the integer encoding of the sender-key AAD and the safety number. */
export function u32BigEndian(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

export function isU32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
}
