import { expect } from 'vitest';
import {
  DmSessions,
  GroupSessions,
  KeyManager,
  MemoryCryptoStore,
  type RegistrationBody,
} from '../../src/session/index.js';

/** A tiny in-memory stand-in for the server's key and sender-key endpoints (spec §3.4); JSON in, JSON out. */
export class FakeServer {
  private readonly keys = new Map<
    string,
    { identity_key: number[]; signed_prekey: unknown; one_time: unknown[] }
  >();
  private readonly senderKeys = new Map<string, Map<string, unknown>>();
  bundleFetches = 0;

  register(userId: string, body: RegistrationBody): void {
    this.keys.set(userId, {
      identity_key: body.identity_key,
      signed_prekey: body.signed_prekey,
      one_time: [...body.one_time_prekeys],
    });
  }

  uploadSignedPrekey(userId: string, body: unknown): void {
    this.account(userId).signed_prekey = body;
  }

  /** GET /api/keys/{id}/bundle: hands out (and consumes) the oldest unused one-time prekey. */
  async fetchBundle(userId: string): Promise<unknown> {
    this.bundleFetches++;
    const account = this.account(userId);
    const oneTime = account.one_time.shift() ?? null;
    return copy({
      identity_key: account.identity_key,
      signed_prekey: account.signed_prekey,
      one_time_prekey: oneTime,
    });
  }

  /** POST /api/channels/{id}/sender-keys: one live distribution per (channel, user). */
  uploadSenderKey(
    channelId: string,
    userId: string,
    body: { chain_id: number; distribution: unknown },
  ): void {
    const channel = this.senderKeys.get(channelId) ?? new Map<string, unknown>();
    channel.set(userId, copy({ user_id: userId, chain_id: body.chain_id, distribution: body.distribution }));
    this.senderKeys.set(channelId, channel);
  }

  deleteSenderKey(channelId: string, userId: string): void {
    this.senderKeys.get(channelId)?.delete(userId);
  }

  async listSenderKeys(channelId: string): Promise<unknown> {
    return copy([...(this.senderKeys.get(channelId)?.values() ?? [])]);
  }

  private account(userId: string) {
    const account = this.keys.get(userId);
    if (!account) throw new Error(`404 key bundle not found for ${userId}`);
    return account;
  }
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export const clock = { now: 1_700_000_000_000 };
export const now = () => clock.now;
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface Party {
  userId: string;
  store: MemoryCryptoStore;
  keys: KeyManager;
  dm: DmSessions;
  group: GroupSessions;
}

/** Session objects over an existing store, as after a page reload. */
export function sessionsFor(server: FakeServer, userId: string, store: MemoryCryptoStore): Party {
  const dm = new DmSessions({ store, fetchBundle: (peerId) => server.fetchBundle(peerId), now });
  const group = new GroupSessions({
    store,
    dm,
    ownUserId: userId,
    fetchDistributions: (channelId) => server.listSenderKeys(channelId),
    now,
  });
  return { userId, store, keys: new KeyManager({ store, now }), dm, group };
}

export async function createParty(server: FakeServer, userId: string): Promise<Party> {
  const party = sessionsFor(server, userId, new MemoryCryptoStore());
  server.register(userId, await party.keys.register());
  return party;
}

/** Registered key material to start many property runs from, without generating keys each time. */
export interface PartyTemplate {
  userId: string;
  store: MemoryCryptoStore;
  registration: RegistrationBody;
}

export async function createTemplate(userId: string): Promise<PartyTemplate> {
  const store = new MemoryCryptoStore();
  return { userId, store, registration: await new KeyManager({ store, now }).register() };
}

export async function partyFrom(server: FakeServer, template: PartyTemplate): Promise<Party> {
  server.register(template.userId, template.registration);
  return sessionsFor(server, template.userId, await keysOnly(template.store));
}

/** A store holding only the key material of `store`: the device lost its sessions but not its keys. */
export async function keysOnly(store: MemoryCryptoStore): Promise<MemoryCryptoStore> {
  const fresh = new MemoryCryptoStore();
  const identity = await store.getIdentity();
  if (!identity) throw new Error('no identity');
  const oneTime = await Promise.all(
    Array.from({ length: await store.highestOneTimePrekeyId() }, (_, index) =>
      store.getOneTimePrekey(index + 1),
    ),
  );
  await fresh.commit([
    { op: 'put', store: 'identity', value: identity },
    ...(await store.listSignedPrekeys()).map(
      (value) => ({ op: 'put', store: 'signedPrekeys', value }) as const,
    ),
    ...oneTime.flatMap((value) => (value ? [{ op: 'put', store: 'oneTimePrekeys', value } as const] : [])),
  ]);
  return fresh;
}

export const text = (value: string) => new TextEncoder().encode(value);
export const read = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The envelope as JSON, to inspect or tamper with. */
export function envelopeJson(bytes: Uint8Array): Record<string, unknown> {
  return JSON.parse(read(bytes)) as Record<string, unknown>;
}

export function toEnvelope(json: unknown): Uint8Array {
  return text(JSON.stringify(json));
}

/** Compares snapshots without printing megabytes of key material on failure. */
export function expectUnchanged(store: MemoryCryptoStore, before: string): void {
  expect(store.snapshot() === before, 'the store changed').toBe(true);
}
