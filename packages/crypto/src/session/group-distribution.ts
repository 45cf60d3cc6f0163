import { bytesEqual, isU32, utf8Decode, utf8Encode } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { isJsonObject, parseJson, requireObject } from '../json-fields.js';
import {
  distributionFromJson,
  distributionFromSenderState,
  distributionToJson,
  type SenderKeyDistribution,
  type SenderKeyState,
} from '../sender-keys.js';

/**
 * Our v2 distribution: the `distribution` field of POST /api/channels/{id}/sender-keys, stored opaquely by
 * the server. Each recipient's copy is a base64 DM envelope, so the server never sees a chain key
 * (upstream's v1 uploads the §6.3 JSON in clear).
 */
export interface EncryptedDistribution {
  v: 2;
  chain_id: number;
  sender_id: string;
  recipients: Record<string, string>;
}

/** The request body of POST /api/channels/{id}/sender-keys. */
export interface SenderKeyUpload {
  chain_id: number;
  distribution: EncryptedDistribution;
}

const PAYLOAD_TYPE = 'sender_key_distribution';

/** What each recipient's DM copy contains: the §6.3 JSON bound to a channel, so it cannot be replayed elsewhere. */
export function distributionPayload(channelId: string, state: SenderKeyState): Uint8Array {
  const distribution = distributionToJson(distributionFromSenderState(state));
  return utf8Encode(JSON.stringify({ type: PAYLOAD_TYPE, channel_id: channelId, distribution }));
}

export function readDistributionPayload(
  plaintext: Uint8Array,
  expected: { channelId: string; senderId: string; chainId: number },
): SenderKeyDistribution {
  const payload = requireObject(parseJson(utf8Decode(plaintext)), 'sender key distribution');
  const distribution = distributionFromJson(payload.distribution);
  const matches =
    payload.type === PAYLOAD_TYPE &&
    payload.channel_id === expected.channelId &&
    distribution.chainId === expected.chainId &&
    bytesEqual(distribution.senderId, utf8Encode(expected.senderId));
  if (!matches)
    throw new CryptoError('invalid_encoding', 'sender key distribution for another channel, sender or chain');
  return distribution;
}

export function readEncryptedDistribution(body: unknown): EncryptedDistribution {
  if (!isJsonObject(body) || body.v !== 2) {
    throw new CryptoError('unsupported_envelope', 'not an encrypted (v2) sender key distribution');
  }
  const { chain_id, sender_id, recipients } = body;
  const valid =
    isU32(chain_id) &&
    typeof sender_id === 'string' &&
    isJsonObject(recipients) &&
    Object.values(recipients).every((copy) => typeof copy === 'string');
  if (!valid) throw new CryptoError('invalid_encoding', 'malformed sender key distribution');
  return { v: 2, chain_id, sender_id, recipients: recipients as Record<string, string> };
}

export function copyFor(distribution: EncryptedDistribution, userId: string): string | undefined {
  return Object.hasOwn(distribution.recipients, userId) ? distribution.recipients[userId] : undefined;
}
