import {
  type KeyRegistrationBody,
  keyBundleRateLimits,
  keyLimits,
  type OneTimePrekey,
  type SignedPrekey,
} from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import { requireLength, verifySignedPrekey } from '../../platform/auth/e2e-keys.js';
import { sha256 } from '../../platform/auth/tokens.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError, invalid } from '../../platform/errors.js';
import type { EventHub } from '../../platform/events/hub.js';
import type { SharedState } from '../../realtime/shared-state.js';
import { dmRefusal } from '../dms/dms.policy.js';
import { blockedEitherWay } from '../permissions/blocks.js';
import { shareCommunity } from '../permissions/membership.js';
import type { UserRecord } from '../users/users.present.js';
import { type BundleRecord, keysLow } from './keys.present.js';
import {
  claimOneTimePrekey,
  countUnusedOneTimePrekeys,
  deleteOneTimePrekeys,
  deleteSupersededSignedPrekeys,
  findIdentityKey,
  findNewestSignedPrekey,
  insertOneTimePrekeys,
  lockUserKeys,
  type OneTimePrekeyRecord,
  type SignedPrekeyRecord,
  upsertIdentityKey,
  upsertSignedPrekey,
} from './keys.repo.js';

/** How long a replaced signed prekey stays, so that its owner can still answer X3DH messages sent to it. */
const SIGNED_PREKEY_GRACE_MS = 30 * 24 * 3600_000;

/**
 * X3DH key material (rest-api.md §17, e2e-encryption.md §3.4). Unlike the reference, a bundle (and with it a
 * one-time prekey) goes only to users who may DM its owner, at a limited rate (§14.3 item 7), and uploads are
 * checked for sizes and counts.
 */
export class KeysService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
    private readonly clock: Clock,
    private readonly shared: SharedState,
  ) {}

  /** The owner hears `keys_low` after commit when fewer than 25 unused one-time prekeys remain. */
  async bundle(requester: UserRecord, ownerId: string): Promise<BundleRecord> {
    await this.throttle(requester.id, ownerId);
    await this.requireMayFetch(requester, ownerId);
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const identityKey = await findIdentityKey(trx, ownerId);
      const signedPrekey = await findNewestSignedPrekey(trx, ownerId);
      if (!identityKey || !signedPrekey) throw new AppError('not_found', 'key bundle not found');
      const oneTimePrekey = (await claimOneTimePrekey(trx, ownerId)) ?? null;
      const remaining = await countUnusedOneTimePrekeys(trx, ownerId);
      if (remaining < keyLimits.lowOneTimePrekeys) emit(keysLow(ownerId, remaining));
      return { identityKey, signedPrekey, oneTimePrekey };
    });
  }

  /** Replaces the identity; the signed prekey becomes the newest; uploaded one-time prekeys replace all. */
  async register(user: UserRecord, body: KeyRegistrationBody): Promise<void> {
    const identityKey = requireLength(body.identity_key, 32, 'identity key must be 32 bytes');
    const signedPrekey = checkSignedPrekey(body.signed_prekey);
    verifySignedPrekey(identityKey, signedPrekey.public_key, signedPrekey.signature);
    const oneTimePrekeys = checkOneTimePrekeys(body.one_time_prekeys);
    const now = new Date(this.clock.now());
    await this.db.transaction().execute(async (trx) => {
      await lockUserKeys(trx, user.id);
      const fingerprint = sha256(identityKey).toString('hex');
      await upsertIdentityKey(trx, { userId: user.id, identityKey, fingerprint, now });
      await upsertSignedPrekey(trx, user.id, signedPrekey, now);
      if (oneTimePrekeys.length === 0) return;
      await deleteOneTimePrekeys(trx, user.id);
      await insertOneTimePrekeys(trx, user.id, oneTimePrekeys, now);
    });
  }

  /** A new signed prekey, verified against the stored identity; older ones stay for a grace period. */
  async uploadSignedPrekey(user: UserRecord, body: SignedPrekey): Promise<void> {
    const prekey = checkSignedPrekey(body);
    await this.db.transaction().execute(async (trx) => {
      await lockUserKeys(trx, user.id);
      const identityKey = await findIdentityKey(trx, user.id);
      if (!identityKey) throw invalid('must register identity key before uploading signed prekey');
      verifySignedPrekey(identityKey, prekey.public_key, prekey.signature);
      await upsertSignedPrekey(trx, user.id, prekey, new Date(this.clock.now()));
    });
  }

  /** Adds one-time prekeys (known `key_id`s are skipped), up to the cap on unused ones. */
  async uploadOneTimePrekeys(user: UserRecord, body: OneTimePrekey[]): Promise<void> {
    const prekeys = checkOneTimePrekeys(body);
    const max = keyLimits.unusedOneTimePrekeysMax;
    await this.db.transaction().execute(async (trx) => {
      await lockUserKeys(trx, user.id);
      await insertOneTimePrekeys(trx, user.id, prekeys, new Date(this.clock.now()));
      if ((await countUnusedOneTimePrekeys(trx, user.id)) > max) {
        throw invalid(`at most ${max} unused one-time prekeys per user`);
      }
    });
  }

  countUnused(user: UserRecord): Promise<number> {
    return countUnusedOneTimePrekeys(this.db, user.id);
  }

  /** Per requester, then per (requester, owner), in buckets every server process shares. */
  private async throttle(requesterId: string, ownerId: string): Promise<void> {
    const { perRequester, perTarget, message } = keyBundleRateLimits;
    const buckets = [
      { key: `key-bundle:${requesterId}`, rule: perRequester },
      { key: `key-bundle:${requesterId}:${ownerId}`, rule: perTarget },
    ];
    for (const { key, rule } of buckets) {
      const taken = await this.shared.takeToken(key, rule);
      if (!taken.allowed) {
        throw new AppError('rate_limited', message, { 'retry-after': String(taken.retryAfterSeconds) });
      }
    }
  }

  /**
   * Only someone who may open a DM with the owner (no block either way, a shared community unless the
   * instance owner asks) learns the bundle; one's own bundle is always readable. Strangers get 403, whether
   * or not the user exists.
   */
  private async requireMayFetch(requester: UserRecord, ownerId: string): Promise<void> {
    if (requester.id === ownerId) return;
    const refusal = dmRefusal(requester, {
      blocked: await blockedEitherWay(this.db, requester.id, ownerId),
      shareCommunity: await shareCommunity(this.db, requester.id, ownerId),
    });
    if (refusal !== null) throw new AppError('forbidden');
  }
}

/** For the cleanup job: signed prekeys replaced over 30 days ago; returns how many were deleted. */
export function pruneSignedPrekeys(db: Db, now: number): Promise<number> {
  return deleteSupersededSignedPrekeys(db, new Date(now - SIGNED_PREKEY_GRACE_MS));
}

function checkSignedPrekey(prekey: SignedPrekey): SignedPrekeyRecord {
  return {
    key_id: prekey.key_id,
    public_key: requireLength(prekey.public_key, 32, 'signed prekey must be 32 bytes'),
    signature: requireLength(prekey.signature, 64, 'signature must be 64 bytes'),
  };
}

function checkOneTimePrekeys(prekeys: readonly OneTimePrekey[]): OneTimePrekeyRecord[] {
  if (prekeys.length > keyLimits.oneTimePrekeysPerUpload) {
    throw invalid(`maximum ${keyLimits.oneTimePrekeysPerUpload} one-time prekeys per upload`);
  }
  return prekeys.map((prekey) => ({
    key_id: prekey.key_id,
    public_key: requireLength(prekey.public_key, 32, 'one-time prekeys must be 32 bytes'),
  }));
}
