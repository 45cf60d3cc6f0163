import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { AuthResponse, RegisterRequest } from '@chatalot/protocol';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Database } from '../src/platform/db/database.js';

let counter = 0;
/** A password that passes every rule. */
export const goodPassword = 'Correct-Horse-9';

function rawPublicKey(key: KeyObject): number[] {
  const jwk = key.export({ format: 'jwk' });
  return [...Buffer.from(jwk.x ?? '', 'base64url')];
}

/** A valid E2E key bundle: an Ed25519 identity key that signs an X25519 prekey. */
export function keyBundle(
  oneTimePrekeys = 2,
): Pick<RegisterRequest, 'identity_key' | 'signed_prekey' | 'one_time_prekeys'> {
  const identity = generateKeyPairSync('ed25519');
  const prekey = rawPublicKey(generateKeyPairSync('x25519').publicKey);
  return {
    identity_key: rawPublicKey(identity.publicKey),
    signed_prekey: {
      key_id: 1,
      public_key: prekey,
      signature: [...sign(null, Buffer.from(prekey), identity.privateKey)],
    },
    one_time_prekeys: Array.from({ length: oneTimePrekeys }, (_, i) => ({
      key_id: i + 1,
      public_key: rawPublicKey(generateKeyPairSync('x25519').publicKey),
    })),
  };
}

export function registrationBody(overrides: Partial<RegisterRequest> = {}): RegisterRequest {
  counter += 1;
  const username = overrides.username ?? `user${process.pid}_${counter}`;
  return {
    username,
    email: `${username}@example.org`,
    password: goodPassword,
    display_name: `User ${counter}`,
    ...keyBundle(),
    ...overrides,
  };
}

export interface TestUser extends AuthResponse {
  username: string;
  password: string;
  /** `Authorization` header for the current access token. */
  headers: { authorization: string };
}

/** Registers through the API, from its own address so that tests do not share rate-limit buckets. */
export async function registerUser(
  app: FastifyInstance,
  overrides: Partial<RegisterRequest> = {},
): Promise<TestUser> {
  const body = registrationBody(overrides);
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: body,
    remoteAddress: nextAddress(),
  });
  if (response.statusCode !== 200)
    throw new Error(`registration failed: ${response.statusCode} ${response.body}`);
  const auth = response.json<AuthResponse>();
  return { ...auth, username: body.username, password: body.password, headers: bearer(auth.access_token) };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

let address = 0;
/** A distinct client address per call (TEST-NET-3 and beyond), so the per-IP rate limits never interfere. */
export function nextAddress(): string {
  address += 1;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
}

/** `inject` from a fresh address. */
export function call(app: FastifyInstance, options: InjectOptions) {
  return app.inject({ remoteAddress: nextAddress(), ...options });
}

/** Suspends an account the way an admin would (the admin API comes later). */
export async function suspend(database: Database, userId: string): Promise<void> {
  await database.db.updateTable('users').set({ suspended_at: new Date() }).where('id', '=', userId).execute();
}
