import { randomFillSync, randomInt } from 'node:crypto';

let lastMs = 0;
let sequence = 0;
/** Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id; each is used once. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomBytes16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A time-ordered UUID (RFC 9562 version 7): a 48-bit millisecond timestamp, then a 12-bit sequence that
 * keeps ids created by this process in the same millisecond in creation order (RFC 9562 §6.2, method 1),
 * then random bits. Keyset pagination relies on that order.
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = randomInt(0x800);
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = randomInt(0x800);
  }
  const bytes = randomBytes16();
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Upper-case letters and digits without the look-alikes I, O, 0 and 1. */
export const unambiguous = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function randomCode(length: number, alphabet: string): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** Groups of `groupSize` characters joined by dashes, e.g. `ABCD-EFGH`. */
export function groupedCode(groups: number, groupSize: number): string {
  return Array.from({ length: groups }, () => randomCode(groupSize, unambiguous)).join('-');
}
