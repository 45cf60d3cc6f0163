/**
 * What the session layer persists, and the storage contract a client implements (the web client backs it
 * with IndexedDB). Records are plain JSON data: bytes are standard base64 strings, Double Ratchet sessions
 * and sender-key states are the core's JSON strings. Reads are per record; every change goes through one
 * `commit`, which must apply all of its writes or none (one IndexedDB transaction, opened only after the
 * crypto work is done).
 */

export interface IdentityRecord {
  seed: string;
  publicKey: string;
  createdAt: number;
}

export interface SignedPrekeyRecord {
  keyId: number;
  privateKey: string;
  publicKey: string;
  signature: string;
  createdAt: number;
  /** The server has it (registration body, or POST /api/keys/prekeys/signed succeeded). */
  uploaded: boolean;
  /** When a newer signed prekey replaced it on the server; it is kept for a grace period after that. */
  retiredAt: number | null;
}

export interface OneTimePrekeyRecord {
  keyId: number;
  privateKey: string;
  publicKey: string;
}

export interface X3dhHeaderRecord {
  identityKey: string;
  ephemeralKey: string;
  signedPrekeyId: number;
  oneTimePrekeyId: number | null;
}

export interface DmSessionEntry {
  /** `serializeSession` output. */
  session: string;
  /** Our X3DH initiation, attached to every message we send until a message from the peer decrypts. */
  pendingX3dh: X3dhHeaderRecord | null;
  /** The peer's ephemeral key when the peer initiated this session: its repeated X3DH blocks reuse it. */
  theirEphemeralKey: string | null;
}

export interface DmSessionRecord {
  peerId: string;
  /** Most recently used first; `sessions[0]` is the one we send with, the others still decrypt. */
  sessions: DmSessionEntry[];
  /** Ephemeral keys of peer-initiated sessions dropped from `sessions`: a replay must not rebuild them. */
  retiredEphemeralKeys: string[];
}

export interface PeerIdentityRecord {
  peerId: string;
  identityKey: string;
  firstSeenAt: number;
  /** The user compared safety numbers for the current key; reset whenever the key changes. */
  verified: boolean;
  previousIdentityKey: string | null;
  changedAt: number | null;
}

export interface OwnSenderChainRecord {
  channelId: string;
  chainId: number;
  /** `serializeSenderState` output. */
  state: string;
  /** The other members the chain was distributed to, sorted. */
  recipients: string[];
  rotationRequired: boolean;
  createdAt: number;
}

export interface ReceiverChainRecord {
  channelId: string;
  senderId: string;
  chainId: number;
  /** `serializeReceiverState` output. */
  state: string;
  /** Arrival order among this sender's chains in this channel; the oldest are dropped beyond a bound. */
  sequence: number;
}

export type DecryptControl = 'session_reset';

export interface PlaintextRecord {
  messageId: string;
  /** Lowercase hex SHA-256 of the envelope bytes, so an edit (same id, new ciphertext) is a new record. */
  ciphertextHash: string;
  /** The DM peer or (channel, sender) it was read in; the record is used only there. */
  conversation: string;
  plaintext: string;
  control: DecryptControl | null;
}

/** There is deliberately no way to delete the identity. */
export type StoreWrite =
  | { op: 'put'; store: 'identity'; value: IdentityRecord }
  | { op: 'put'; store: 'signedPrekeys'; value: SignedPrekeyRecord }
  | { op: 'delete'; store: 'signedPrekeys'; keyId: number }
  | { op: 'put'; store: 'oneTimePrekeys'; value: OneTimePrekeyRecord }
  | { op: 'delete'; store: 'oneTimePrekeys'; keyId: number }
  | { op: 'put'; store: 'dmSessions'; value: DmSessionRecord }
  | { op: 'put'; store: 'peerIdentities'; value: PeerIdentityRecord }
  | { op: 'put'; store: 'ownSenderChains'; value: OwnSenderChainRecord }
  | { op: 'put'; store: 'receiverChains'; value: ReceiverChainRecord }
  | { op: 'delete'; store: 'receiverChains'; channelId: string; senderId: string; chainId: number }
  | { op: 'put'; store: 'plaintexts'; value: PlaintextRecord };

export interface CryptoStore {
  getIdentity(): Promise<IdentityRecord | undefined>;
  getSignedPrekey(keyId: number): Promise<SignedPrekeyRecord | undefined>;
  listSignedPrekeys(): Promise<SignedPrekeyRecord[]>;
  getOneTimePrekey(keyId: number): Promise<OneTimePrekeyRecord | undefined>;
  /**
   * The highest one-time prekey id ever stored, 0 if none. Deleting keys must not lower it: a reused id
   * would be silently dropped by the server (insert-or-ignore per key id).
   */
  highestOneTimePrekeyId(): Promise<number>;
  getDmSession(peerId: string): Promise<DmSessionRecord | undefined>;
  getPeerIdentity(peerId: string): Promise<PeerIdentityRecord | undefined>;
  getOwnSenderChain(channelId: string): Promise<OwnSenderChainRecord | undefined>;
  getReceiverChain(
    channelId: string,
    senderId: string,
    chainId: number,
  ): Promise<ReceiverChainRecord | undefined>;
  listReceiverChains(channelId: string, senderId: string): Promise<ReceiverChainRecord[]>;
  getPlaintext(messageId: string, ciphertextHash: string): Promise<PlaintextRecord | undefined>;
  /** Applies every write or none; rejects if it applied none. */
  commit(writes: readonly StoreWrite[]): Promise<void>;
}
