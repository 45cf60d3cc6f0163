import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isCryptoError } from '../../src/index.js';
import type { SenderKeyUpload } from '../../src/session/index.js';
import { createParty, envelopeJson, expectUnchanged, FakeServer, type Party, read, text } from './harness.js';

let server: FakeServer;
let alice: Party;
let bob: Party;
let carol: Party;
let uploads: SenderKeyUpload[];

beforeEach(async () => {
  server = new FakeServer();
  alice = await createParty(server, 'alice');
  bob = await createParty(server, 'bob');
  carol = await createParty(server, 'carol');
  uploads = [];
});

const everyone = ['alice', 'bob', 'carol'];

function upload(channelId: string, userId: string) {
  return async (body: SenderKeyUpload) => {
    uploads.push(body);
    server.uploadSenderKey(channelId, userId, body);
  };
}

const send = (from: Party, message: string, members = everyone, channelId = 'c1') =>
  from.group.encrypt(channelId, text(message), members, upload(channelId, from.userId));

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isCryptoError(error) ? error.code : String(error)),
  );

const lastDistribution = () => uploads.at(-1)?.distribution;

describe('GroupSessions: end-to-end distribution', () => {
  it('uploads only encrypted per-member copies and sends §7.2 envelopes', async () => {
    const envelope = await send(alice, 'hello group');
    expect(Object.keys(envelopeJson(envelope))).toEqual(['v', 'sk', 'message']);
    const distribution = lastDistribution();
    expect(Object.keys(distribution ?? {})).toEqual(['v', 'chain_id', 'sender_id', 'recipients']);
    expect(distribution).toMatchObject({ v: 2, chain_id: uploads[0]?.chain_id, sender_id: 'alice' });
    expect(Object.keys(distribution?.recipients ?? {}).sort()).toEqual(['bob', 'carol']);
    const chainKey = JSON.parse((await alice.store.getOwnSenderChain('c1'))?.state ?? '{}')
      .chain_key as number[];
    expect(JSON.stringify(uploads)).not.toContain(JSON.stringify(chainKey).slice(1, -1));

    expect(await bob.group.handleDistribution('c1', 'alice', distribution)).toBe('stored');
    expect(read((await bob.group.decrypt('c1', 'alice', envelope)).plaintext)).toBe('hello group');
    // Carol missed the WS event: the unknown chain is fetched from the server once.
    expect(read((await carol.group.decrypt('c1', 'alice', envelope)).plaintext)).toBe('hello group');
  });

  it('reuses the chain while the member set is unchanged', async () => {
    await send(alice, 'one');
    await send(alice, 'two', ['carol', 'bob', 'alice', 'bob']);
    expect(uploads).toHaveLength(1);
  });

  it('ignores a distribution it already has, without a second DM decrypt', async () => {
    await send(alice, 'one');
    await bob.group.handleDistribution('c1', 'alice', lastDistribution());
    const decrypt = vi.spyOn(bob.dm, 'decrypt');
    expect(await bob.group.handleDistribution('c1', 'alice', lastDistribution())).toBe('known');
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('refuses upstream clear-text (v1) distributions and distributions naming another sender', async () => {
    const v1 = { chain_id: 1, iteration: 0, chain_key: new Array(32).fill(0), sender_id: [97] };
    expect(await codeOf(bob.group.handleDistribution('c1', 'alice', v1))).toBe('unsupported_envelope');
    await send(alice, 'one');
    expect(await codeOf(bob.group.handleDistribution('c1', 'carol', lastDistribution()))).toBe(
      'invalid_encoding',
    );
  });

  it('rejects a distribution replayed into another channel and changes nothing', async () => {
    await send(alice, 'one');
    const before = bob.store.snapshot();
    expect(await codeOf(bob.group.handleDistribution('c2', 'alice', lastDistribution()))).toBe(
      'invalid_encoding',
    );
    expectUnchanged(bob.store, before);
    expect(await bob.group.handleDistribution('c1', 'alice', lastDistribution())).toBe('stored');
  });
});

describe('GroupSessions: membership changes', () => {
  it('rotates when a member leaves: the removed member gets no copy and cannot read', async () => {
    const before = await send(alice, 'before the kick');
    const after = await send(alice, 'after the kick', ['alice', 'bob']);
    expect(uploads).toHaveLength(2);
    expect(Object.keys(lastDistribution()?.recipients ?? {})).toEqual(['bob']);
    expect(await carol.group.handleDistribution('c1', 'alice', lastDistribution())).toBe('not_recipient');
    expect(await codeOf(carol.group.decrypt('c1', 'alice', after))).toBe('unknown_chain');
    expect(read((await bob.group.decrypt('c1', 'alice', after)).plaintext)).toBe('after the kick');
    // Bob missed the first chain's event; after rotation the server only has the new one.
    expect(await codeOf(bob.group.decrypt('c1', 'alice', before))).toBe('unknown_chain');
  });

  it('rotates when a member joins: the new member cannot read what came before', async () => {
    const dave = await createParty(server, 'dave');
    const before = await send(alice, 'before dave');
    const after = await send(alice, 'welcome dave', [...everyone, 'dave']);
    expect(read((await dave.group.decrypt('c1', 'alice', after)).plaintext)).toBe('welcome dave');
    expect(await codeOf(dave.group.decrypt('c1', 'alice', before))).toBe('unknown_chain');
  });

  it('rotates after rotationRequired even with the same members, keeping older chains readable', async () => {
    const first = await send(alice, 'first');
    await bob.group.handleDistribution('c1', 'alice', lastDistribution());
    await alice.group.rotationRequired('c1');
    const second = await send(alice, 'second');
    expect(uploads).toHaveLength(2);
    expect(uploads[1]?.chain_id).not.toBe(uploads[0]?.chain_id);
    expect(read((await bob.group.decrypt('c1', 'alice', second)).plaintext)).toBe('second');
    expect(read((await bob.group.decrypt('c1', 'alice', first)).plaintext)).toBe('first');
  });

  it('keeps at most 8 chains per sender', async () => {
    for (let i = 0; i < 10; i++) {
      await alice.group.rotationRequired('c1');
      await send(alice, `m${i}`);
      await bob.group.handleDistribution('c1', 'alice', lastDistribution());
    }
    const kept = await bob.store.listReceiverChains('c1', 'alice');
    expect(kept.map((chain) => chain.chainId).sort()).toEqual(
      uploads
        .slice(2)
        .map((u) => u.chain_id)
        .sort(),
    );
    expect(await bob.group.handleDistribution('c1', 'alice', uploads[0]?.distribution)).toBe('known');
  });

  it('commits no chain when the upload fails, and tries again on the next send', async () => {
    const failing = async () => {
      throw new Error('403');
    };
    await expect(alice.group.encrypt('c1', text('x'), everyone, failing)).rejects.toThrow('403');
    expect(await alice.store.getOwnSenderChain('c1')).toBeUndefined();
    const envelope = await send(alice, 'retry');
    expect(read((await bob.group.decrypt('c1', 'alice', envelope)).plaintext)).toBe('retry');
  });
});

describe('GroupSessions: decrypt', () => {
  it('rejects duplicates without change, returns cached history, and runs edits through the chain', async () => {
    const original = await send(alice, 'helo');
    const edit = await send(alice, 'hello');
    await bob.group.decrypt('c1', 'alice', original, { messageId: 'm1' });
    const before = bob.store.snapshot();
    expect(await codeOf(bob.group.decrypt('c1', 'alice', original))).toBe('duplicate_message');
    expectUnchanged(bob.store, before);
    expect(read((await bob.group.decrypt('c1', 'alice', original, { messageId: 'm1' })).plaintext)).toBe(
      'helo',
    );
    expect(read((await bob.group.decrypt('c1', 'alice', edit, { messageId: 'm1' })).plaintext)).toBe('hello');
  });

  it('reads own messages from the cache, only as messages of their sender', async () => {
    const envelope = await send(alice, 'mine');
    await alice.group.rememberSent('c1', 'm1', envelope, text('mine'));
    expect(read((await alice.group.decrypt('c1', 'alice', envelope, { messageId: 'm1' })).plaintext)).toBe(
      'mine',
    );
    expect(await codeOf(alice.group.decrypt('c1', 'bob', envelope, { messageId: 'm1' }))).toBe(
      'unknown_chain',
    );
  });

  it('changes nothing when the commit fails', async () => {
    const envelope = await send(alice, 'atomic');
    await bob.group.handleDistribution('c1', 'alice', lastDistribution());
    const before = bob.store.snapshot();
    bob.store.failNextCommit();
    await expect(bob.group.decrypt('c1', 'alice', envelope, { messageId: 'm1' })).rejects.toThrow(
      'simulated',
    );
    expectUnchanged(bob.store, before);
    expect(read((await bob.group.decrypt('c1', 'alice', envelope)).plaintext)).toBe('atomic');
  });

  it('stores the DM step and the chain of a distribution together or not at all', async () => {
    await send(alice, 'x');
    const before = carol.store.snapshot();
    carol.store.failNextCommit();
    await expect(carol.group.handleDistribution('c1', 'alice', lastDistribution())).rejects.toThrow(
      'simulated',
    );
    expectUnchanged(carol.store, before);
    expect(await carol.group.handleDistribution('c1', 'alice', lastDistribution())).toBe('stored');
  });
});
