import { z } from 'zod';
import { keyLimits } from '../limits.js';
import { byteArray, intBetween, limitIssue, MAX_INT32, optional, utf8Length } from './common.js';

/*
 * E2E keys (rest-api.md §17) and sender keys (§18). Byte arrays are checked for length by the server, which
 * answers the reference's exact messages (`identity key must be 32 bytes`, ...); so are upload counts.
 */

/** A prekey's `key_id`: an i32 on the wire. */
const keyId = intBetween(-MAX_INT32 - 1, MAX_INT32);

/** An X25519 public key signed by the identity key: uploaded, and served in bundles. */
export const signedPrekey = z.object({ key_id: keyId, public_key: byteArray, signature: byteArray });
export type SignedPrekey = z.infer<typeof signedPrekey>;

export const oneTimePrekey = z.object({ key_id: keyId, public_key: byteArray });
export type OneTimePrekey = z.infer<typeof oneTimePrekey>;

/** `POST /api/keys/register`: absent one-time prekeys keep the stored ones. */
export const keyRegistrationRequest = z.object({
  identity_key: byteArray,
  signed_prekey: signedPrekey,
  one_time_prekeys: optional(z.array(oneTimePrekey)).transform((prekeys) => prekeys ?? []),
});
export type KeyRegistrationRequest = z.input<typeof keyRegistrationRequest>;
export type KeyRegistrationBody = z.output<typeof keyRegistrationRequest>;

/** `POST /api/keys/prekeys/one-time`: a bare JSON array. */
export const oneTimePrekeysUpload = z.array(oneTimePrekey);

/** `GET /api/keys/{user_id}/bundle`: what an X3DH initiator needs; the one-time prekey is now used up. */
export interface KeyBundle {
  identity_key: number[];
  signed_prekey: SignedPrekey;
  one_time_prekey: OneTimePrekey | null;
}

/** `GET /api/keys/prekeys/count`: the caller's unused one-time prekeys. */
export interface PrekeyCount {
  count: number;
}

const distributionTooLarge = `must be at most ${keyLimits.senderKeyDistributionBytes} bytes of JSON`;

/** Any JSON value, opaque to the server: present, within the size cap and storable (jsonb refuses NUL). */
const distribution = z.unknown().superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required' });
    return;
  }
  const json = JSON.stringify(value);
  if (utf8Length(json) > keyLimits.senderKeyDistributionBytes) {
    ctx.addIssue({ code: 'custom', message: distributionTooLarge, ...limitIssue });
  } else if (json.includes('\\u0000')) {
    ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters' });
  }
});

/** `POST /api/channels/{id}/sender-keys`: `chain_id` is an i64 on the wire, a u32 in practice. */
export const uploadSenderKeyRequest = z.object({
  chain_id: intBetween(0, Number.MAX_SAFE_INTEGER),
  distribution,
});
export type UploadSenderKeyRequest = z.input<typeof uploadSenderKeyRequest>;
export type UploadSenderKeyBody = z.output<typeof uploadSenderKeyRequest>;

/** A member's current sender-key distribution for a channel (rest-api.md §18). */
export interface SenderKeyDistribution {
  id: string;
  channel_id: string;
  user_id: string;
  chain_id: number;
  distribution: unknown;
  created_at: string;
}
