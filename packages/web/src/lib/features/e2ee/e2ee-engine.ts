import {
  DmSessions,
  decodeEnvelope,
  fingerprint,
  fromBase64,
  GroupSessions,
  KeyManager,
  type Locks,
  toBase64,
  utf8Decode,
  utf8Encode,
} from '@chatalot/crypto';
import type {
  DecryptedMessage,
  E2eChannel,
  E2eeApi,
  EncryptedPayload,
  IncomingMessage,
  PeerTrust,
} from './e2ee-types';
import { E2eeError } from './e2ee-types';
import { decryptFailure, encryptFailureReason } from './failure-reasons';
import type { IdbCryptoStore } from './idb-crypto-store';
import { OutgoingEnvelopes } from './outgoing-envelopes';

/** The server's limit on `send_message.ciphertext`. */
const MAX_CIPHERTEXT_BYTES = 65_536;
const NONCE_BYTES = 12;
/** A session reset consumes one of the peer's one-time prekeys: at most one per peer per minute. */
const RESET_INTERVAL_MS = 60_000;
const REPLENISH_LOCK = 'chatalot-crypto:replenish';

export interface EngineOptions {
  userId: string;
  store: IdbCryptoStore;
  locks: Locks;
  api: E2eeApi;
  now: () => number;
  /** A peer's identity key changed (now recorded), or a verification or acknowledgement was stored. */
  onTrustChange: (peerId: string) => void;
}

function failed(reason: string, canResetSession = false): DecryptedMessage {
  return canResetSession
    ? { text: '', status: 'failed', reason, canResetSession }
    : { text: '', status: 'failed', reason };
}

/** The signed-in user's E2E state on this device: `@chatalot/crypto`'s session layer over the IndexedDB store. */
export class E2eeEngine {
  readonly userId: string;
  readonly store: IdbCryptoStore;
  private readonly api: E2eeApi;
  private readonly locks: Locks;
  private readonly now: () => number;
  private readonly onTrustChange: (peerId: string) => void;
  private readonly keys: KeyManager;
  private readonly dm: DmSessions;
  private readonly groups: GroupSessions;
  private readonly outgoing = new OutgoingEnvelopes();
  /** DMs seen with envelopes in this tab: their history is encrypted. */
  private readonly encryptedDms = new Set<string>();
  /** Channels read or written here, whose distributions are fetched again after a reconnect. */
  private readonly groupChannels = new Set<string>();
  private readonly lastReset = new Map<string, number>();

  constructor({ userId, store, locks, api, now, onTrustChange }: EngineOptions) {
    this.userId = userId;
    this.store = store;
    this.api = api;
    this.locks = locks;
    this.now = now;
    this.onTrustChange = onTrustChange;
    this.keys = new KeyManager({ store, locks, now });
    this.dm = new DmSessions({ store, locks, now, fetchBundle: (peerId) => api.fetchKeyBundle(peerId) });
    this.groups = new GroupSessions({
      store,
      locks,
      now,
      dm: this.dm,
      ownUserId: userId,
      fetchDistributions: (channelId) => api.listSenderKeys(channelId),
    });
  }

  /**
   * Makes sure the server holds this device's keys. `created`: this device had no identity, so a new one was
   * made (peers will see a key change); `uploaded`: an earlier upload had failed; `present`: nothing to do.
   */
  async ensureKeys(): Promise<'created' | 'uploaded' | 'present'> {
    const identity = await this.store.getIdentity();
    if (identity && (await this.store.registeredIdentity()) === identity.publicKey) return 'present';
    const body = await this.keys.register();
    await this.api.registerKeys(body);
    await this.store.setRegisteredIdentity(toBase64(Uint8Array.from(body.identity_key)));
    return identity ? 'uploaded' : 'created';
  }

  /**
   * Tops up the server's one-time prekeys. The count is asked afresh under a lock shared by the tabs:
   * the server repeats `keys_low` for every bundle fetched while it is low, and each tab receives it.
   */
  replenishPrekeys(): Promise<void> {
    return this.locks.run(REPLENISH_LOCK, async () => {
      const prekeys = await this.keys.replenishOneTimePrekeys(await this.api.countOneTimePrekeys());
      if (prekeys) await this.api.uploadOneTimePrekeys(prekeys);
    });
  }

  async rotateSignedPrekey(): Promise<void> {
    await this.keys.rotateSignedPrekeyIfDue((body) => this.api.uploadSignedPrekey(body));
  }

  async encrypt(channel: E2eChannel, text: string, e2eEnabled: boolean): Promise<EncryptedPayload> {
    if (!e2eEnabled) return this.plaintextPayload(channel, text);
    let envelope: Uint8Array;
    try {
      envelope =
        channel.kind === 'dm'
          ? await this.encryptDm(channel.peerId, text)
          : await this.groups.encrypt(channel.id, utf8Encode(text), channel.memberIds, (body) =>
              this.api.uploadSenderKey(channel.id, body),
            );
    } catch (error) {
      throw new E2eeError('encrypt_failed', encryptFailureReason(error, channel.kind === 'group'));
    }
    this.noteEncrypted(channel);
    if (envelope.length > MAX_CIPHERTEXT_BYTES) {
      throw new E2eeError('too_long', 'This message is too long to send encrypted. Shorten it or split it.');
    }
    this.outgoing.add(channel.id, text, envelope);
    return payloadOf(envelope);
  }

  /** Never throws: anything unreadable comes back as `failed` with a reason. */
  async decrypt(
    channel: E2eChannel,
    message: IncomingMessage,
    e2eEnabled: boolean,
  ): Promise<DecryptedMessage> {
    const bytes = Uint8Array.from(message.ciphertext);
    const decoded = decodeEnvelope(bytes);
    if (decoded.kind === 'plaintext') {
      const expected = message.message_type !== 'system' && message.message_type !== 'webhook';
      const warn = expected && (e2eEnabled || (await this.isEncryptedDm(channel)));
      return { text: decoded.text, status: warn ? 'unencrypted_warning' : 'plaintext' };
    }
    if (decoded.kind === 'invalid')
      return failed('This message is damaged or in a format this app cannot read.');
    this.noteEncrypted(channel);
    const own = message.sender_id === this.userId;
    if (own && decoded.kind === 'dm' && decoded.extra.reset === true) return { text: '', status: 'control' };
    try {
      if (channel.kind === 'dm') {
        const result = await this.dm.decrypt(channel.peerId, bytes, { messageId: message.id });
        if (result.identityChanged) this.onTrustChange(channel.peerId);
        if (result.control) return { text: '', status: 'control' };
        return { text: utf8Decode(result.plaintext), status: 'encrypted' };
      }
      if (message.sender_id === null) return failed('This message has no sender to decrypt it for.');
      const result = await this.groups.decrypt(channel.id, message.sender_id, bytes, {
        messageId: message.id,
      });
      return { text: utf8Decode(result.plaintext), status: 'encrypted' };
    } catch (error) {
      const failure = decryptFailure(error, own);
      return failed(failure.reason, channel.kind === 'dm' && failure.resettable);
    }
  }

  /** Own messages cannot be decrypted: keep what was sent under the server's id. */
  async rememberSent(
    channel: E2eChannel,
    messageId: string,
    text: string,
    ciphertext?: number[],
  ): Promise<void> {
    const envelope = ciphertext ? Uint8Array.from(ciphertext) : undefined;
    const sent = this.outgoing.take(channel.id, text, envelope);
    if (!sent || decodeEnvelope(sent).kind === 'plaintext') return;
    const plaintext = utf8Encode(text);
    if (channel.kind === 'dm') await this.dm.rememberSent(channel.peerId, messageId, sent, plaintext);
    else await this.groups.rememberSent(channel.id, messageId, sent, plaintext);
  }

  /** The envelope of a session reset, to send as a normal message in the DM. */
  async resetSession(peerId: string): Promise<EncryptedPayload> {
    const last = this.lastReset.get(peerId);
    if (last !== undefined && this.now() - last < RESET_INTERVAL_MS) {
      throw new E2eeError('reset_too_soon', 'A reset was sent less than a minute ago. Please wait a moment.');
    }
    this.lastReset.set(peerId, this.now());
    try {
      const envelope = await this.dm.resetSession(peerId);
      this.onTrustChange(peerId);
      return payloadOf(envelope);
    } catch (error) {
      this.lastReset.delete(peerId);
      throw new E2eeError(
        'encrypt_failed',
        `Could not reset the secure session: ${encryptFailureReason(error)}`,
      );
    }
  }

  async peerStatus(peerId: string): Promise<PeerTrust | null> {
    const [status, record, acknowledged] = await Promise.all([
      this.dm.peerStatus(peerId),
      this.store.getPeerIdentity(peerId),
      this.store.acknowledgedKeyChange(peerId),
    ]);
    if (!status || !record) return null;
    return { ...status, warn: status.changed && acknowledged !== record.identityKey };
  }

  async verify(peerId: string, shownFingerprint: string): Promise<void> {
    await this.dm.verifyPeer(peerId, shownFingerprint);
    this.onTrustChange(peerId);
  }

  /** The user saw the warning for this key; it stays recorded as changed and unverified. */
  async acknowledgeKeyChange(peerId: string, shownFingerprint: string): Promise<void> {
    const record = await this.store.getPeerIdentity(peerId);
    if (!record || fingerprint(fromBase64(record.identityKey)) !== shownFingerprint) {
      throw new E2eeError('key_changed', 'The safety number changed again; check it before acknowledging.');
    }
    await this.store.acknowledgeKeyChange(peerId, record.identityKey);
    this.onTrustChange(peerId);
  }

  async ownFingerprint(): Promise<string | null> {
    const identity = await this.store.getIdentity();
    return identity ? fingerprint(fromBase64(identity.publicKey)) : null;
  }

  async handleDistribution(channelId: string, senderId: string, distribution: unknown): Promise<void> {
    if (senderId === this.userId) return;
    this.groupChannels.add(channelId);
    await this.groups.handleDistribution(channelId, senderId, distribution);
  }

  rotationRequired(channelId: string): Promise<void> {
    return this.groups.rotationRequired(channelId);
  }

  /** After a reconnect: the distributions that arrived while the socket was down, for channels read here. */
  async refetchDistributions(): Promise<void> {
    for (const channelId of this.groupChannels) {
      for (const entry of await this.api.listSenderKeys(channelId)) {
        await this.handleDistribution(channelId, entry.user_id, entry.distribution).catch(() => undefined);
      }
    }
  }

  /** A session started from a fetched bundle may have proved a new identity key for the peer. */
  private async encryptDm(peerId: string, text: string): Promise<Uint8Array> {
    const hadSession = (await this.store.getDmSession(peerId)) !== undefined;
    const envelope = await this.dm.encrypt(peerId, utf8Encode(text));
    if (!hadSession) this.onTrustChange(peerId);
    return envelope;
  }

  private async plaintextPayload(channel: E2eChannel, text: string): Promise<EncryptedPayload> {
    if (await this.isEncryptedDm(channel)) {
      throw new E2eeError(
        'downgrade_refused',
        'Encryption is turned off on this server, but this conversation is end-to-end encrypted. ' +
          'The message was not sent, so that it never goes out unencrypted.',
      );
    }
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    return { ciphertext: Array.from(utf8Encode(text)), nonce: Array.from(nonce) };
  }

  /**
   * A DM whose history is encrypted stays encrypted when the instance turns E2E off; channels follow the
   * instance setting, as every member's client does.
   */
  private async isEncryptedDm(channel: E2eChannel): Promise<boolean> {
    if (channel.kind !== 'dm') return false;
    if (this.encryptedDms.has(channel.id)) return true;
    const [session, identity] = await Promise.all([
      this.store.getDmSession(channel.peerId),
      this.store.getPeerIdentity(channel.peerId),
    ]);
    return session !== undefined || identity !== undefined;
  }

  private noteEncrypted(channel: E2eChannel): void {
    if (channel.kind === 'dm') this.encryptedDms.add(channel.id);
    else this.groupChannels.add(channel.id);
  }
}

/** The outer `nonce` repeats the envelope's, as the reference client sends it. */
function payloadOf(envelope: Uint8Array): EncryptedPayload {
  const decoded = decodeEnvelope(envelope);
  const nonce = decoded.kind === 'dm' || decoded.kind === 'group' ? decoded.message.nonce : new Uint8Array(0);
  return { ciphertext: Array.from(envelope), nonce: Array.from(nonce) };
}
