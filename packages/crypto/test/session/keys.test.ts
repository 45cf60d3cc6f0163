import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifySignedPrekey } from '../../src/index.js';
import { KeyManager, MemoryCryptoStore, type SignedPrekeyBody } from '../../src/session/index.js';
import { clock, DAY_MS, now } from './harness.js';

const bytes = (numbers: number[]) => Uint8Array.from(numbers);

describe('KeyManager', () => {
  let store: MemoryCryptoStore;
  let keys: KeyManager;

  beforeEach(() => {
    clock.now = 1_700_000_000_000;
    store = new MemoryCryptoStore();
    keys = new KeyManager({ store, now });
  });

  it('returns the exact registration body: identity, signed prekey 1 with a valid signature, OPKs 1–100', async () => {
    const body = await keys.register();
    expect(Object.keys(body)).toEqual(['identity_key', 'signed_prekey', 'one_time_prekeys']);
    expect(body.identity_key).toHaveLength(32);
    expect(Object.keys(body.signed_prekey)).toEqual(['key_id', 'public_key', 'signature']);
    expect(body.signed_prekey.key_id).toBe(1);
    const { public_key, signature } = body.signed_prekey;
    expect(verifySignedPrekey(bytes(body.identity_key), bytes(public_key), bytes(signature))).toBe(true);
    expect(body.one_time_prekeys.map((k) => k.key_id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(
      body.one_time_prekeys.every((k) => k.public_key.length === 32 && Object.keys(k).length === 2),
    ).toBe(true);
    expect(await store.getOneTimePrekey(100)).toBeDefined();
    expect((await store.getSignedPrekey(1))?.uploaded).toBe(true);
  });

  it('never replaces the identity: registering again re-uses it with fresh one-time prekeys', async () => {
    const first = await keys.register();
    const identity = await store.getIdentity();
    const second = await keys.register();
    expect(await store.getIdentity()).toEqual(identity);
    expect(second.identity_key).toEqual(first.identity_key);
    expect(second.signed_prekey).toEqual(first.signed_prekey);
    expect(second.one_time_prekeys[0]?.key_id).toBe(101);
  });

  it('replenishes only below 25, with ids continuing after the highest ever stored', async () => {
    await keys.register();
    expect(await keys.replenishOneTimePrekeys(25)).toBeNull();
    await store.commit([{ op: 'delete', store: 'oneTimePrekeys', keyId: 100 }]);
    const batch = await keys.replenishOneTimePrekeys(24);
    expect(batch?.map((k) => k.key_id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
    expect(await store.getOneTimePrekey(200)).toBeDefined();
    expect((await keys.replenishOneTimePrekeys(0))?.[0]?.key_id).toBe(201);
  });

  it('does not rotate a signed prekey younger than 7 days', async () => {
    await keys.register();
    clock.now += 7 * DAY_MS - 1;
    const upload = vi.fn(async () => {});
    expect(await keys.rotateSignedPrekeyIfDue(upload)).toBeNull();
    expect(upload).not.toHaveBeenCalled();
  });

  it('rotates weekly to key id + 1 and keeps the previous key for the 30-day grace period', async () => {
    const registration = await keys.register();
    clock.now += 7 * DAY_MS;
    const uploaded: SignedPrekeyBody[] = [];
    const body = await keys.rotateSignedPrekeyIfDue(async (b) => void uploaded.push(b));
    expect(body?.key_id).toBe(2);
    expect(uploaded).toEqual([body]);
    const { public_key, signature } = body as SignedPrekeyBody;
    expect(verifySignedPrekey(bytes(registration.identity_key), bytes(public_key), bytes(signature))).toBe(
      true,
    );
    expect((await store.getSignedPrekey(1))?.retiredAt).toBe(clock.now);

    clock.now += 30 * DAY_MS - 1;
    await keys.rotateSignedPrekeyIfDue(async () => {});
    expect(await store.getSignedPrekey(1)).toBeDefined();
    clock.now += 1;
    await keys.rotateSignedPrekeyIfDue(async () => {});
    expect(await store.getSignedPrekey(1)).toBeUndefined();
    expect(await store.getIdentity()).toBeDefined();
  });

  it('stores the new key before uploading and retries a failed upload with the same key', async () => {
    await keys.register();
    clock.now += 8 * DAY_MS;
    await expect(
      keys.rotateSignedPrekeyIfDue(async () => {
        throw new Error('network down');
      }),
    ).rejects.toThrow('network down');
    expect((await store.getSignedPrekey(2))?.uploaded).toBe(false);
    expect((await store.getSignedPrekey(1))?.retiredAt).toBeNull();
    const retried = await keys.rotateSignedPrekeyIfDue(async () => {});
    expect(retried?.key_id).toBe(2);
    expect((await store.getSignedPrekey(2))?.uploaded).toBe(true);
    expect(await store.getSignedPrekey(3)).toBeUndefined();
  });
});
