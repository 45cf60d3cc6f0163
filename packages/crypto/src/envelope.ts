import { toNumberArray, utf8Decode, utf8Encode } from './bytes.js';
import type { RatchetHeader, RatchetMessage } from './double-ratchet.js';
import { CryptoError } from './errors.js';
import {
  isJsonObject,
  type JsonObject,
  readBytes,
  readOptional,
  readU32,
  requireObject,
} from './json-fields.js';
import { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './primitives.js';
import type { SenderKeyMessage } from './sender-keys.js';
import type { X3dhHeader } from './x3dh.js';

/**
 * The UTF-8 JSON documents carried in a message's `ciphertext` (spec §7). Key order and number-array
 * encoding match upstream byte for byte; unknown top-level keys travel in `extra`.
 */
export type DecodedEnvelope =
  /** `x3dh` is the block under either key, `x3dh` or our `x3dh_resend`. */
  | { kind: 'dm'; x3dh: X3dhHeader | null; message: RatchetMessage; extra: Record<string, unknown> }
  | { kind: 'group'; message: SenderKeyMessage; extra: Record<string, unknown> }
  | { kind: 'plaintext'; text: string }
  | { kind: 'invalid'; reason: string };

export interface DmEnvelopeInput {
  x3dh?: X3dhHeader | null;
  /**
   * The X3DH block again, on later messages until the peer replies (our extension). Under its own key,
   * because a reference client runs X3DH afresh on every `x3dh` block it sees and would break the session.
   */
  x3dhResend?: X3dhHeader | null;
  message: RatchetMessage;
  /** Our own top-level flags (e.g. `reset`), appended after `nonce`. */
  extra?: Record<string, unknown>;
}

export const ENVELOPE_VERSION = 1;
const DM_FIELDS = ['v', 'x3dh', 'header', 'ciphertext', 'nonce', 'x3dh_resend'];
const GROUP_FIELDS = ['v', 'sk', 'message'];

function checkExtra(extra: Record<string, unknown>, reserved: string[]): void {
  const clash = Object.keys(extra).find((key) => reserved.includes(key));
  if (clash) throw new CryptoError('invalid_encoding', `extra field ${clash} is reserved`);
}

export function encodeDmEnvelope({ x3dh, x3dhResend, message, extra = {} }: DmEnvelopeInput): Uint8Array {
  checkExtra(extra, DM_FIELDS);
  const { header } = message;
  const envelope = {
    v: ENVELOPE_VERSION,
    ...(x3dh && { x3dh: x3dhJson(x3dh) }),
    header: {
      ratchet_key: toNumberArray(header.ratchetKey),
      previous_chain_length: header.previousChainLength,
      message_number: header.messageNumber,
    },
    ciphertext: toNumberArray(message.ciphertext),
    nonce: toNumberArray(message.nonce),
    ...(x3dhResend && { x3dh_resend: x3dhJson(x3dhResend) }),
    ...extra,
  };
  return utf8Encode(JSON.stringify(envelope));
}

function x3dhJson(x3dh: X3dhHeader) {
  return {
    identity_key: toNumberArray(x3dh.identityKey),
    ephemeral_key: toNumberArray(x3dh.ephemeralKey),
    signed_prekey_id: x3dh.signedPrekeyId,
    one_time_prekey_id: x3dh.oneTimePrekeyId,
  };
}

export function encodeGroupEnvelope(
  message: SenderKeyMessage,
  extra: Record<string, unknown> = {},
): Uint8Array {
  checkExtra(extra, GROUP_FIELDS);
  const envelope = {
    v: ENVELOPE_VERSION,
    sk: true,
    message: {
      chain_id: message.chainId,
      iteration: message.iteration,
      ciphertext: toNumberArray(message.ciphertext),
      nonce: toNumberArray(message.nonce),
    },
    ...extra,
  };
  return utf8Encode(JSON.stringify(envelope));
}

/** Never throws: anything that is not a well-formed envelope is reported as plaintext or invalid. */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    return { kind: 'invalid', reason: 'not UTF-8' };
  }
  const parsed = parseOrUndefined(text);
  if (!isJsonObject(parsed) || !Object.hasOwn(parsed, 'v')) return { kind: 'plaintext', text };
  if (parsed.v !== ENVELOPE_VERSION) return { kind: 'invalid', reason: 'unsupported envelope version' };
  try {
    if (parsed.sk === true) return decodeGroup(parsed);
    if (Object.hasOwn(parsed, 'sk')) return { kind: 'invalid', reason: 'sk must be true when present' };
    return decodeDm(parsed);
  } catch (error) {
    if (error instanceof CryptoError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function extraFields(envelope: JsonObject, known: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(envelope).filter(([key]) => !known.includes(key)));
}

function readCiphertext(object: JsonObject): Uint8Array {
  const ciphertext = readBytes(object, 'ciphertext');
  if (ciphertext.length < TAG_LENGTH)
    throw new CryptoError('invalid_encoding', 'ciphertext shorter than a tag');
  return ciphertext;
}

function decodeDm(envelope: JsonObject): DecodedEnvelope {
  return {
    kind: 'dm',
    x3dh: readOptional(envelope, 'x3dh', readX3dh) ?? readOptional(envelope, 'x3dh_resend', readX3dh),
    message: {
      header: readHeader(requireObject(envelope.header, 'header')),
      ciphertext: readCiphertext(envelope),
      nonce: readBytes(envelope, 'nonce', NONCE_LENGTH),
    },
    extra: extraFields(envelope, DM_FIELDS),
  };
}

function readX3dh(value: unknown): X3dhHeader {
  const x3dh = requireObject(value, 'x3dh');
  return {
    identityKey: readBytes(x3dh, 'identity_key', KEY_LENGTH),
    ephemeralKey: readBytes(x3dh, 'ephemeral_key', KEY_LENGTH),
    signedPrekeyId: readU32(x3dh, 'signed_prekey_id'),
    oneTimePrekeyId: readOptional(x3dh, 'one_time_prekey_id', () => readU32(x3dh, 'one_time_prekey_id')),
  };
}

function readHeader(header: JsonObject): RatchetHeader {
  return {
    ratchetKey: readBytes(header, 'ratchet_key', KEY_LENGTH),
    previousChainLength: readU32(header, 'previous_chain_length'),
    messageNumber: readU32(header, 'message_number'),
  };
}

function decodeGroup(envelope: JsonObject): DecodedEnvelope {
  const message = requireObject(envelope.message, 'message');
  return {
    kind: 'group',
    message: {
      chainId: readU32(message, 'chain_id'),
      iteration: readU32(message, 'iteration'),
      ciphertext: readCiphertext(message),
      nonce: readBytes(message, 'nonce', NONCE_LENGTH),
    },
    extra: extraFields(envelope, GROUP_FIELDS),
  };
}
