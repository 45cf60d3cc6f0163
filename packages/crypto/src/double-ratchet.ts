import { bytesEqual, isU32, toHex, toNumberArray, utf8Encode } from './bytes.js';
import { CryptoError } from './errors.js';
import { generateX25519KeyPair, type X25519KeyPair } from './identity.js';
import { kdfChainKey, kdfRootKey } from './kdf.js';
import { capKeys, expireKeys, type KeyCacheLimits, resolveLimits } from './key-cache.js';
import {
  aeadDecrypt,
  aeadEncrypt,
  KEY_LENGTH,
  NONCE_LENGTH,
  randomBytes,
  x25519SharedSecret,
} from './primitives.js';

export { deserializeSession, serializeSession } from './ratchet-session-json.js';

/** Maximum distance a message may jump ahead within one receiving chain (spec §5.5). */
export const MAX_SKIP = 1000;
/** How many earlier receiving chains are remembered to recognise their replays as duplicates. */
export const MAX_PREVIOUS_CHAINS = 50;

export interface SkippedMessageKey {
  messageKey: Uint8Array;
  storedAt: number;
}

export interface PreviousReceivingChain {
  ratchetKeyHex: string;
  length: number;
}

/**
 * Double Ratchet state (spec §5.2). Treated as immutable: every operation returns a new object.
 * `previousReceivingChains` is our addition (upstream state JSON lacks it).
 */
export interface RatchetSession {
  dhSendingPrivate: Uint8Array | null;
  dhSendingPublic: Uint8Array | null;
  dhReceivingKey: Uint8Array | null;
  rootKey: Uint8Array;
  sendingChainKey: Uint8Array | null;
  receivingChainKey: Uint8Array | null;
  sendCount: number;
  recvCount: number;
  previousSendCount: number;
  /** Keyed by `"<hex ratchet key>:<message number>"`. */
  skippedKeys: Map<string, SkippedMessageKey>;
  previousReceivingChains: PreviousReceivingChain[];
}

export interface RatchetHeader {
  ratchetKey: Uint8Array;
  previousChainLength: number;
  messageNumber: number;
}

export interface RatchetMessage {
  header: RatchetHeader;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
}

export interface RatchetDecryptOptions {
  now?: number;
  maxSkippedKeys?: number;
  skippedKeyMaxAgeMs?: number;
}

export function skippedKeyId(ratchetKey: Uint8Array, messageNumber: number): string {
  return `${toHex(ratchetKey)}:${messageNumber}`;
}

/** The AEAD associated data: the header as compact JSON in upstream's key order (spec §5.4). */
export function headerAad(header: RatchetHeader): Uint8Array {
  return utf8Encode(
    JSON.stringify({
      ratchet_key: toNumberArray(header.ratchetKey),
      previous_chain_length: header.previousChainLength,
      message_number: header.messageNumber,
    }),
  );
}

function emptySession(rootKey: Uint8Array, ratchetKeyPair: X25519KeyPair): RatchetSession {
  return {
    dhSendingPrivate: ratchetKeyPair.privateKey.slice(),
    dhSendingPublic: ratchetKeyPair.publicKey.slice(),
    dhReceivingKey: null,
    rootKey,
    sendingChainKey: null,
    receivingChainKey: null,
    sendCount: 0,
    recvCount: 0,
    previousSendCount: 0,
    skippedKeys: new Map(),
    previousReceivingChains: [],
  };
}

export function initInitiator(
  sharedSecret: Uint8Array,
  theirSignedPrekey: Uint8Array,
  options: { ratchetKeyPair?: X25519KeyPair } = {},
): RatchetSession {
  const ratchetKeyPair = options.ratchetKeyPair ?? generateX25519KeyPair();
  const dhOutput = x25519SharedSecret(ratchetKeyPair.privateKey, theirSignedPrekey);
  const { rootKey, chainKey } = kdfRootKey(sharedSecret, dhOutput);
  return {
    ...emptySession(rootKey, ratchetKeyPair),
    dhReceivingKey: theirSignedPrekey.slice(),
    sendingChainKey: chainKey,
  };
}

/** The responder's ratchet key pair is its signed prekey; it can send only after receiving. */
export function initResponder(sharedSecret: Uint8Array, signedPrekey: X25519KeyPair): RatchetSession {
  return emptySession(sharedSecret.slice(), signedPrekey);
}

// Byte arrays are never modified in place, so sharing them between copies is safe.
function copySession(session: RatchetSession): RatchetSession {
  return {
    ...session,
    skippedKeys: new Map(session.skippedKeys),
    previousReceivingChains: [...session.previousReceivingChains],
  };
}

export function ratchetEncrypt(
  session: RatchetSession,
  plaintext: Uint8Array,
  options: { nonce?: Uint8Array } = {},
): { session: RatchetSession; message: RatchetMessage } {
  if (session.sendingChainKey === null || session.dhSendingPublic === null) {
    throw new CryptoError('no_sending_chain', 'no sending chain: a message must be received first');
  }
  const step = kdfChainKey(session.sendingChainKey);
  const header: RatchetHeader = {
    ratchetKey: session.dhSendingPublic.slice(),
    previousChainLength: session.previousSendCount,
    messageNumber: session.sendCount,
  };
  const nonce = (options.nonce ?? randomBytes(NONCE_LENGTH)).slice();
  const ciphertext = aeadEncrypt(step.messageKey, nonce, headerAad(header), plaintext);
  const next = { ...copySession(session), sendingChainKey: step.chainKey, sendCount: session.sendCount + 1 };
  return { session: next, message: { header, ciphertext, nonce } };
}

export function ratchetDecrypt(
  session: RatchetSession,
  message: RatchetMessage,
  options: RatchetDecryptOptions = {},
): { session: RatchetSession; plaintext: Uint8Array } {
  checkMessageShape(message);
  const limits = resolveLimits({
    now: options.now,
    maxEntries: options.maxSkippedKeys,
    maxAgeMs: options.skippedKeyMaxAgeMs,
  });
  const draft = copySession(session);
  expireKeys(draft.skippedKeys, limits);
  const messageKey = takeMessageKey(draft, message.header, limits);
  const plaintext = decryptWithHeaderAad(messageKey, message);
  capKeys(draft.skippedKeys, limits);
  return { session: draft, plaintext };
}

function checkMessageShape({ header, ciphertext, nonce }: RatchetMessage): void {
  const valid =
    header.ratchetKey instanceof Uint8Array &&
    header.ratchetKey.length === KEY_LENGTH &&
    isU32(header.previousChainLength) &&
    isU32(header.messageNumber) &&
    ciphertext instanceof Uint8Array &&
    nonce instanceof Uint8Array &&
    nonce.length === NONCE_LENGTH;
  if (!valid) throw new CryptoError('invalid_encoding', 'malformed ratchet message');
}

/** Finds or derives the message key, advancing `draft` (a private copy) as spec §5.5 steps 1–4. */
function takeMessageKey(draft: RatchetSession, header: RatchetHeader, limits: KeyCacheLimits): Uint8Array {
  const id = skippedKeyId(header.ratchetKey, header.messageNumber);
  const skipped = draft.skippedKeys.get(id);
  if (skipped) {
    draft.skippedKeys.delete(id);
    return skipped.messageKey;
  }
  if (draft.dhReceivingKey !== null && bytesEqual(draft.dhReceivingKey, header.ratchetKey)) {
    // The initiator's first receiving key is the peer's signed prekey, which has no chain yet.
    if (draft.receivingChainKey === null) throw new CryptoError('decrypt_failed', 'no receiving chain');
    if (header.messageNumber < draft.recvCount) throw duplicate();
  } else {
    rejectPreviousChainMessage(draft, header);
    skipMessageKeys(draft, header.previousChainLength, limits);
    dhRatchetStep(draft, header.ratchetKey);
  }
  skipMessageKeys(draft, header.messageNumber, limits);
  const step = kdfChainKey(draft.receivingChainKey as Uint8Array);
  draft.receivingChainKey = step.chainKey;
  draft.recvCount = header.messageNumber + 1;
  return step.messageKey;
}

function duplicate(): CryptoError {
  return new CryptoError('duplicate_message', 'message already decrypted (or its key expired)');
}

function rejectPreviousChainMessage(draft: RatchetSession, header: RatchetHeader): void {
  const ratchetKeyHex = toHex(header.ratchetKey);
  const chain = draft.previousReceivingChains.find((previous) => previous.ratchetKeyHex === ratchetKeyHex);
  if (!chain) return;
  if (header.messageNumber < chain.length) throw duplicate();
  throw new CryptoError('decrypt_failed', 'message number beyond the end of an earlier chain');
}

function skipMessageKeys(draft: RatchetSession, until: number, limits: KeyCacheLimits): void {
  const { receivingChainKey, dhReceivingKey } = draft;
  if (receivingChainKey === null || dhReceivingKey === null) return;
  if (until - draft.recvCount > MAX_SKIP)
    throw new CryptoError('too_many_skipped', 'too many skipped messages');
  let chainKey = receivingChainKey;
  for (; draft.recvCount < until; draft.recvCount++) {
    const step = kdfChainKey(chainKey);
    draft.skippedKeys.set(skippedKeyId(dhReceivingKey, draft.recvCount), {
      messageKey: step.messageKey,
      storedAt: limits.now,
    });
    chainKey = step.chainKey;
  }
  draft.receivingChainKey = chainKey;
}

function dhRatchetStep(draft: RatchetSession, theirRatchetKey: Uint8Array): void {
  if (draft.dhSendingPrivate === null)
    throw new CryptoError('invalid_key', 'session has no ratchet key pair');
  if (draft.dhReceivingKey !== null) {
    draft.previousReceivingChains = [
      { ratchetKeyHex: toHex(draft.dhReceivingKey), length: draft.recvCount },
      ...draft.previousReceivingChains,
    ].slice(0, MAX_PREVIOUS_CHAINS);
  }
  draft.previousSendCount = draft.sendCount;
  draft.sendCount = 0;
  draft.recvCount = 0;
  draft.dhReceivingKey = theirRatchetKey.slice();
  const receiving = kdfRootKey(draft.rootKey, x25519SharedSecret(draft.dhSendingPrivate, theirRatchetKey));
  const next = generateX25519KeyPair();
  const sending = kdfRootKey(receiving.rootKey, x25519SharedSecret(next.privateKey, theirRatchetKey));
  draft.receivingChainKey = receiving.chainKey;
  draft.dhSendingPrivate = next.privateKey;
  draft.dhSendingPublic = next.publicKey;
  draft.rootKey = sending.rootKey;
  draft.sendingChainKey = sending.chainKey;
}

/** Canonical header AAD first; empty AAD as the fallback for upstream's pre-AAD messages (§5.5). */
function decryptWithHeaderAad(messageKey: Uint8Array, message: RatchetMessage): Uint8Array {
  try {
    return aeadDecrypt(messageKey, message.nonce, headerAad(message.header), message.ciphertext);
  } catch {
    return aeadDecrypt(messageKey, message.nonce, new Uint8Array(0), message.ciphertext);
  }
}
