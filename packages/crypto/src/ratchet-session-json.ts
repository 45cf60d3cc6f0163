import { isU32, toNumberArray } from './bytes.js';
import type { PreviousReceivingChain, RatchetSession, SkippedMessageKey } from './double-ratchet.js';
import { CryptoError } from './errors.js';
import { parseJson, readBytes, readOptional, readTimestamp, readU32, requireObject } from './json-fields.js';
import { KEY_LENGTH } from './primitives.js';

/**
 * Session JSON: upstream's field names and order (spec §5.2), plus skipped keys that actually persist
 * (`{"<hex ratchet key>:<n>": {"key": [32], "stored_at": ms}}`) and our `previous_receiving_chains`.
 */
const SKIPPED_KEY_ID = /^[0-9a-f]{64}:(0|[1-9][0-9]*)$/;
const RATCHET_KEY_HEX = /^[0-9a-f]{64}$/;

function nullableBytes(bytes: Uint8Array | null): number[] | null {
  return bytes === null ? null : toNumberArray(bytes);
}

export function serializeSession(session: RatchetSession): string {
  const skippedKeys = [...session.skippedKeys].map(([id, entry]) => [
    id,
    { key: toNumberArray(entry.messageKey), stored_at: entry.storedAt },
  ]);
  return JSON.stringify({
    dh_sending_private: nullableBytes(session.dhSendingPrivate),
    dh_sending_public: nullableBytes(session.dhSendingPublic),
    dh_receiving_key: nullableBytes(session.dhReceivingKey),
    root_key: toNumberArray(session.rootKey),
    sending_chain_key: nullableBytes(session.sendingChainKey),
    receiving_chain_key: nullableBytes(session.receivingChainKey),
    send_count: session.sendCount,
    recv_count: session.recvCount,
    previous_send_count: session.previousSendCount,
    skipped_keys: Object.fromEntries(skippedKeys),
    previous_receiving_chains: session.previousReceivingChains.map((chain) => ({
      ratchet_key: chain.ratchetKeyHex,
      length: chain.length,
    })),
  });
}

/** Accepts our own output and upstream's state JSON (whose `skipped_keys` is always `{}`). */
export function deserializeSession(json: string): RatchetSession {
  const state = requireObject(parseJson(json), 'session');
  const optionalKey = (field: string) =>
    readOptional(state, field, () => readBytes(state, field, KEY_LENGTH));
  return {
    dhSendingPrivate: optionalKey('dh_sending_private'),
    dhSendingPublic: optionalKey('dh_sending_public'),
    dhReceivingKey: optionalKey('dh_receiving_key'),
    rootKey: readBytes(state, 'root_key', KEY_LENGTH),
    sendingChainKey: optionalKey('sending_chain_key'),
    receivingChainKey: optionalKey('receiving_chain_key'),
    sendCount: readU32(state, 'send_count'),
    recvCount: readU32(state, 'recv_count'),
    previousSendCount: readU32(state, 'previous_send_count'),
    skippedKeys: readSkippedKeys(state.skipped_keys ?? {}),
    previousReceivingChains: readPreviousChains(state.previous_receiving_chains ?? []),
  };
}

function readSkippedKeys(value: unknown): Map<string, SkippedMessageKey> {
  const entries = Object.entries(requireObject(value, 'skipped_keys')).map(([id, raw]) => {
    const match = SKIPPED_KEY_ID.exec(id);
    if (!match || !isU32(Number(match[1]))) {
      throw new CryptoError('invalid_encoding', `invalid skipped key id ${JSON.stringify(id)}`);
    }
    const entry = requireObject(raw, 'skipped key');
    return [
      id,
      { messageKey: readBytes(entry, 'key', KEY_LENGTH), storedAt: readTimestamp(entry, 'stored_at') },
    ] as const;
  });
  return new Map(entries);
}

function readPreviousChains(value: unknown): PreviousReceivingChain[] {
  if (!Array.isArray(value))
    throw new CryptoError('invalid_encoding', 'previous_receiving_chains must be an array');
  return value.map((raw: unknown) => {
    const chain = requireObject(raw, 'previous receiving chain');
    const ratchetKeyHex = chain.ratchet_key;
    if (typeof ratchetKeyHex !== 'string' || !RATCHET_KEY_HEX.test(ratchetKeyHex)) {
      throw new CryptoError('invalid_encoding', 'previous chain ratchet_key must be 64 lowercase hex digits');
    }
    return { ratchetKeyHex, length: readU32(chain, 'length') };
  });
}
