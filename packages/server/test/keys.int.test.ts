import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  type KeyBundle,
  keyBundleRateLimits,
  type OneTimePrekey,
  type SignedPrekey,
} from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { runCleanup } from '../src/jobs/cleanup.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, registerUser, type TestUser } from './factories.js';
import { gatewayWorld } from './gateway-world.js';
import { ManualClock } from './harness.js';
import { TestSocket } from './ws-client.js';

const clock = new ManualClock(Date.now());
const { app, database, actors, communityId, baseUrl, events } = await gatewayWorld({ clock });
const { db } = database;

const error = (code: string, message: string) => ({ error: { code, message } });
const invalid = (message: string) => error('validation_error', message);
const bytes = (length: number) => [...randomBytes(length)];

/** An Ed25519 identity whose private half signs prekeys, as a client's would. */
function newIdentity() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = [...Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')];
  return {
    publicKey: raw,
    signedPrekey(keyId: number, prekey = bytes(32)): SignedPrekey {
      return {
        key_id: keyId,
        public_key: prekey,
        signature: [...sign(null, Buffer.from(prekey), privateKey)],
      };
    },
  };
}
type Identity = ReturnType<typeof newIdentity>;

function oneTimePrekeys(count: number, firstId = 1): OneTimePrekey[] {
  return Array.from({ length: count }, (_, i) => ({ key_id: firstId + i, public_key: bytes(32) }));
}

interface KeyMaterial {
  identity_key: number[];
  signed_prekey: SignedPrekey;
  one_time_prekeys: OneTimePrekey[];
}

function keyMaterial(identity: Identity, prekeys: number, spkId = 1): KeyMaterial {
  return {
    identity_key: identity.publicKey,
    signed_prekey: identity.signedPrekey(spkId),
    one_time_prekeys: oneTimePrekeys(prekeys),
  };
}

interface Member extends TestUser {
  identity: Identity;
  keys: KeyMaterial;
}

/** A new user in the world's community (so community members may fetch its bundle) with `prekeys` OPKs. */
async function newMember(prekeys = 2): Promise<Member> {
  const identity = newIdentity();
  const keys = keyMaterial(identity, prekeys);
  const user = await registerUser(app, keys);
  await db
    .insertInto('community_members')
    .values({ community_id: communityId, user_id: user.user.id, role: 'member' })
    .execute();
  return { ...user, identity, keys };
}

const fetchBundle = (requester: TestUser, ownerId: string) =>
  call(app, { method: 'GET', url: `/api/keys/${ownerId}/bundle`, headers: requester.headers });
const post = (user: TestUser | null, url: string, payload: unknown) =>
  call(app, {
    method: 'POST',
    url,
    headers: { ...user?.headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
const countOf = async (user: TestUser) =>
  (await call(app, { method: 'GET', url: '/api/keys/prekeys/count', headers: user.headers })).json();

async function unusedKeyIds(userId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('one_time_prekeys')
    .select('key_id')
    .where('user_id', '=', userId)
    .where('used', '=', false)
    .orderBy('key_id')
    .execute();
  return rows.map((row) => row.key_id);
}

describe('GET /api/keys/:user_id/bundle', () => {
  it('serves the identity key, the signed prekey and the oldest unused one-time prekey, then null', async () => {
    const owner = await newMember(2);
    const requester = await newMember(0);
    const first = await fetchBundle(requester, owner.user.id);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual<KeyBundle>({
      identity_key: owner.keys.identity_key,
      signed_prekey: owner.keys.signed_prekey,
      one_time_prekey: owner.keys.one_time_prekeys[0] ?? null,
    });
    expect(await unusedKeyIds(owner.user.id)).toEqual([2]);
    expect((await fetchBundle(requester, owner.user.id)).json().one_time_prekey.key_id).toBe(2);
    const exhausted = await fetchBundle(requester, owner.user.id);
    expect(exhausted.json()).toMatchObject({ identity_key: owner.keys.identity_key, one_time_prekey: null });
  });

  it('sends the owner keys_low with what remains once fewer than 25 are left, to nobody else', async () => {
    const owner = await newMember(26);
    const requester = await newMember(0);
    const ownerSocket = await TestSocket.connect(baseUrl, owner.access_token);
    const requesterSocket = await TestSocket.connect(baseUrl, requester.access_token);
    try {
      expect((await fetchBundle(requester, owner.user.id)).statusCode).toBe(200);
      await ownerSocket.roundTrip();
      expect(ownerSocket.all('keys_low')).toEqual([]);
      const before = events.length;
      expect((await fetchBundle(requester, owner.user.id)).statusCode).toBe(200);
      expect(await ownerSocket.next('keys_low')).toEqual({ type: 'keys_low', remaining: 24 });
      expect(events.slice(before)).toEqual([
        {
          kind: 'frame',
          audience: { kind: 'users', userIds: [owner.user.id] },
          frame: { type: 'keys_low', remaining: 24 },
        },
      ]);
      await requesterSocket.roundTrip();
      expect(requesterSocket.all('keys_low')).toEqual([]);
    } finally {
      ownerSocket.close();
      requesterSocket.close();
    }
  });

  it('answers 404 when the owner has no identity key or no signed prekey', async () => {
    const requester = await newMember(0);
    const noIdentity = await newMember();
    await db.deleteFrom('identity_keys').where('user_id', '=', noIdentity.user.id).execute();
    const noSignedPrekey = await newMember();
    await db.deleteFrom('signed_prekeys').where('user_id', '=', noSignedPrekey.user.id).execute();
    for (const owner of [noIdentity, noSignedPrekey]) {
      const response = await fetchBundle(requester, owner.user.id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(error('not_found', 'key bundle not found'));
    }
    expect(await unusedKeyIds(noSignedPrekey.user.id)).toEqual([1, 2]);
  });

  it('lets a user fetch their own bundle', async () => {
    const owner = await newMember(1);
    expect((await fetchBundle(owner, owner.user.id)).json().one_time_prekey.key_id).toBe(1);
  });

  it('refuses users who may not DM the owner (no shared community), consuming nothing', async () => {
    const owner = await newMember(2);
    for (const stranger of [actors.outsider, actors.banned, actors.instanceAdmin]) {
      const response = await fetchBundle(stranger, owner.user.id);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual(error('forbidden', 'forbidden'));
    }
    expect((await fetchBundle(actors.outsider, uuidv7())).statusCode).toBe(403);
    expect(await unusedKeyIds(owner.user.id)).toEqual([1, 2]);
  });

  it('lets the instance owner fetch without a shared community, as it may open DMs', async () => {
    const owner = await newMember(1);
    expect((await fetchBundle(actors.instanceOwner, owner.user.id)).statusCode).toBe(200);
    const unknown = await fetchBundle(actors.instanceOwner, uuidv7());
    expect(unknown.json()).toEqual(error('not_found', 'key bundle not found'));
  });

  it('refuses when either user blocked the other', async () => {
    const owner = await newMember(2);
    const blocker = await newMember(2);
    await db
      .insertInto('user_blocks')
      .values({ blocker_id: blocker.user.id, blocked_id: owner.user.id })
      .execute();
    expect((await fetchBundle(blocker, owner.user.id)).statusCode).toBe(403);
    expect((await fetchBundle(owner, blocker.user.id)).statusCode).toBe(403);
    expect(await unusedKeyIds(owner.user.id)).toEqual([1, 2]);
    expect(await unusedKeyIds(blocker.user.id)).toEqual([1, 2]);
  });

  it('needs a token and a user id', async () => {
    const owner = await newMember();
    const anonymous = await call(app, { method: 'GET', url: `/api/keys/${owner.user.id}/bundle` });
    expect(anonymous.statusCode).toBe(401);
    const requester = await newMember(0);
    expect((await fetchBundle(requester, 'nope')).statusCode).toBe(400);
  });
});

describe('bundle rate limits', () => {
  it('allows 5 fetches of one owner by one requester, then 429 without consuming, then 1 per 10 minutes', async () => {
    const owner = await newMember(10);
    const requester = await newMember(0);
    for (let i = 0; i < 5; i += 1) expect((await fetchBundle(requester, owner.user.id)).statusCode).toBe(200);
    const refused = await fetchBundle(requester, owner.user.id);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('600');
    expect(refused.json()).toEqual(error('rate_limited', 'too many key bundle requests'));
    expect(await unusedKeyIds(owner.user.id)).toEqual([6, 7, 8, 9, 10]);

    const other = await newMember(0);
    expect((await fetchBundle(other, owner.user.id)).statusCode).toBe(200);
    clock.advance(600_000);
    expect((await fetchBundle(requester, owner.user.id)).statusCode).toBe(200);
    expect((await fetchBundle(requester, owner.user.id)).statusCode).toBe(429);
  });

  it('allows a requester a burst of fetches across owners, refused ones included', async () => {
    const requester = await newMember(0);
    for (let i = 0; i < keyBundleRateLimits.perRequester.burst; i += 1)
      expect((await fetchBundle(requester, uuidv7())).statusCode).toBe(403);
    const refused = await fetchBundle(requester, uuidv7());
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });
});

describe('concurrent bundle fetches', () => {
  it('never hand out one one-time prekey twice, and serve null once they are gone', async () => {
    const owner = await newMember(20);
    const requesters = await Promise.all(Array.from({ length: 24 }, () => newMember(0)));
    const responses = await Promise.all(requesters.map((requester) => fetchBundle(requester, owner.user.id)));
    expect(responses.map((response) => response.statusCode)).toEqual(requesters.map(() => 200));
    const claimed = responses.map((response) => response.json<KeyBundle>().one_time_prekey?.key_id ?? null);
    const keyIds = claimed.filter((keyId) => keyId !== null);
    expect(keyIds.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(claimed.filter((keyId) => keyId === null)).toHaveLength(4);
    expect(await unusedKeyIds(owner.user.id)).toEqual([]);
  });
});

describe('POST /api/keys/register', () => {
  it('replaces the identity, adds the signed prekey as the newest and replaces every one-time prekey', async () => {
    const user = await newMember(3);
    await fetchBundle(user, user.user.id);
    const identity = newIdentity();
    const keys = { ...keyMaterial(identity, 0, 7), one_time_prekeys: oneTimePrekeys(2, 50) };
    clock.advance(1000);
    const response = await post(user, '/api/keys/register', keys);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    const stored = await db
      .selectFrom('identity_keys')
      .selectAll()
      .where('user_id', '=', user.user.id)
      .executeTakeFirstOrThrow();
    expect(stored.fingerprint).toBe(
      createHash('sha256').update(Buffer.from(identity.publicKey)).digest('hex'),
    );
    expect(stored.rotated_at?.getTime()).toBe(clock.now());
    const prekeys = await db
      .selectFrom('one_time_prekeys')
      .select(['key_id', 'used'])
      .where('user_id', '=', user.user.id)
      .orderBy('key_id')
      .execute();
    expect(prekeys).toEqual([
      { key_id: 50, used: false },
      { key_id: 51, used: false },
    ]);
    expect((await fetchBundle(user, user.user.id)).json()).toEqual({
      identity_key: identity.publicKey,
      signed_prekey: keys.signed_prekey,
      one_time_prekey: keys.one_time_prekeys[0],
    });
  });

  it('keeps the one-time prekeys when none are uploaded', async () => {
    const user = await newMember(2);
    const identity = newIdentity();
    const { one_time_prekeys: _none, ...keys } = keyMaterial(identity, 0);
    expect((await post(user, '/api/keys/register', keys)).statusCode).toBe(200);
    expect(await unusedKeyIds(user.user.id)).toEqual([1, 2]);
    expect((await post(user, '/api/keys/register', { ...keys, one_time_prekeys: [] })).statusCode).toBe(200);
    expect(await unusedKeyIds(user.user.id)).toEqual([1, 2]);
  });

  it('refuses bad sizes, signatures and counts, changing nothing', async () => {
    const user = await newMember(2);
    const identity = newIdentity();
    const good = keyMaterial(identity, 1);
    const cases: Array<[unknown, string]> = [
      [{ ...good, identity_key: bytes(31) }, 'identity key must be 32 bytes'],
      [
        { ...good, signed_prekey: { ...good.signed_prekey, public_key: bytes(33) } },
        'signed prekey must be 32 bytes',
      ],
      [
        { ...good, signed_prekey: { ...good.signed_prekey, signature: bytes(63) } },
        'signature must be 64 bytes',
      ],
      [
        { ...good, signed_prekey: newIdentity().signedPrekey(1) },
        'signed prekey signature verification failed',
      ],
      [{ ...good, one_time_prekeys: oneTimePrekeys(201) }, 'maximum 200 one-time prekeys per upload'],
      [
        { ...good, one_time_prekeys: [{ key_id: 1, public_key: bytes(31) }] },
        'one-time prekeys must be 32 bytes',
      ],
    ];
    for (const [body, message] of cases) {
      const response = await post(user, '/api/keys/register', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(invalid(message));
    }
    const outOfRange = { ...good, signed_prekey: { ...good.signed_prekey, key_id: 2 ** 31 } };
    expect((await post(user, '/api/keys/register', outOfRange)).statusCode).toBe(400);
    expect(await unusedKeyIds(user.user.id)).toEqual([1, 2]);
    expect((await fetchBundle(user, user.user.id)).json().identity_key).toEqual(user.keys.identity_key);
    expect((await post(null, '/api/keys/register', good)).statusCode).toBe(401);
  });
});

describe('POST /api/keys/prekeys/signed', () => {
  it('rotates: the bundle serves the newest signed prekey and older ones stay', async () => {
    const user = await newMember(0);
    const rotated = user.identity.signedPrekey(2);
    clock.advance(1000);
    const response = await post(user, '/api/keys/prekeys/signed', rotated);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect((await fetchBundle(user, user.user.id)).json().signed_prekey).toEqual(rotated);
    const again = user.identity.signedPrekey(1);
    clock.advance(1000);
    expect((await post(user, '/api/keys/prekeys/signed', again)).statusCode).toBe(200);
    expect((await fetchBundle(user, user.user.id)).json().signed_prekey).toEqual(again);
    const keyIds = await db
      .selectFrom('signed_prekeys')
      .select('key_id')
      .where('user_id', '=', user.user.id)
      .orderBy('key_id')
      .execute();
    expect(keyIds).toEqual([{ key_id: 1 }, { key_id: 2 }]);
  });

  it('refuses bad sizes and a signature by another key, keeping the served prekey', async () => {
    const user = await newMember(0);
    const good = user.identity.signedPrekey(3);
    const cases: Array<[unknown, string]> = [
      [{ ...good, public_key: bytes(31) }, 'signed prekey must be 32 bytes'],
      [{ ...good, signature: bytes(65) }, 'signature must be 64 bytes'],
      [newIdentity().signedPrekey(3), 'signed prekey signature verification failed'],
      [{ ...good, signature: bytes(64) }, 'signed prekey signature verification failed'],
    ];
    for (const [body, message] of cases) {
      const response = await post(user, '/api/keys/prekeys/signed', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(invalid(message));
    }
    expect((await fetchBundle(user, user.user.id)).json().signed_prekey).toEqual(user.keys.signed_prekey);
    expect((await post(null, '/api/keys/prekeys/signed', good)).statusCode).toBe(401);
  });

  it('needs a registered identity key', async () => {
    const user = await newMember(0);
    await db.deleteFrom('identity_keys').where('user_id', '=', user.user.id).execute();
    const response = await post(user, '/api/keys/prekeys/signed', user.identity.signedPrekey(2));
    expect(response.json()).toEqual(invalid('must register identity key before uploading signed prekey'));
  });

  it('is cleaned up 30 days after it was replaced, never the newest', async () => {
    const user = await newMember(0);
    const day = 24 * 3600_000;
    const insert = (keyId: number, age: number) =>
      db
        .insertInto('signed_prekeys')
        .values({
          id: uuidv7(),
          user_id: user.user.id,
          key_id: keyId,
          public_key: Buffer.alloc(32),
          signature: Buffer.alloc(64),
          created_at: new Date(clock.now() - age),
        })
        .execute();
    await db.deleteFrom('signed_prekeys').where('user_id', '=', user.user.id).execute();
    await insert(1, 90 * day);
    await insert(2, 31 * day);
    await insert(3, 29 * day);
    await insert(4, 40 * day);
    const loner = await newMember(0);
    await db
      .updateTable('signed_prekeys')
      .set({ created_at: new Date(clock.now() - 400 * day) })
      .where('user_id', '=', loner.user.id)
      .execute();
    expect(await runCleanup(db, clock)).toMatchObject({ supersededSignedPrekeys: 2 });
    const left = await db
      .selectFrom('signed_prekeys')
      .select('key_id')
      .where('user_id', 'in', [user.user.id, loner.user.id])
      .orderBy('key_id')
      .execute();
    expect(left).toEqual([{ key_id: 1 }, { key_id: 2 }, { key_id: 3 }]);
  });
});

describe('POST /api/keys/prekeys/one-time', () => {
  it('adds one-time prekeys from a bare array, silently skipping known key ids', async () => {
    const user = await newMember(2);
    const known = { key_id: 2, public_key: bytes(32) };
    const response = await post(user, '/api/keys/prekeys/one-time', [known, ...oneTimePrekeys(2, 3)]);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(await unusedKeyIds(user.user.id)).toEqual([1, 2, 3, 4]);
    const kept = await db
      .selectFrom('one_time_prekeys')
      .select('public_key')
      .where('user_id', '=', user.user.id)
      .where('key_id', '=', 2)
      .executeTakeFirstOrThrow();
    expect([...kept.public_key]).toEqual(user.keys.one_time_prekeys[1]?.public_key);
    expect(await countOf(user)).toEqual({ count: 4 });
  });

  it('refuses more than 200 per upload, keys that are not 32 bytes and bodies that are not arrays', async () => {
    const user = await newMember(0);
    const cases: Array<[unknown, string]> = [
      [oneTimePrekeys(201), 'maximum 200 one-time prekeys per upload'],
      [[...oneTimePrekeys(1), { key_id: 9, public_key: bytes(33) }], 'one-time prekeys must be 32 bytes'],
    ];
    for (const [body, message] of cases) {
      const response = await post(user, '/api/keys/prekeys/one-time', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(invalid(message));
    }
    expect(
      (await post(user, '/api/keys/prekeys/one-time', { key_id: 1, public_key: bytes(32) })).statusCode,
    ).toBe(400);
    expect(await unusedKeyIds(user.user.id)).toEqual([]);
    expect((await post(null, '/api/keys/prekeys/one-time', [])).statusCode).toBe(401);
  });

  it('caps the unused one-time prekeys of a user at 1,000', async () => {
    const user = await newMember(0);
    for (let first = 1; first < 1000; first += 200) {
      expect((await post(user, '/api/keys/prekeys/one-time', oneTimePrekeys(200, first))).statusCode).toBe(
        200,
      );
    }
    const response = await post(user, '/api/keys/prekeys/one-time', oneTimePrekeys(1, 1001));
    expect(response.json()).toEqual(invalid('at most 1000 unused one-time prekeys per user'));
    expect(await countOf(user)).toEqual({ count: 1000 });
  });
});

describe('GET /api/keys/prekeys/count', () => {
  it("counts the caller's unused one-time prekeys only", async () => {
    const user = await newMember(3);
    expect(await countOf(user)).toEqual({ count: 3 });
    await fetchBundle(user, user.user.id);
    expect(await countOf(user)).toEqual({ count: 2 });
    expect((await call(app, { method: 'GET', url: '/api/keys/prekeys/count' })).statusCode).toBe(401);
  });
});
