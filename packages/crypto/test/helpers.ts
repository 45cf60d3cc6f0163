import { expect } from 'vitest';
import {
  CryptoError,
  type CryptoErrorCode,
  fromHex,
  generateIdentity,
  generateOneTimePrekeys,
  generateSignedPrekey,
  initInitiator,
  initResponder,
  type PreKeyBundle,
  type RatchetSession,
  x3dhInitiate,
  x3dhRespond,
} from '../src/index.js';

export const hex = fromHex;

export function filled(byte: number, length = 32): Uint8Array {
  return new Uint8Array(length).fill(byte);
}

export function expectCryptoError(action: () => unknown, code: CryptoErrorCode): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected CryptoError ${code}`).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
}

/** A fresh pair of sessions after X3DH: Alice initiated, Bob has not received anything yet. */
export function establishSessions(): { alice: RatchetSession; bob: RatchetSession } {
  const aliceIdentity = generateIdentity();
  const bobIdentity = generateIdentity();
  const signedPrekey = generateSignedPrekey(bobIdentity, 1);
  const [oneTime] = generateOneTimePrekeys(7, 1);
  if (!oneTime) throw new Error('no one-time prekey');
  const bundle: PreKeyBundle = {
    identityKey: bobIdentity.publicKey,
    signedPrekey: { keyId: 1, publicKey: signedPrekey.keyPair.publicKey, signature: signedPrekey.signature },
    oneTimePrekey: { keyId: oneTime.keyId, publicKey: oneTime.keyPair.publicKey },
  };
  const initiation = x3dhInitiate(aliceIdentity, bundle);
  const bobSecret = x3dhRespond(bobIdentity, signedPrekey.keyPair, oneTime.keyPair, initiation.header);
  return {
    alice: initInitiator(initiation.sharedSecret, signedPrekey.keyPair.publicKey),
    bob: initResponder(bobSecret, signedPrekey.keyPair),
  };
}
