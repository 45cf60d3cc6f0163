import { beforeEach, describe, expect, it } from 'vitest';
import { isCryptoError } from '../../src/index.js';
import {
  createParty,
  envelopeJson,
  expectUnchanged,
  FakeServer,
  type Party,
  read,
  text,
  toEnvelope,
} from './harness.js';

let server: FakeServer;
let alice: Party;
let bob: Party;

beforeEach(async () => {
  server = new FakeServer();
  alice = await createParty(server, 'alice');
  bob = await createParty(server, 'bob');
});

const rejectsWith = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCryptoError(error) && error.code).toBe(code);
};

describe('DmSessions: first messages', () => {
  it('produces upstream-compatible v1 envelopes and decrypts them', async () => {
    const envelope = await alice.dm.encrypt('bob', text('hello'));
    expect(Object.keys(envelopeJson(envelope))).toEqual(['v', 'x3dh', 'header', 'ciphertext', 'nonce']);
    expect(envelopeJson(envelope).v).toBe(1);
    const result = await bob.dm.decrypt('alice', envelope);
    expect(result).toEqual({ plaintext: text('hello'), identityChanged: false });
  });

  it('attaches the X3DH block to every message until the peer answers, so a lost first message breaks nothing', async () => {
    const first = envelopeJson(await alice.dm.encrypt('bob', text('lost')));
    const second = await alice.dm.encrypt('bob', text('second'));
    const third = await alice.dm.encrypt('bob', text('third'));
    // Repeats travel under `x3dh_resend`: a reference client would run X3DH again on each `x3dh` block.
    const [a, b] = [envelopeJson(second).x3dh_resend, envelopeJson(third).x3dh_resend];
    expect(envelopeJson(second).x3dh).toBeUndefined();
    expect(a).toEqual(first.x3dh);
    expect(b).toEqual(a);
    expect(server.bundleFetches).toBe(1);

    expect(read((await bob.dm.decrypt('alice', third)).plaintext)).toBe('third');
    expect(read((await bob.dm.decrypt('alice', second)).plaintext)).toBe('second');
    expect((await bob.store.getDmSession('alice'))?.sessions).toHaveLength(1);

    await alice.dm.decrypt('bob', await bob.dm.encrypt('alice', text('reply')));
    const afterReply = envelopeJson(await alice.dm.encrypt('bob', text('after reply')));
    expect(afterReply.x3dh ?? afterReply.x3dh_resend).toBeUndefined();
  });

  it('deletes the consumed one-time prekey only when the first message decrypted', async () => {
    const envelope = await alice.dm.encrypt('bob', text('hi'));
    const oneTimeId = (envelopeJson(envelope).x3dh as { one_time_prekey_id: number }).one_time_prekey_id;
    const tampered = envelopeJson(envelope);
    const ciphertext = tampered.ciphertext as number[];
    ciphertext[0] = (ciphertext[0] as number) ^ 1;
    const before = bob.store.snapshot();
    await rejectsWith(bob.dm.decrypt('alice', toEnvelope(tampered)), 'decrypt_failed');
    expectUnchanged(bob.store, before);
    expect(await bob.store.getOneTimePrekey(oneTimeId)).toBeDefined();

    await bob.dm.decrypt('alice', envelope);
    expect(await bob.store.getOneTimePrekey(oneTimeId)).toBeUndefined();
  });

  it('fails explicitly on an unknown one-time prekey instead of dropping DH4', async () => {
    const envelope = envelopeJson(await alice.dm.encrypt('bob', text('hi')));
    (envelope.x3dh as { one_time_prekey_id: number }).one_time_prekey_id = 4242;
    await rejectsWith(bob.dm.decrypt('alice', toEnvelope(envelope)), 'unknown_prekey');
  });

  it('fails explicitly on a missing signed prekey', async () => {
    const envelope = envelopeJson(await alice.dm.encrypt('bob', text('hi')));
    (envelope.x3dh as { signed_prekey_id: number }).signed_prekey_id = 9;
    await rejectsWith(bob.dm.decrypt('alice', toEnvelope(envelope)), 'unknown_prekey');
  });

  it('rejects what is not a DM envelope', async () => {
    await rejectsWith(bob.dm.decrypt('alice', text('plain text')), 'unsupported_envelope');
  });
});

describe('DmSessions: state changes only on success', () => {
  it('rejects a duplicate without changing anything', async () => {
    const envelope = await alice.dm.encrypt('bob', text('once'));
    await bob.dm.decrypt('alice', envelope);
    const before = bob.store.snapshot();
    await rejectsWith(bob.dm.decrypt('alice', envelope), 'duplicate_message');
    expectUnchanged(bob.store, before);
  });

  it('leaves the store untouched when the commit fails, and the message still decrypts afterwards', async () => {
    const envelope = await alice.dm.encrypt('bob', text('atomic'));
    const before = bob.store.snapshot();
    bob.store.failNextCommit();
    await expect(bob.dm.decrypt('alice', envelope, { messageId: 'm1' })).rejects.toThrow('simulated');
    expectUnchanged(bob.store, before);
    expect(read((await bob.dm.decrypt('alice', envelope, { messageId: 'm1' })).plaintext)).toBe('atomic');
  });

  it('does not advance the sending state when the commit of an encrypt fails', async () => {
    await bob.dm.decrypt('alice', await alice.dm.encrypt('bob', text('start')));
    const before = alice.store.snapshot();
    alice.store.failNextCommit();
    await expect(alice.dm.encrypt('bob', text('x'))).rejects.toThrow('simulated');
    expectUnchanged(alice.store, before);
  });

  it('serialises concurrent decrypts of one peer (a burst of reordered messages)', async () => {
    const envelopes = [];
    for (let i = 0; i < 6; i++) envelopes.push(await alice.dm.encrypt('bob', text(`m${i}`)));
    const results = await Promise.all(envelopes.reverse().map((e) => bob.dm.decrypt('alice', e)));
    expect(results.map((r) => read(r.plaintext))).toEqual(['m5', 'm4', 'm3', 'm2', 'm1', 'm0']);
  });
});

describe('DmSessions: plaintext cache', () => {
  it('returns the cached plaintext when history is re-read, instead of a duplicate error', async () => {
    const envelope = await alice.dm.encrypt('bob', text('history'));
    await bob.dm.decrypt('alice', envelope, { messageId: 'm1' });
    const again = await bob.dm.decrypt('alice', envelope, { messageId: 'm1' });
    expect(read(again.plaintext)).toBe('history');
  });

  it('runs an edit (same id, new ciphertext) through the ratchet and keeps both versions readable', async () => {
    const original = await alice.dm.encrypt('bob', text('helo'));
    const skipped = await alice.dm.encrypt('bob', text('another message'));
    const edit = await alice.dm.encrypt('bob', text('hello'));
    await bob.dm.decrypt('alice', original, { messageId: 'm1' });
    expect(read((await bob.dm.decrypt('alice', edit, { messageId: 'm1' })).plaintext)).toBe('hello');
    expect(read((await bob.dm.decrypt('alice', original, { messageId: 'm1' })).plaintext)).toBe('helo');
    expect(read((await bob.dm.decrypt('alice', skipped, { messageId: 'm2' })).plaintext)).toBe(
      'another message',
    );
  });

  it('reads own sent messages from the cache', async () => {
    const envelope = await alice.dm.encrypt('bob', text('mine'));
    await alice.dm.rememberSent('bob', 'm1', envelope, text('mine'));
    expect(read((await alice.dm.decrypt('bob', envelope, { messageId: 'm1' })).plaintext)).toBe('mine');
  });

  it('answers from the cache only in the conversation the message was read in', async () => {
    await bob.dm.decrypt('alice', await alice.dm.encrypt('bob', text('first')));
    await alice.dm.decrypt('bob', await bob.dm.encrypt('alice', text('reply')));
    const envelope = await alice.dm.encrypt('bob', text('for bob from alice'));
    await bob.dm.decrypt('alice', envelope, { messageId: 'm1' });
    await rejectsWith(bob.dm.decrypt('mallory', envelope, { messageId: 'm1' }), 'decrypt_failed');
  });
});
