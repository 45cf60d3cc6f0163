import { expect } from 'vitest';
import {
  type CryptoErrorCode,
  type RatchetDecryptOptions,
  type RatchetMessage,
  type RatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
  serializeSession,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { expectCryptoError } from './helpers.js';

/** Encrypts `texts` in order; returns the advanced session and the messages. */
export function sendAll(session: RatchetSession, texts: string[]): [RatchetSession, RatchetMessage[]] {
  const messages: RatchetMessage[] = [];
  let current = session;
  for (const text of texts) {
    const result = ratchetEncrypt(current, utf8Encode(text));
    current = result.session;
    messages.push(result.message);
  }
  return [current, messages];
}

export function sendMany(session: RatchetSession, count: number): [RatchetSession, RatchetMessage[]] {
  return sendAll(
    session,
    Array.from({ length: count }, (_, i) => `message ${i}`),
  );
}

export function receive(
  session: RatchetSession,
  message: RatchetMessage | undefined,
  expected: string,
  options?: RatchetDecryptOptions,
): RatchetSession {
  if (!message) throw new Error('missing message');
  const result = ratchetDecrypt(session, message, options);
  expect(utf8Decode(result.plaintext)).toBe(expected);
  return result.session;
}

/** Asserts the error code and that the session (and its serialisation) is unchanged. */
export function expectRejected(
  session: RatchetSession,
  message: RatchetMessage | undefined,
  code: CryptoErrorCode,
  options?: RatchetDecryptOptions,
): void {
  if (!message) throw new Error('missing message');
  const before = serializeSession(session);
  expectCryptoError(() => ratchetDecrypt(session, message, options), code);
  expect(serializeSession(session)).toBe(before);
}
