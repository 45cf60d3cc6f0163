import type { RegisterBody } from '@chatalot/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import { requireLength, verifySignedPrekey } from '../../platform/auth/e2e-keys.js';
import { checkPasswordRules } from '../../platform/auth/password-rules.js';
import { sha256 } from '../../platform/auth/tokens.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { consumeInvite } from '../invites/invite-codes.js';
import { countUsers } from '../users/users.repo.js';
import { checkEmail, checkUsername, normalizeDisplayName } from './account-rules.js';
import type { OwnerSetup } from './owner-setup.js';

const MAX_ONE_TIME_PREKEYS = 200;
/** Serialises registrations so that exactly one first account becomes the owner. */
const REGISTRATION_LOCK_ID = 0x52454749;

export interface RegistrationKeys {
  identityKey: Buffer;
  signedPrekey: { keyId: number; publicKey: Buffer; signature: Buffer };
  oneTimePrekeys: Array<{ keyId: number; publicKey: Buffer }>;
}

/** Every check of rest-api.md §2 that needs no database, in the reference's order. */
export function checkRegistration(body: RegisterBody): { displayName: string; keys: RegistrationKeys } {
  checkUsername(body.username);
  checkEmail(body.email);
  checkPasswordRules(body.password);
  const displayName = normalizeDisplayName(body.display_name);
  const identityKey = requireLength(body.identity_key, 32, 'identity key must be 32 bytes');
  const publicKey = requireLength(body.signed_prekey.public_key, 32, 'signed prekey must be 32 bytes');
  const signature = requireLength(
    body.signed_prekey.signature,
    64,
    'signed prekey signature must be 64 bytes',
  );
  verifySignedPrekey(identityKey, publicKey, signature);
  if (body.one_time_prekeys.length > MAX_ONE_TIME_PREKEYS) {
    throw new AppError('validation_error', `at most ${MAX_ONE_TIME_PREKEYS} one-time prekeys`);
  }
  const oneTimePrekeys = body.one_time_prekeys.map((prekey) => ({
    keyId: prekey.key_id,
    publicKey: requireLength(prekey.public_key, 32, 'one-time prekeys must be 32 bytes'),
  }));
  return {
    displayName,
    keys: {
      identityKey,
      signedPrekey: { keyId: body.signed_prekey.key_id, publicKey, signature },
      oneTimePrekeys,
    },
  };
}

/**
 * The registration mode's cheap refusals, before any validation, lookup or password hashing, so that a
 * closed instance neither tells which names exist nor spends Argon2 time on strangers. The decision
 * that counts is taken again inside the transaction by `admitRegistration`.
 */
export async function precheckMode(
  db: Kysely<Schema>,
  mode: Config['registrationMode'],
  inviteCode: string | undefined,
): Promise<void> {
  if (mode === 'open' || (await countUsers(db)) === 0) return;
  if (mode === 'closed') throw new AppError('validation_error', 'registration is currently disabled');
  if (!inviteCode?.trim()) throw new AppError('validation_error', 'an invite code is required to register');
}

/**
 * Decides inside the registration transaction whether this registration may proceed and whether it
 * creates the owner. Invite codes are consumed atomically, only after every other check passed.
 */
export async function admitRegistration(
  trx: Transaction<Schema>,
  mode: Config['registrationMode'],
  inviteCode: string | undefined,
  ownerSetup: OwnerSetup,
  now: Date,
): Promise<{ firstUser: boolean }> {
  await sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK_ID})`.execute(trx);
  const firstUser = (await countUsers(trx)) === 0;
  if (firstUser) {
    if (mode === 'open') return { firstUser };
    if (inviteCode && (await ownerSetup.matches(trx, inviteCode))) {
      await ownerSetup.consume(trx);
      return { firstUser };
    }
    throw new AppError(
      'validation_error',
      'this instance is not set up yet: register with the owner setup code',
    );
  }
  if (mode === 'closed') throw new AppError('validation_error', 'registration is currently disabled');
  if (mode === 'invite_only') await spendInvite(trx, inviteCode, now);
  return { firstUser };
}

async function spendInvite(trx: Transaction<Schema>, code: string | undefined, now: Date): Promise<void> {
  if (!code?.trim()) throw new AppError('validation_error', 'an invite code is required to register');
  if (!(await consumeInvite(trx, 'registration_invites', { code: code.trim() }, now))) {
    throw new AppError('validation_error', 'invalid, expired, or fully used invite code');
  }
}

export async function storeKeys(
  db: Kysely<Schema> | Transaction<Schema>,
  userId: string,
  keys: RegistrationKeys,
) {
  await db
    .insertInto('identity_keys')
    .values({
      user_id: userId,
      identity_key: keys.identityKey,
      fingerprint: sha256(keys.identityKey).toString('hex'),
    })
    .execute();
  await db
    .insertInto('signed_prekeys')
    .values({
      id: uuidv7(),
      user_id: userId,
      key_id: keys.signedPrekey.keyId,
      public_key: keys.signedPrekey.publicKey,
      signature: keys.signedPrekey.signature,
    })
    .execute();
  if (keys.oneTimePrekeys.length === 0) return;
  await db
    .insertInto('one_time_prekeys')
    .values(
      keys.oneTimePrekeys.map((k) => ({
        id: uuidv7(),
        user_id: userId,
        key_id: k.keyId,
        public_key: k.publicKey,
      })),
    )
    .onConflict((oc) => oc.columns(['user_id', 'key_id']).doNothing())
    .execute();
}
