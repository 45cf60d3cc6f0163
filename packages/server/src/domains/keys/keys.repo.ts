import type { Db } from '../../platform/db/schema.js';
import { uuidv7 } from '../../platform/ids.js';

export interface SignedPrekeyRecord {
  key_id: number;
  public_key: Buffer;
  signature: Buffer;
}

export interface OneTimePrekeyRecord {
  key_id: number;
  public_key: Buffer;
}

export async function findIdentityKey(db: Db, userId: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('identity_keys')
    .select('identity_key')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.identity_key;
}

/** The most recently uploaded signed prekey: the one bundles serve. */
export function findNewestSignedPrekey(db: Db, userId: string): Promise<SignedPrekeyRecord | undefined> {
  return db
    .selectFrom('signed_prekeys')
    .select(['key_id', 'public_key', 'signature'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('key_id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Marks the user's oldest unused one-time prekey as used and returns it. Rows another transaction is claiming
 * are skipped, not waited for, so concurrent fetches never get the same key (data-model.md, OPK claim).
 */
export function claimOneTimePrekey(db: Db, userId: string): Promise<OneTimePrekeyRecord | undefined> {
  const oldestUnused = db
    .selectFrom('one_time_prekeys')
    .select('id')
    .where('user_id', '=', userId)
    .where('used', '=', false)
    .orderBy('created_at')
    .orderBy('key_id')
    .limit(1)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('one_time_prekeys')
    .set({ used: true })
    .where('id', '=', oldestUnused)
    .returning(['key_id', 'public_key'])
    .executeTakeFirst();
}

export async function countUnusedOneTimePrekeys(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('one_time_prekeys')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .where('used', '=', false)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Serialises key uploads of one user until the transaction ends (the unused-prekey cap is then exact). */
export async function lockUserKeys(db: Db, userId: string): Promise<void> {
  await db.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
}

/** Stores or replaces the user's identity key; a replacement records when it happened. */
export async function upsertIdentityKey(
  db: Db,
  key: { userId: string; identityKey: Buffer; fingerprint: string; now: Date },
): Promise<void> {
  await db
    .insertInto('identity_keys')
    .values({
      user_id: key.userId,
      identity_key: key.identityKey,
      fingerprint: key.fingerprint,
      created_at: key.now,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        identity_key: key.identityKey,
        fingerprint: key.fingerprint,
        rotated_at: key.now,
      }),
    )
    .execute();
}

/** Stores a signed prekey; uploading a `key_id` again replaces it and makes it the newest. */
export async function upsertSignedPrekey(
  db: Db,
  userId: string,
  prekey: SignedPrekeyRecord,
  now: Date,
): Promise<void> {
  await db
    .insertInto('signed_prekeys')
    .values({ id: uuidv7(), user_id: userId, ...prekey, created_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'key_id']).doUpdateSet({
        public_key: prekey.public_key,
        signature: prekey.signature,
        created_at: now,
      }),
    )
    .execute();
}

export async function deleteOneTimePrekeys(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('one_time_prekeys').where('user_id', '=', userId).execute();
}

/** Inserts the prekeys whose `key_id` the user does not hold yet; the others are skipped. */
export async function insertOneTimePrekeys(
  db: Db,
  userId: string,
  prekeys: readonly OneTimePrekeyRecord[],
  now: Date,
): Promise<void> {
  if (prekeys.length === 0) return;
  await db
    .insertInto('one_time_prekeys')
    .values(prekeys.map((prekey) => ({ id: uuidv7(), user_id: userId, ...prekey, created_at: now })))
    .onConflict((oc) => oc.columns(['user_id', 'key_id']).doNothing())
    .execute();
}

/**
 * Deletes signed prekeys that a newer one replaced before `before`; the newest of each user always stays.
 * Returns how many went.
 */
export async function deleteSupersededSignedPrekeys(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('signed_prekeys as old')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('signed_prekeys as newer')
          .select('newer.id')
          .whereRef('newer.user_id', '=', 'old.user_id')
          .whereRef('newer.created_at', '>', 'old.created_at')
          .where('newer.created_at', '<', before),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
