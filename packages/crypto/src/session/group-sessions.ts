import { fromBase64, toBase64, utf8Encode } from '../bytes.js';
import { decodeEnvelope, encodeGroupEnvelope } from '../envelope.js';
import { CryptoError, isCryptoError } from '../errors.js';
import { isJsonObject } from '../json-fields.js';
import {
  deserializeReceiverState,
  deserializeSenderState,
  generateSenderKey,
  type ReceiverKeyState,
  receiverFromDistribution,
  senderKeyDecrypt,
  senderKeyEncrypt,
  serializeReceiverState,
  serializeSenderState,
} from '../sender-keys.js';
import type { DmSessions } from './dm-sessions.js';
import {
  copyFor,
  distributionPayload,
  type EncryptedDistribution,
  readDistributionPayload,
  readEncryptedDistribution,
  type SenderKeyUpload,
} from './group-distribution.js';
import { InProcessLocks, type Locks, lockNames } from './locks.js';
import { type CacheKey, conversations, findCachedPlaintext, plaintextWrite } from './plaintext-cache.js';
import type { CryptoStore, OwnSenderChainRecord, ReceiverChainRecord, StoreWrite } from './store.js';

/** Earlier chains of a sender stay readable on this device (history) up to this many per channel. */
export const MAX_CHAINS_PER_SENDER = 8;

export interface GroupSessionsOptions {
  store: CryptoStore;
  locks?: Locks;
  /** Distributions travel through these pairwise sessions. */
  dm: DmSessions;
  ownUserId: string;
  /** GET /api/channels/{id}/sender-keys: the parsed JSON array of {user_id, chain_id, distribution}. */
  fetchDistributions: (channelId: string) => Promise<unknown>;
  now?: () => number;
}

export type DistributionOutcome = 'stored' | 'known' | 'not_recipient';

export interface GroupDecryptResult {
  plaintext: Uint8Array;
}

/** Identifies a receiver chain: (channel, sender, chain id). */
type ChainRef = { channelId: string; senderId: string; chainId: number };

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/** Stores a new receiver chain and drops the sender's oldest chains beyond the bound. */
function receiverChainWrites(
  existing: ReceiverChainRecord[],
  ref: ChainRef,
  state: ReceiverKeyState,
): StoreWrite[] {
  const newestFirst = [...existing].sort((a, b) => b.sequence - a.sequence);
  const sequence = (newestFirst[0]?.sequence ?? 0) + 1;
  return [
    { op: 'put', store: 'receiverChains', value: { ...ref, state: serializeReceiverState(state), sequence } },
    ...newestFirst.slice(MAX_CHAINS_PER_SENDER - 1).map(
      ({ channelId, senderId, chainId }): StoreWrite => ({
        op: 'delete',
        store: 'receiverChains',
        channelId,
        senderId,
        chainId,
      }),
    ),
  ];
}

/**
 * Sender Keys for channels, kept end-to-end: each new chain is sent to the current members through their
 * DM sessions, and a new chain is made whenever the member set changes, so removed members never get it
 * and new members cannot read what came before.
 */
export class GroupSessions {
  private readonly store: CryptoStore;
  private readonly locks: Locks;
  private readonly dm: DmSessions;
  private readonly ownUserId: string;
  private readonly fetchDistributions: (channelId: string) => Promise<unknown>;
  private readonly now: () => number;

  constructor(options: GroupSessionsOptions) {
    this.store = options.store;
    this.locks = options.locks ?? new InProcessLocks();
    this.dm = options.dm;
    this.ownUserId = options.ownUserId;
    this.fetchDistributions = options.fetchDistributions;
    this.now = options.now ?? Date.now;
  }

  /**
   * The group envelope bytes. `memberIds` is the channel's current member list; `upload` performs
   * POST /api/channels/{id}/sender-keys and must reject on failure (then nothing is sent).
   */
  encrypt(
    channelId: string,
    plaintext: Uint8Array,
    memberIds: readonly string[],
    upload: (body: SenderKeyUpload) => Promise<unknown>,
  ): Promise<Uint8Array> {
    return this.locks.run(lockNames.channel(channelId), async () => {
      const recipients = [...new Set(memberIds)].filter((id) => id !== this.ownUserId).sort();
      const stored = await this.store.getOwnSenderChain(channelId);
      const reusable = stored && !stored.rotationRequired && sameMembers(stored.recipients, recipients);
      const chain = reusable ? stored : await this.distributeNewChain(channelId, recipients, upload);
      const { state, message } = senderKeyEncrypt(deserializeSenderState(chain.state), plaintext);
      const value = { ...chain, state: serializeSenderState(state) };
      await this.store.commit([{ op: 'put', store: 'ownSenderChains', value }]);
      return encodeGroupEnvelope(message);
    });
  }

  /** On WS `sender_key_rotation_required`: the next send starts a new chain. */
  rotationRequired(channelId: string): Promise<void> {
    return this.locks.run(lockNames.channel(channelId), async () => {
      const chain = await this.store.getOwnSenderChain(channelId);
      if (!chain || chain.rotationRequired) return;
      await this.store.commit([
        { op: 'put', store: 'ownSenderChains', value: { ...chain, rotationRequired: true } },
      ]);
    });
  }

  /** For WS `sender_key_updated` (and entries of the GET list): `body` is the event's `distribution`. */
  handleDistribution(channelId: string, senderId: string, body: unknown): Promise<DistributionOutcome> {
    return this.locks.run(lockNames.channel(channelId), () =>
      this.acceptDistribution(channelId, senderId, body),
    );
  }

  /**
   * Throws CryptoError without changing anything: 'unknown_chain' (no distribution for us, e.g. sent while
   * we were not a member, or by a reference client), 'duplicate_message', 'unsupported_envelope', ….
   */
  decrypt(
    channelId: string,
    senderId: string,
    envelope: Uint8Array,
    options: { messageId?: string } = {},
  ): Promise<GroupDecryptResult> {
    const decoded = decodeEnvelope(envelope);
    if (decoded.kind !== 'group') {
      return Promise.reject(
        new CryptoError('unsupported_envelope', `not a group envelope (${decoded.kind})`),
      );
    }
    return this.locks.run(lockNames.channel(channelId), async () => {
      const cacheKey =
        options.messageId === undefined ? undefined : this.cacheKey(channelId, senderId, options.messageId);
      const cached = cacheKey && (await findCachedPlaintext(this.store, cacheKey, envelope));
      if (cached) return { plaintext: cached.plaintext };
      const ref = { channelId, senderId, chainId: decoded.message.chainId };
      const chain =
        (await this.store.getReceiverChain(channelId, senderId, ref.chainId)) ?? (await this.fetchChain(ref));
      const now = this.now();
      const receiver = deserializeReceiverState(chain.state, { now });
      const { state, plaintext } = senderKeyDecrypt(receiver, decoded.message, { now });
      const writes: StoreWrite[] = [
        { op: 'put', store: 'receiverChains', value: { ...chain, state: serializeReceiverState(state) } },
      ];
      if (cacheKey) writes.push(plaintextWrite(cacheKey, envelope, plaintext));
      await this.store.commit(writes);
      return { plaintext };
    });
  }

  /** Own messages cannot be decrypted: on `message_sent`, cache what was sent under the server's id. */
  rememberSent(
    channelId: string,
    messageId: string,
    envelope: Uint8Array,
    plaintext: Uint8Array,
  ): Promise<void> {
    const key = this.cacheKey(channelId, this.ownUserId, messageId);
    return this.store.commit([plaintextWrite(key, envelope, plaintext)]);
  }

  private cacheKey(channelId: string, senderId: string, messageId: string): CacheKey {
    return { messageId, conversation: conversations.channel(channelId, senderId) };
  }

  private async distributeNewChain(
    channelId: string,
    recipients: string[],
    upload: (body: SenderKeyUpload) => Promise<unknown>,
  ): Promise<OwnSenderChainRecord> {
    const state = generateSenderKey(utf8Encode(this.ownUserId));
    const payload = distributionPayload(channelId, state);
    const copies = await Promise.all(
      recipients.map(async (userId) => [userId, toBase64(await this.dm.encrypt(userId, payload))] as const),
    );
    const distribution: EncryptedDistribution = {
      v: 2,
      chain_id: state.chainId,
      sender_id: this.ownUserId,
      recipients: Object.fromEntries(copies),
    };
    await upload({ chain_id: state.chainId, distribution });
    const chainId = state.chainId;
    return {
      channelId,
      chainId,
      state: serializeSenderState(state),
      recipients,
      rotationRequired: false,
      createdAt: this.now(),
    };
  }

  /** Runs under the channel lock; the DM decrypt and the new chain are committed together. */
  private async acceptDistribution(
    channelId: string,
    senderId: string,
    body: unknown,
  ): Promise<DistributionOutcome> {
    const distribution = readEncryptedDistribution(body);
    if (distribution.sender_id !== senderId) {
      throw new CryptoError('invalid_encoding', 'distribution names another sender');
    }
    const ref = { channelId, senderId, chainId: distribution.chain_id };
    if (await this.store.getReceiverChain(channelId, senderId, ref.chainId)) return 'known';
    const copy = copyFor(distribution, this.ownUserId);
    if (copy === undefined) return 'not_recipient';
    const existing = await this.store.listReceiverChains(channelId, senderId);
    try {
      await this.dm.decrypt(senderId, fromBase64(copy), {
        alsoCommit: ({ plaintext }) =>
          receiverChainWrites(
            existing,
            ref,
            receiverFromDistribution(readDistributionPayload(plaintext, ref)),
          ),
      });
    } catch (error) {
      // Our copy was decrypted before: the chain was stored then and has since been dropped as too old.
      if (isCryptoError(error, 'duplicate_message')) return 'known';
      throw error;
    }
    return 'stored';
  }

  /** A message on a chain we lack: its distribution may not have reached us yet, so ask the server once. */
  private async fetchChain(ref: ChainRef): Promise<ReceiverChainRecord> {
    const unknown = (reason: string) =>
      new CryptoError('unknown_chain', `no sender key chain ${ref.chainId}: ${reason}`);
    if (ref.senderId === this.ownUserId) throw unknown('own messages are read from the plaintext cache');
    const entries = await this.fetchDistributions(ref.channelId);
    const entry = Array.isArray(entries)
      ? entries.find((item: unknown) => isJsonObject(item) && item.user_id === ref.senderId)
      : undefined;
    if (!entry) throw unknown('the sender has no distribution on the server');
    try {
      await this.acceptDistribution(ref.channelId, ref.senderId, entry.distribution);
    } catch (error) {
      if (error instanceof CryptoError)
        throw unknown(`the server's distribution was rejected (${error.code})`);
      throw error;
    }
    const chain = await this.store.getReceiverChain(ref.channelId, ref.senderId, ref.chainId);
    if (!chain) throw unknown('not distributed to us');
    return chain;
  }
}
