import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../platform/auth/tokens.js';
import { groupedCode } from '../../platform/ids.js';

/** A new account recovery code (`XXXX-XXXX-XXXX-XXXX`) and the hash that is stored. */
export function newRecoveryCode(): { code: string; hash: string } {
  const code = groupedCode(4, 4);
  return { code, hash: hashCode(code) };
}

export function hashCode(code: string): string {
  return sha256(code).toString('hex');
}

export function codeMatches(code: string, storedHash: string | null): boolean {
  if (storedHash === null) return false;
  const given = Buffer.from(hashCode(code.toUpperCase()));
  const stored = Buffer.from(storedHash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}
