import { beforeEach, describe, expect, it } from 'vitest';
import { fingerprint, fromBase64, isCryptoError } from '../../src/index.js';
import {
  clock,
  createParty,
  DAY_MS,
  envelopeJson,
  expectUnchanged,
  FakeServer,
  keysOnly,
  type Party,
  read,
  sessionsFor,
  text,
  toEnvelope,
} from './harness.js';

let server: FakeServer;
let alice: Party;
let bob: Party;

beforeEach(async () => {
  clock.now = 1_700_000_000_000;
  server = new FakeServer();
  alice = await createParty(server, 'alice');
  bob = await createParty(server, 'bob');
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isCryptoError(error) ? error.code : String(error)),
  );

async function exchange(from: Party, to: Party, message: string): Promise<void> {
  const envelope = await from.dm.encrypt(to.userId, text(message));
  expect(read((await to.dm.decrypt(from.userId, envelope)).plaintext)).toBe(message);
}

describe('simultaneous initiation', () => {
  it('decrypts everything both sides sent while each had started its own session', async () => {
    const a1 = await alice.dm.encrypt('bob', text('a1'));
    const b1 = await bob.dm.encrypt('alice', text('b1'));
    const a2 = await alice.dm.encrypt('bob', text('a2'));
    const b2 = await bob.dm.encrypt('alice', text('b2'));
    expect(read((await bob.dm.decrypt('alice', a1)).plaintext)).toBe('a1');
    expect(read((await alice.dm.decrypt('bob', b1)).plaintext)).toBe('b1');
    const a3 = await alice.dm.encrypt('bob', text('a3'));
    const b3 = await bob.dm.encrypt('alice', text('b3'));
    for (const [envelope, expected] of [
      [b3, 'b3'],
      [b2, 'b2'],
    ] as const) {
      expect(read((await alice.dm.decrypt('bob', envelope)).plaintext)).toBe(expected);
    }
    expect(read((await bob.dm.decrypt('alice', a3)).plaintext)).toBe('a3');
    expect(read((await bob.dm.decrypt('alice', a2)).plaintext)).toBe('a2');
    for (let round = 0; round < 3; round++) {
      await exchange(alice, bob, `a-after-${round}`);
      await exchange(bob, alice, `b-after-${round}`);
    }
    expect(envelopeJson(await alice.dm.encrypt('bob', text('settled'))).x3dh).toBeUndefined();
  });
});

describe('session reset', () => {
  it('recovers a session that one side lost, with control "session_reset"', async () => {
    await exchange(alice, bob, 'before');
    await exchange(bob, alice, 'reply');
    const bobAgain = sessionsFor(server, 'bob', await keysOnly(bob.store));
    const unreadable = await alice.dm.encrypt('bob', text('lost on bob'));
    expect(await codeOf(bobAgain.dm.decrypt('alice', unreadable))).toBe('decrypt_failed');

    const reset = await bobAgain.dm.resetSession('alice');
    expect(envelopeJson(reset).reset).toBe(true);
    expect(envelopeJson(reset).x3dh).toBeDefined();
    const result = await alice.dm.decrypt('bob', reset);
    expect(result).toEqual({
      plaintext: new Uint8Array(0),
      identityChanged: false,
      control: 'session_reset',
    });
    await exchange(alice, bobAgain, 'works again');
    await exchange(bobAgain, alice, 'both ways');
  });

  it('still decrypts messages that were in flight across the reset', async () => {
    await exchange(alice, bob, 'start');
    await exchange(bob, alice, 'started');
    const inFlight = await alice.dm.encrypt('bob', text('in flight'));
    await alice.dm.decrypt('bob', await bob.dm.resetSession('alice'));
    expect(read((await bob.dm.decrypt('alice', inFlight)).plaintext)).toBe('in flight');
    await exchange(alice, bob, 'after reset');
  });

  it('rejects a replayed first message whose session was pushed out, instead of rebuilding it', async () => {
    for (let i = 0; i < 100; i++) await server.fetchBundle('bob');
    const first = await alice.dm.encrypt('bob', text('first'));
    expect((envelopeJson(first).x3dh as { one_time_prekey_id: null }).one_time_prekey_id).toBeNull();
    await bob.dm.decrypt('alice', first);
    for (let i = 0; i < 5; i++) await bob.dm.decrypt('alice', await alice.dm.resetSession('bob'));
    expect((await bob.store.getDmSession('alice'))?.sessions).toHaveLength(5);
    const before = bob.store.snapshot();
    expect(await codeOf(bob.dm.decrypt('alice', first))).toBe('duplicate_message');
    expectUnchanged(bob.store, before);
  });

  it('does not treat a non-empty message with a forged reset flag as a control', async () => {
    const envelope = envelopeJson(await alice.dm.encrypt('bob', text('real text')));
    const result = await bob.dm.decrypt('alice', toEnvelope({ ...envelope, reset: true }));
    expect(result.control).toBeUndefined();
    expect(read(result.plaintext)).toBe('real text');
  });
});

describe('peer identity (TOFU with a persistent record)', () => {
  it('records a changed identity only after a message proved it, and resets verification', async () => {
    await exchange(alice, bob, 'hello');
    await exchange(bob, alice, 'hi');
    const status = await alice.dm.peerStatus('bob');
    await alice.dm.verifyPeer('bob', status?.fingerprint);
    expect((await alice.dm.peerStatus('bob'))?.verified).toBe(true);

    const newBob = await createParty(server, 'bob');
    const genuine = await newBob.dm.encrypt('alice', text('new phone'));
    const forged = envelopeJson(genuine);
    const carol = await createParty(server, 'carol');
    const carolIdentity = fromBase64((await carol.store.getIdentity())?.publicKey ?? '');
    (forged.x3dh as { identity_key: number[] }).identity_key = Array.from(carolIdentity);
    const before = alice.store.snapshot();
    expect(await codeOf(alice.dm.decrypt('bob', toEnvelope(forged)))).not.toBe('resolved');
    expectUnchanged(alice.store, before);

    const result = await alice.dm.decrypt('bob', genuine);
    expect(result.identityChanged).toBe(true);
    const changed = await alice.dm.peerStatus('bob');
    expect(changed).toMatchObject({ verified: false, changed: true, changedAt: clock.now });
    expect(changed?.previousFingerprint).toBe(status?.fingerprint);
    expect(changed?.fingerprint).not.toBe(status?.fingerprint);

    await expect(alice.dm.verifyPeer('bob', status?.fingerprint)).rejects.toThrow('changed');
    await alice.dm.verifyPeer('bob', changed?.fingerprint);
    expect(await alice.dm.peerStatus('bob')).toMatchObject({ verified: true, changed: false });
  });

  it('shows the same safety number on both sides', async () => {
    await exchange(alice, bob, 'hello');
    const [mine, theirs] = [await alice.dm.peerStatus('bob'), await bob.dm.peerStatus('alice')];
    expect(mine?.safetyNumber).toMatch(/^(\d{5} ){7}\d{5}$/);
    expect(mine?.safetyNumber).toBe(theirs?.safetyNumber);
    expect(mine?.ownFingerprint).toBe(theirs?.fingerprint);
    const aliceIdentity = await alice.store.getIdentity();
    expect(mine?.ownFingerprint).toBe(fingerprint(fromBase64(aliceIdentity?.publicKey ?? '')));
  });
});

describe('signed prekey rotation', () => {
  it('decrypts a late first message on the previous signed prekey during the grace period only', async () => {
    const late = await alice.dm.encrypt('bob', text('sent before the rotation'));
    const carol = await createParty(server, 'carol');
    const veryLate = await carol.dm.encrypt('bob', text('sent long before'));
    clock.now += 8 * DAY_MS;
    await bob.keys.rotateSignedPrekeyIfDue(async (body) => server.uploadSignedPrekey('bob', body));
    expect(read((await bob.dm.decrypt('alice', late)).plaintext)).toBe('sent before the rotation');

    const dave = await createParty(server, 'dave');
    const onNewKey = await dave.dm.encrypt('bob', text('new key'));
    expect((envelopeJson(onNewKey).x3dh as { signed_prekey_id: number }).signed_prekey_id).toBe(2);
    expect(read((await bob.dm.decrypt('dave', onNewKey)).plaintext)).toBe('new key');

    clock.now += 30 * DAY_MS;
    await bob.keys.rotateSignedPrekeyIfDue(async (body) => server.uploadSignedPrekey('bob', body));
    expect(await codeOf(bob.dm.decrypt('carol', veryLate))).toBe('unknown_prekey');
  });
});

describe('MAX_SKIP through the session layer', () => {
  it('accepts a first message exactly 1000 ahead, and rejects 1001 without changing anything', async () => {
    const envelopes: Uint8Array[] = [];
    for (let i = 0; i <= 1001; i++) envelopes.push(await alice.dm.encrypt('bob', text(`m${i}`)));
    const before = bob.store.snapshot();
    expect(await codeOf(bob.dm.decrypt('alice', envelopes[1001] as Uint8Array))).toBe('too_many_skipped');
    expectUnchanged(bob.store, before);
    expect(read((await bob.dm.decrypt('alice', envelopes[1000] as Uint8Array)).plaintext)).toBe('m1000');
    expect(read((await bob.dm.decrypt('alice', envelopes[1001] as Uint8Array)).plaintext)).toBe('m1001');
    expect(read((await bob.dm.decrypt('alice', envelopes[0] as Uint8Array)).plaintext)).toBe('m0');
  });
});
