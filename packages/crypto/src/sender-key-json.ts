import { toNumberArray } from './bytes.js';
import { CryptoError } from './errors.js';
import {
  isJsonObject,
  type JsonObject,
  parseJson,
  readBytes,
  readTimestamp,
  readU32,
  requireObject,
} from './json-fields.js';
import { KEY_LENGTH } from './primitives.js';
import type {
  CachedSenderKey,
  ReceiverKeyState,
  SenderKeyDistribution,
  SenderKeyState,
} from './sender-keys.js';

/** The `distribution` object of POST /api/channels/{id}/sender-keys (spec §6.3), keys in upstream's order. */
export interface SenderKeyDistributionJson {
  chain_id: number;
  iteration: number;
  chain_key: number[];
  sender_id: number[];
}

const ITERATION_KEY = /^(0|[1-9][0-9]*)$/;

export function distributionToJson(distribution: SenderKeyDistribution): SenderKeyDistributionJson {
  return {
    chain_id: distribution.chainId,
    iteration: distribution.iteration,
    chain_key: toNumberArray(distribution.chainKey),
    sender_id: toNumberArray(distribution.senderId),
  };
}

export function distributionFromJson(json: unknown): SenderKeyDistribution {
  const object = requireObject(json, 'distribution');
  return {
    chainId: readU32(object, 'chain_id'),
    iteration: readU32(object, 'iteration'),
    chainKey: readBytes(object, 'chain_key', KEY_LENGTH),
    senderId: readBytes(object, 'sender_id'),
  };
}

function senderStateJson(state: SenderKeyState) {
  return {
    chain_id: state.chainId,
    chain_key: toNumberArray(state.chainKey),
    iteration: state.iteration,
    sender_id: toNumberArray(state.senderId),
  };
}

export function serializeSenderState(state: SenderKeyState): string {
  return JSON.stringify(senderStateJson(state));
}

export function deserializeSenderState(json: string): SenderKeyState {
  return readSenderState(requireObject(parseJson(json), 'sender key state'));
}

function readSenderState(object: JsonObject): SenderKeyState {
  return {
    chainId: readU32(object, 'chain_id'),
    chainKey: readBytes(object, 'chain_key', KEY_LENGTH),
    iteration: readU32(object, 'iteration'),
    senderId: readBytes(object, 'sender_id'),
  };
}

/** `cached_keys` is `{"<iteration>": {"key": [32], "stored_at": ms}}`. */
export function serializeReceiverState(state: ReceiverKeyState): string {
  const cachedKeys = [...state.cachedKeys].map(([iteration, entry]) => [
    String(iteration),
    { key: toNumberArray(entry.key), stored_at: entry.storedAt },
  ]);
  return JSON.stringify({ ...senderStateJson(state), cached_keys: Object.fromEntries(cachedKeys) });
}

/** Also reads upstream's `{"<iteration>": [32]}` cached keys, stamping them with `now`. */
export function deserializeReceiverState(json: string, options: { now?: number } = {}): ReceiverKeyState {
  const object = requireObject(parseJson(json), 'receiver key state');
  const now = options.now ?? Date.now();
  const cachedKeys = Object.entries(requireObject(object.cached_keys ?? {}, 'cached_keys')).map(
    ([iteration, raw]) => [readIterationKey(iteration), readCachedKey(raw, now)] as const,
  );
  return {
    ...readSenderState(object),
    cachedKeys: new Map(cachedKeys.sort(([, a], [, b]) => a.storedAt - b.storedAt)),
  };
}

function readIterationKey(text: string): number {
  const iteration = Number(text);
  if (!ITERATION_KEY.test(text) || iteration > 0xffffffff) {
    throw new CryptoError('invalid_encoding', `invalid cached key iteration ${JSON.stringify(text)}`);
  }
  return iteration;
}

function readCachedKey(raw: unknown, now: number): CachedSenderKey {
  if (!isJsonObject(raw)) return { key: readBytes({ key: raw }, 'key', KEY_LENGTH), storedAt: now };
  return { key: readBytes(raw, 'key', KEY_LENGTH), storedAt: readTimestamp(raw, 'stored_at') };
}
