import { fromBase64, toBase64, toNumberArray } from '../bytes.js';
import { CryptoError } from '../errors.js';
import {
  generateIdentity,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type IdentityKeyPair,
  identityFromSeed,
  type OneTimePrekey,
  type SignedPrekey,
} from '../identity.js';
import { keyPairToRecord, loadIdentity } from './codec.js';
import { InProcessLocks, type Locks, lockNames } from './locks.js';
import type { CryptoStore, SignedPrekeyRecord, StoreWrite } from './store.js';

export const INITIAL_ONE_TIME_PREKEYS = 100;
/** Replenish when the server holds fewer than this many unused one-time prekeys (spec §3.5). */
export const ONE_TIME_PREKEY_LOW_WATER = 25;
export const ONE_TIME_PREKEY_BATCH = 100;
const DAY_MS = 24 * 60 * 60 * 1000;
export const SIGNED_PREKEY_ROTATION_MS = 7 * DAY_MS;
/** A replaced signed prekey still answers late X3DH messages for this long. */
export const SIGNED_PREKEY_GRACE_MS = 30 * DAY_MS;

/** REST bodies (spec §3.4), bytes as number arrays. */
export interface SignedPrekeyBody {
  key_id: number;
  public_key: number[];
  signature: number[];
}

export interface OneTimePrekeyBody {
  key_id: number;
  public_key: number[];
}

export interface RegistrationBody {
  identity_key: number[];
  signed_prekey: SignedPrekeyBody;
  one_time_prekeys: OneTimePrekeyBody[];
}

export interface KeyManagerOptions {
  store: CryptoStore;
  locks?: Locks;
  now?: () => number;
}

function signedPrekeyRecord(prekey: SignedPrekey, now: number): SignedPrekeyRecord {
  const { keyId, keyPair, signature } = prekey;
  return {
    keyId,
    ...keyPairToRecord(keyPair),
    signature: toBase64(signature),
    createdAt: now,
    uploaded: false,
    retiredAt: null,
  };
}

function signedPrekeyBody(record: SignedPrekeyRecord): SignedPrekeyBody {
  return {
    key_id: record.keyId,
    public_key: toNumberArray(fromBase64(record.publicKey)),
    signature: toNumberArray(fromBase64(record.signature)),
  };
}

function oneTimePrekeyWrites(prekeys: OneTimePrekey[]): StoreWrite[] {
  return prekeys.map(({ keyId, keyPair }) => ({
    op: 'put',
    store: 'oneTimePrekeys',
    value: { keyId, ...keyPairToRecord(keyPair) },
  }));
}

function oneTimePrekeyBodies(prekeys: OneTimePrekey[]): OneTimePrekeyBody[] {
  return prekeys.map(({ keyId, keyPair }) => ({
    key_id: keyId,
    public_key: toNumberArray(keyPair.publicKey),
  }));
}

function newest(prekeys: SignedPrekeyRecord[]): SignedPrekeyRecord | undefined {
  return prekeys.reduce<SignedPrekeyRecord | undefined>(
    (best, key) => (best && best.keyId > key.keyId ? best : key),
    undefined,
  );
}

/** `live` is now on the server: it is marked uploaded and every other key starts its grace period. */
function uploadedWrites(all: SignedPrekeyRecord[], live: SignedPrekeyRecord, now: number): StoreWrite[] {
  const retiring = all.filter((key) => key.keyId !== live.keyId && key.retiredAt === null);
  return [
    { op: 'put', store: 'signedPrekeys', value: { ...live, uploaded: true } },
    ...retiring.map(
      (key): StoreWrite => ({ op: 'put', store: 'signedPrekeys', value: { ...key, retiredAt: now } }),
    ),
  ];
}

/**
 * The key lifecycle of spec §3.5 without its flaws: the identity is created once and never replaced or
 * wiped here, one-time prekey ids never repeat, and the signed prekey rotates weekly with a grace period.
 */
export class KeyManager {
  private readonly store: CryptoStore;
  private readonly locks: Locks;
  private readonly now: () => number;

  constructor(options: KeyManagerOptions) {
    this.store = options.store;
    this.locks = options.locks ?? new InProcessLocks();
    this.now = options.now ?? Date.now;
  }

  /**
   * The body for POST /api/auth/register (new account) or POST /api/keys/register (re-upload). Creates the
   * identity and signed prekey 1 only if none exist; always adds a fresh batch of one-time prekeys, because
   * /keys/register replaces the server's list. Call again if the request failed.
   */
  register(): Promise<RegistrationBody> {
    return this.locks.run(lockNames.keys, async () => {
      const now = this.now();
      const stored = await this.store.getIdentity();
      const identity = stored ? identityFromSeed(fromBase64(stored.seed)) : generateIdentity();
      const writes: StoreWrite[] = stored ? [] : [identityWrite(identity, now)];
      const signedPrekeys = await this.store.listSignedPrekeys();
      let signed = newest(signedPrekeys);
      if (!signed) {
        signed = signedPrekeyRecord(generateSignedPrekey(identity, 1), now);
        signedPrekeys.push(signed);
      }
      const oneTime = generateOneTimePrekeys(
        (await this.store.highestOneTimePrekeyId()) + 1,
        INITIAL_ONE_TIME_PREKEYS,
      );
      writes.push(...uploadedWrites(signedPrekeys, signed, now), ...oneTimePrekeyWrites(oneTime));
      await this.store.commit(writes);
      return {
        identity_key: toNumberArray(identity.publicKey),
        signed_prekey: signedPrekeyBody(signed),
        one_time_prekeys: oneTimePrekeyBodies(oneTime),
      };
    });
  }

  /**
   * Given the server's count (GET /api/keys/prekeys/count, or `keys_low`), stores a new batch and returns
   * the body for POST /api/keys/prekeys/one-time; null if the server has enough.
   */
  replenishOneTimePrekeys(serverCount: number): Promise<OneTimePrekeyBody[] | null> {
    if (serverCount >= ONE_TIME_PREKEY_LOW_WATER) return Promise.resolve(null);
    return this.locks.run(lockNames.keys, async () => {
      const firstKeyId = (await this.store.highestOneTimePrekeyId()) + 1;
      const prekeys = generateOneTimePrekeys(firstKeyId, ONE_TIME_PREKEY_BATCH);
      await this.store.commit(oneTimePrekeyWrites(prekeys));
      return oneTimePrekeyBodies(prekeys);
    });
  }

  /**
   * Call at start-up (and e.g. daily). Deletes signed prekeys whose grace period ended; if the newest is
   * 7 days old, stores its successor (key id + 1) and uploads it through `upload`
   * (POST /api/keys/prekeys/signed). The new key is stored before the upload, so the server never hands
   * out a key we lack; a failed upload is retried by the next call. Returns the uploaded body, or null.
   */
  rotateSignedPrekeyIfDue(
    upload: (body: SignedPrekeyBody) => Promise<void>,
  ): Promise<SignedPrekeyBody | null> {
    return this.locks.run(lockNames.keys, async () => {
      const now = this.now();
      const all = await this.store.listSignedPrekeys();
      const current = newest(all);
      if (!current) throw new CryptoError('invalid_key', 'no signed prekey: register first');
      const expired = all.filter(
        (key) => key.retiredAt !== null && now - key.retiredAt >= SIGNED_PREKEY_GRACE_MS,
      );
      const writes: StoreWrite[] = expired.map((key) => ({
        op: 'delete',
        store: 'signedPrekeys',
        keyId: key.keyId,
      }));
      let pending = current.uploaded ? null : current;
      if (current.uploaded && now - current.createdAt >= SIGNED_PREKEY_ROTATION_MS) {
        pending = signedPrekeyRecord(
          generateSignedPrekey(await loadIdentity(this.store), current.keyId + 1),
          now,
        );
        writes.push({ op: 'put', store: 'signedPrekeys', value: pending });
      }
      if (writes.length > 0) await this.store.commit(writes);
      if (!pending) return null;
      const body = signedPrekeyBody(pending);
      await upload(body);
      const remaining = all.filter((key) => !expired.includes(key));
      await this.store.commit(uploadedWrites([...remaining, pending], pending, now));
      return body;
    });
  }
}

function identityWrite(identity: IdentityKeyPair, now: number): StoreWrite {
  return {
    op: 'put',
    store: 'identity',
    value: { seed: toBase64(identity.seed), publicKey: toBase64(identity.publicKey), createdAt: now },
  };
}
