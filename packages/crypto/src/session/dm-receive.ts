import { toBase64 } from '../bytes.js';
import { deserializeSession, initResponder, ratchetDecrypt, serializeSession } from '../double-ratchet.js';
import type { DecodedEnvelope } from '../envelope.js';
import { CryptoError } from '../errors.js';
import { type X3dhHeader, x3dhRespond } from '../x3dh.js';
import { keyPairFromRecord, loadIdentity } from './codec.js';
import { emptyDmRecord, withActiveSession } from './dm-session-list.js';
import { observeIdentity } from './peer-identity.js';
import type { CryptoStore, DecryptControl, DmSessionEntry, DmSessionRecord, StoreWrite } from './store.js';

export type DmEnvelope = Extract<DecodedEnvelope, { kind: 'dm' }>;

export interface ReceivedDm {
  plaintext: Uint8Array;
  identityChanged: boolean;
  control: DecryptControl | null;
  /** Everything to commit for this message; nothing is written before it decrypted. */
  writes: StoreWrite[];
}

interface Candidate {
  entry: DmSessionEntry;
  /** Position in the stored list; null for a session just built from this message's X3DH block. */
  index: number | null;
  /** Committed only if this candidate decrypts the message (the consumed one-time prekey). */
  writes: StoreWrite[];
}

/** Decrypts a DM envelope against the stored sessions, computing but not committing the new state. */
export async function receiveDm(
  store: CryptoStore,
  peerId: string,
  envelope: DmEnvelope,
  now: number,
): Promise<ReceivedDm> {
  const record = (await store.getDmSession(peerId)) ?? emptyDmRecord(peerId);
  const candidates = await candidateSessions(store, record, envelope.x3dh);
  const { candidate, session, plaintext } = decryptWithFirstThatWorks(candidates, envelope, now);
  // A message from the peer decrypted in this session: our X3DH block has arrived, stop attaching it.
  const entry = { ...candidate.entry, session: serializeSession(session), pendingX3dh: null };
  const writes: StoreWrite[] = [
    { op: 'put', store: 'dmSessions', value: withActiveSession(record, entry, candidate.index) },
    ...candidate.writes,
  ];
  let identityChanged = false;
  if (candidate.index === null && envelope.x3dh) {
    const observed = observeIdentity(
      await store.getPeerIdentity(peerId),
      peerId,
      envelope.x3dh.identityKey,
      now,
    );
    writes.push(...observed.writes);
    identityChanged = observed.changed;
  }
  return { plaintext, identityChanged, control: controlOf(envelope, plaintext), writes };
}

/** Our reset message: a new X3DH initiation flagged `"reset": true` whose authenticated plaintext is empty. */
function controlOf(envelope: DmEnvelope, plaintext: Uint8Array): DecryptControl | null {
  const isReset = envelope.extra.reset === true && envelope.x3dh !== null && plaintext.length === 0;
  return isReset ? 'session_reset' : null;
}

async function candidateSessions(
  store: CryptoStore,
  record: DmSessionRecord,
  x3dh: X3dhHeader | null,
): Promise<Candidate[]> {
  if (!x3dh) return record.sessions.map((entry, index) => ({ entry, index, writes: [] }));
  // The initiator repeats its X3DH block until we answer: the same ephemeral key means the same session.
  const ephemeralKey = toBase64(x3dh.ephemeralKey);
  const index = record.sessions.findIndex((entry) => entry.theirEphemeralKey === ephemeralKey);
  const known = record.sessions[index];
  if (known) return [{ entry: known, index, writes: [] }];
  if (record.retiredEphemeralKeys.includes(ephemeralKey)) {
    throw new CryptoError('duplicate_message', 'replay of an X3DH initiation whose session was retired');
  }
  return [await respondToX3dh(store, x3dh)];
}

async function respondToX3dh(store: CryptoStore, x3dh: X3dhHeader): Promise<Candidate> {
  const identity = await loadIdentity(store);
  const signed = await store.getSignedPrekey(x3dh.signedPrekeyId);
  if (!signed) {
    throw new CryptoError('unknown_prekey', `signed prekey ${x3dh.signedPrekeyId} is not stored (expired?)`);
  }
  const oneTimeId = x3dh.oneTimePrekeyId;
  const oneTime = oneTimeId === null ? null : await store.getOneTimePrekey(oneTimeId);
  if (oneTimeId !== null && !oneTime) {
    throw new CryptoError('unknown_prekey', `one-time prekey ${oneTimeId} is not stored (already used?)`);
  }
  const signedPair = keyPairFromRecord(signed);
  const sharedSecret = x3dhRespond(identity, signedPair, oneTime ? keyPairFromRecord(oneTime) : null, x3dh);
  return {
    entry: {
      session: serializeSession(initResponder(sharedSecret, signedPair)),
      pendingX3dh: null,
      theirEphemeralKey: toBase64(x3dh.ephemeralKey),
    },
    index: null,
    writes: oneTime ? [{ op: 'delete', store: 'oneTimePrekeys', keyId: oneTime.keyId }] : [],
  };
}

function decryptWithFirstThatWorks(candidates: Candidate[], envelope: DmEnvelope, now: number) {
  const errors: CryptoError[] = [];
  for (const candidate of candidates) {
    try {
      return {
        candidate,
        ...ratchetDecrypt(deserializeSession(candidate.entry.session), envelope.message, { now }),
      };
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      errors.push(error);
    }
  }
  throw (
    errors.find((error) => error.code === 'duplicate_message') ??
    errors[0] ??
    new CryptoError(
      'decrypt_failed',
      'no session with this peer and no X3DH block: the session needs a reset',
    )
  );
}
