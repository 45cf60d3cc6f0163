import { fromBase64 } from '../bytes.js';
import { deserializeSession, initInitiator, ratchetEncrypt, serializeSession } from '../double-ratchet.js';
import { decodeEnvelope, encodeDmEnvelope } from '../envelope.js';
import { CryptoError } from '../errors.js';
import { fingerprint } from '../fingerprint.js';
import { parseBundle, x3dhInitiate } from '../x3dh.js';
import { loadIdentity, x3dhHeaderFromRecord, x3dhHeaderToRecord } from './codec.js';
import { receiveDm } from './dm-receive.js';
import { emptyDmRecord, withActiveSession } from './dm-session-list.js';
import { InProcessLocks, type Locks, lockNames } from './locks.js';
import { observeIdentity, type PeerStatus, peerStatusOf } from './peer-identity.js';
import { type CacheKey, conversations, findCachedPlaintext, plaintextWrite } from './plaintext-cache.js';
import type { CryptoStore, DecryptControl, DmSessionEntry, DmSessionRecord, StoreWrite } from './store.js';

export interface DmSessionsOptions {
  store: CryptoStore;
  locks?: Locks;
  /** GET /api/keys/{peerId}/bundle: the parsed JSON body (consumes one of the peer's one-time prekeys). */
  fetchBundle: (peerId: string) => Promise<unknown>;
  now?: () => number;
}

export interface DmDecryptResult {
  plaintext: Uint8Array;
  /** This message proved a new identity key for the peer; the change is now recorded (see peerStatus). */
  identityChanged: boolean;
  /** Present for control messages, which are not chat messages and must not be displayed as such. */
  control?: DecryptControl;
}

export interface DmDecryptOptions {
  /** The server's message id: the plaintext is cached in the same commit as the session update. */
  messageId?: string;
  /** Extra writes for the same commit, computed from the result; throwing aborts the whole decrypt. */
  alsoCommit?: (result: DmDecryptResult) => StoreWrite[];
}

function resultOf(
  plaintext: Uint8Array,
  identityChanged: boolean,
  control: DecryptControl | null,
): DmDecryptResult {
  return control ? { plaintext, identityChanged, control } : { plaintext, identityChanged };
}

/** Pairwise X3DH + Double Ratchet sessions, one lock per peer, state committed only on success. */
export class DmSessions {
  private readonly store: CryptoStore;
  private readonly locks: Locks;
  private readonly fetchBundle: (peerId: string) => Promise<unknown>;
  private readonly now: () => number;

  constructor(options: DmSessionsOptions) {
    this.store = options.store;
    this.locks = options.locks ?? new InProcessLocks();
    this.fetchBundle = options.fetchBundle;
    this.now = options.now ?? Date.now;
  }

  /** The envelope bytes for `send_message.ciphertext`. Starts a session from a fetched bundle if needed. */
  encrypt(peerId: string, plaintext: Uint8Array): Promise<Uint8Array> {
    return this.locks.run(lockNames.dm(peerId), async () => {
      const record = (await this.store.getDmSession(peerId)) ?? emptyDmRecord(peerId);
      const active = record.sessions[0];
      if (active) return this.sendWith(record, { entry: active, writes: [] }, 0, plaintext);
      return this.sendWith(record, await this.initiate(peerId), null, plaintext);
    });
  }

  /**
   * An explicit session reset: a fresh X3DH initiation (new bundle) with an empty plaintext and a
   * top-level `"reset": true`. Earlier sessions stay as fallbacks for messages still in flight.
   */
  resetSession(peerId: string): Promise<Uint8Array> {
    return this.locks.run(lockNames.dm(peerId), async () => {
      const record = (await this.store.getDmSession(peerId)) ?? emptyDmRecord(peerId);
      return this.sendWith(record, await this.initiate(peerId), null, new Uint8Array(0), { reset: true });
    });
  }

  /**
   * Throws CryptoError and changes nothing when the message does not decrypt: 'duplicate_message',
   * 'unknown_prekey' (the X3DH block names a prekey we no longer have), 'unsupported_envelope' (not a DM
   * envelope: plaintext or garbage, which the caller must mark as unencrypted), 'decrypt_failed', ….
   */
  decrypt(peerId: string, envelope: Uint8Array, options: DmDecryptOptions = {}): Promise<DmDecryptResult> {
    const decoded = decodeEnvelope(envelope);
    if (decoded.kind !== 'dm') {
      return Promise.reject(new CryptoError('unsupported_envelope', `not a DM envelope (${decoded.kind})`));
    }
    return this.locks.run(lockNames.dm(peerId), async () => {
      const key = options.messageId === undefined ? undefined : this.cacheKey(peerId, options.messageId);
      const cached = key && (await findCachedPlaintext(this.store, key, envelope));
      if (cached) return resultOf(cached.plaintext, false, cached.control);
      const received = await receiveDm(this.store, peerId, decoded, this.now());
      const result = resultOf(received.plaintext, received.identityChanged, received.control);
      const writes = [...received.writes, ...(options.alsoCommit?.(result) ?? [])];
      if (key) writes.push(plaintextWrite(key, envelope, received.plaintext, received.control));
      await this.store.commit(writes);
      return result;
    });
  }

  /**
   * Senders cannot decrypt their own messages: on `message_sent`, cache what was sent under the server's
   * message id, so that it reads back from history like any other message.
   */
  rememberSent(
    peerId: string,
    messageId: string,
    envelope: Uint8Array,
    plaintext: Uint8Array,
  ): Promise<void> {
    return this.store.commit([plaintextWrite(this.cacheKey(peerId, messageId), envelope, plaintext)]);
  }

  /**
   * The user compared safety numbers. Pass the fingerprint that was shown, so that a key that changed
   * meanwhile is not marked verified by mistake.
   */
  verifyPeer(peerId: string, shownFingerprint?: string): Promise<void> {
    return this.locks.run(lockNames.dm(peerId), async () => {
      const record = await this.store.getPeerIdentity(peerId);
      if (!record) throw new CryptoError('invalid_key', 'no identity key known for this peer');
      if (
        shownFingerprint !== undefined &&
        fingerprint(fromBase64(record.identityKey)) !== shownFingerprint
      ) {
        throw new CryptoError('invalid_key', 'the peer identity key changed after it was shown');
      }
      await this.store.commit([{ op: 'put', store: 'peerIdentities', value: { ...record, verified: true } }]);
    });
  }

  /** Null until a session with the peer was started or received. */
  async peerStatus(peerId: string): Promise<PeerStatus | null> {
    const [record, own] = await Promise.all([this.store.getPeerIdentity(peerId), this.store.getIdentity()]);
    if (!record || !own) return null;
    return peerStatusOf(record, fromBase64(own.publicKey));
  }

  private cacheKey(peerId: string, messageId: string): CacheKey {
    return { messageId, conversation: conversations.dm(peerId) };
  }

  /** X3DH from the peer's bundle; the bundle's identity key is checked against the stored one (TOFU). */
  private async initiate(peerId: string): Promise<{ entry: DmSessionEntry; writes: StoreWrite[] }> {
    const identity = await loadIdentity(this.store);
    const bundle = parseBundle(await this.fetchBundle(peerId));
    const { sharedSecret, header } = x3dhInitiate(identity, bundle);
    const session = initInitiator(sharedSecret, bundle.signedPrekey.publicKey);
    const peer = await this.store.getPeerIdentity(peerId);
    return {
      entry: {
        session: serializeSession(session),
        pendingX3dh: x3dhHeaderToRecord(header),
        theirEphemeralKey: null,
      },
      writes: observeIdentity(peer, peerId, bundle.identityKey, this.now()).writes,
    };
  }

  private async sendWith(
    record: DmSessionRecord,
    start: { entry: DmSessionEntry; writes: StoreWrite[] },
    index: number | null,
    plaintext: Uint8Array,
    extra: Record<string, unknown> = {},
  ): Promise<Uint8Array> {
    const { entry, writes } = start;
    const current = deserializeSession(entry.session);
    const { session, message } = ratchetEncrypt(current, plaintext);
    const x3dh = entry.pendingX3dh && x3dhHeaderFromRecord(entry.pendingX3dh);
    const firstOfSession = current.sendCount === 0 && current.previousSendCount === 0;
    const envelope = firstOfSession
      ? encodeDmEnvelope({ x3dh, message, extra })
      : encodeDmEnvelope({ x3dhResend: x3dh, message, extra });
    const updated = withActiveSession(record, { ...entry, session: serializeSession(session) }, index);
    await this.store.commit([{ op: 'put', store: 'dmSessions', value: updated }, ...writes]);
    return envelope;
  }
}
