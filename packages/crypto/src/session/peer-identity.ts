import { fromBase64, toBase64 } from '../bytes.js';
import { fingerprint, safetyNumber } from '../fingerprint.js';
import type { PeerIdentityRecord, StoreWrite } from './store.js';

/** What the verification screen shows for a peer (spec §8), with the persistent state §9 lacks. */
export interface PeerStatus {
  fingerprint: string;
  ownFingerprint: string;
  safetyNumber: string;
  verified: boolean;
  /** The key differs from the one first seen and the user has not verified the new one. */
  changed: boolean;
  changedAt: number | null;
  previousFingerprint: string | null;
}

export interface IdentityObservation {
  changed: boolean;
  /** Empty when nothing needs to be stored. */
  writes: StoreWrite[];
}

/**
 * Trust on first use. A different key is recorded as a change (previous key kept, verified reset); callers
 * include `writes` in the commit of the operation that proved the key, never before.
 */
export function observeIdentity(
  record: PeerIdentityRecord | undefined,
  peerId: string,
  identityKey: Uint8Array,
  now: number,
): IdentityObservation {
  const key = toBase64(identityKey);
  if (record?.identityKey === key) return { changed: false, writes: [] };
  const value: PeerIdentityRecord = record
    ? {
        ...record,
        identityKey: key,
        verified: false,
        previousIdentityKey: record.identityKey,
        changedAt: now,
      }
    : {
        peerId,
        identityKey: key,
        firstSeenAt: now,
        verified: false,
        previousIdentityKey: null,
        changedAt: null,
      };
  return { changed: record !== undefined, writes: [{ op: 'put', store: 'peerIdentities', value }] };
}

export function peerStatusOf(record: PeerIdentityRecord, ownIdentityKey: Uint8Array): PeerStatus {
  const identityKey = fromBase64(record.identityKey);
  return {
    fingerprint: fingerprint(identityKey),
    ownFingerprint: fingerprint(ownIdentityKey),
    safetyNumber: safetyNumber(ownIdentityKey, identityKey),
    verified: record.verified,
    changed: record.changedAt !== null && !record.verified,
    changedAt: record.changedAt,
    previousFingerprint: record.previousIdentityKey && fingerprint(fromBase64(record.previousIdentityKey)),
  };
}
