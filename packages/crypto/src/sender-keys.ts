import { concatBytes, isU32, u32BigEndian } from './bytes.js';
import { CryptoError } from './errors.js';
import { senderKeyAdvance } from './kdf.js';
import { capKeys, expireKeys, type KeyCacheLimits, resolveLimits } from './key-cache.js';
import { aeadDecrypt, aeadEncrypt, KEY_LENGTH, NONCE_LENGTH, randomBytes } from './primitives.js';

export {
  deserializeReceiverState,
  deserializeSenderState,
  distributionFromJson,
  distributionToJson,
  type SenderKeyDistributionJson,
  serializeReceiverState,
  serializeSenderState,
} from './sender-key-json.js';

/** A message may be at most this many iterations ahead of the receiver (spec §6.5). */
export const SENDER_KEY_MAX_SKIP = 2000;

/** Our own chain for one channel (spec §6.1). `senderId` is carried along, never checked. */
export interface SenderKeyState {
  chainId: number;
  chainKey: Uint8Array;
  iteration: number;
  senderId: Uint8Array;
}

export interface CachedSenderKey {
  key: Uint8Array;
  storedAt: number;
}

/** Another member's chain as we follow it; `cachedKeys` maps skipped iterations to their keys. */
export interface ReceiverKeyState extends SenderKeyState {
  cachedKeys: Map<number, CachedSenderKey>;
}

export interface SenderKeyMessage {
  chainId: number;
  iteration: number;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
}

/** What is uploaded to the server and broadcast to the channel (spec §6.3). */
export interface SenderKeyDistribution {
  chainId: number;
  iteration: number;
  chainKey: Uint8Array;
  senderId: Uint8Array;
}

export interface SenderKeyDecryptOptions {
  now?: number;
  maxCachedKeys?: number;
  cachedKeyMaxAgeMs?: number;
}

export function generateSenderKey(senderId: Uint8Array): SenderKeyState {
  const idBytes = randomBytes(4);
  const chainId = new DataView(idBytes.buffer, idBytes.byteOffset, 4).getUint32(0);
  return { chainId, chainKey: randomBytes(KEY_LENGTH), iteration: 0, senderId: senderId.slice() };
}

/** chain_id ‖ iteration, both u32 big-endian. */
export function senderKeyAad(chainId: number, iteration: number): Uint8Array {
  return concatBytes(u32BigEndian(chainId), u32BigEndian(iteration));
}

export function senderKeyEncrypt(
  state: SenderKeyState,
  plaintext: Uint8Array,
  options: { nonce?: Uint8Array } = {},
): { state: SenderKeyState; message: SenderKeyMessage } {
  const step = senderKeyAdvance(state.chainKey);
  const nonce = (options.nonce ?? randomBytes(NONCE_LENGTH)).slice();
  const aad = senderKeyAad(state.chainId, state.iteration);
  const message = {
    chainId: state.chainId,
    iteration: state.iteration,
    ciphertext: aeadEncrypt(step.messageKey, nonce, aad, plaintext),
    nonce,
  };
  return { state: { ...state, chainKey: step.chainKey, iteration: state.iteration + 1 }, message };
}

/**
 * The distribution of the chain's current position, so that a member who joins now cannot read
 * the messages sent before (upstream distributes iteration 0, spec §14.3 item 8).
 */
export function distributionFromSenderState(state: SenderKeyState): SenderKeyDistribution {
  return {
    chainId: state.chainId,
    iteration: state.iteration,
    chainKey: state.chainKey.slice(),
    senderId: state.senderId.slice(),
  };
}

export function receiverFromDistribution(distribution: SenderKeyDistribution): ReceiverKeyState {
  return { ...distributionFromSenderState(distribution), cachedKeys: new Map() };
}

export function senderKeyDecrypt(
  state: ReceiverKeyState,
  message: SenderKeyMessage,
  options: SenderKeyDecryptOptions = {},
): { state: ReceiverKeyState; plaintext: Uint8Array } {
  checkMessageShape(message);
  if (message.chainId !== state.chainId) throw new CryptoError('unknown_chain', 'unknown sender key chain');
  const limits = resolveLimits({
    now: options.now,
    maxEntries: options.maxCachedKeys,
    maxAgeMs: options.cachedKeyMaxAgeMs,
  });
  // Byte arrays are never modified in place, so the copy may share them.
  const draft: ReceiverKeyState = { ...state, cachedKeys: new Map(state.cachedKeys) };
  expireKeys(draft.cachedKeys, limits);
  const messageKey = takeMessageKey(draft, message.iteration, limits);
  const plaintext = decryptWithAad(messageKey, message);
  capKeys(draft.cachedKeys, limits);
  return { state: draft, plaintext };
}

function checkMessageShape(message: SenderKeyMessage): void {
  const valid =
    isU32(message.chainId) &&
    isU32(message.iteration) &&
    message.ciphertext instanceof Uint8Array &&
    message.nonce instanceof Uint8Array &&
    message.nonce.length === NONCE_LENGTH;
  if (!valid) throw new CryptoError('invalid_encoding', 'malformed sender key message');
}

/** Spec §6.5 steps 2–5 on `draft`, a private copy. */
function takeMessageKey(draft: ReceiverKeyState, iteration: number, limits: KeyCacheLimits): Uint8Array {
  const cached = draft.cachedKeys.get(iteration);
  if (cached) {
    draft.cachedKeys.delete(iteration);
    return cached.key;
  }
  if (iteration < draft.iteration) {
    throw new CryptoError('duplicate_message', 'message already decrypted (or its key expired)');
  }
  if (iteration - draft.iteration > SENDER_KEY_MAX_SKIP) {
    throw new CryptoError('too_many_skipped', 'too many skipped messages');
  }
  let chainKey = draft.chainKey;
  for (; draft.iteration < iteration; draft.iteration++) {
    const step = senderKeyAdvance(chainKey);
    draft.cachedKeys.set(draft.iteration, { key: step.messageKey, storedAt: limits.now });
    chainKey = step.chainKey;
  }
  const step = senderKeyAdvance(chainKey);
  draft.chainKey = step.chainKey;
  draft.iteration = iteration + 1;
  return step.messageKey;
}

function decryptWithAad(messageKey: Uint8Array, message: SenderKeyMessage): Uint8Array {
  try {
    return aeadDecrypt(
      messageKey,
      message.nonce,
      senderKeyAad(message.chainId, message.iteration),
      message.ciphertext,
    );
  } catch {
    return aeadDecrypt(messageKey, message.nonce, new Uint8Array(0), message.ciphertext);
  }
}
