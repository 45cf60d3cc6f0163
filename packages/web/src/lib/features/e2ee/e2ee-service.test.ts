import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { E2eeService, NEW_KEYS_NOTICE } from './e2ee-service.svelte';
import type { E2eChannel, EncryptedPayload } from './e2ee-types';
import { FakeE2eeServer } from './fake-e2ee-server.testing';

/** A UUIDv7 as the server makes them: the first 48 bits are the creation time. */
function userId(createdAt = Date.now()): string {
  const time = createdAt.toString(16).padStart(12, '0');
  const rest = crypto.randomUUID().replaceAll('-', '');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${rest.slice(13, 16)}-${rest.slice(16, 20)}-${rest.slice(20)}`;
}

interface Client {
  id: string;
  e2ee: E2eeService;
  notices: string[];
  browser: IDBFactory;
}

/** One browser of one user; `browser` stands for the browser's storage. */
function client(server: FakeE2eeServer, id: string, browser = new IDBFactory()): Client {
  const notices: string[] = [];
  const e2ee = new E2eeService({
    api: server.api(id),
    socket: server.socket(id),
    notify: (message) => notices.push(message),
    indexedDB: browser,
  });
  return { id, e2ee, notices, browser };
}

/** The same user and browser after a reload. */
async function reload(server: FakeE2eeServer, user: Client): Promise<Client> {
  user.e2ee.close();
  const again = client(server, user.id, user.browser);
  await again.e2ee.open(user.id);
  return again;
}

/** Registration as the register page does it: keys first, then the account, then `open`. */
async function signUp(server: FakeE2eeServer): Promise<Client> {
  const user = client(server, userId());
  server.register(user.id, await user.e2ee.registrationKeys());
  await user.e2ee.open(user.id);
  return user;
}

const dm = (peer: Client, id = 'dm-1'): E2eChannel => ({ id, kind: 'dm', peerId: peer.id });
let nextMessage = 0;
const message = (sender: Client, payload: EncryptedPayload, id = `m${++nextMessage}`) => ({
  id,
  sender_id: sender.id,
  ciphertext: payload.ciphertext,
});
const text = (payload: Pick<EncryptedPayload, 'ciphertext'>) =>
  new TextDecoder().decode(Uint8Array.from(payload.ciphertext));

describe('e2ee service', () => {
  it('registers with keys made before the account, then exchanges a DM both ways', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    expect(server.calls.filter((call) => call.endsWith('register'))).toEqual([]);
    expect(alice.e2ee.ready).toBe(true);

    const hello = await alice.e2ee.encrypt(dm(bob), 'hello Bob');
    expect(text(hello)).not.toContain('hello Bob');
    expect(JSON.parse(text(hello)).nonce).toEqual(hello.nonce);
    const first = message(alice, hello);
    expect(await bob.e2ee.decrypt(dm(alice), first)).toEqual({ text: 'hello Bob', status: 'encrypted' });
    expect(await bob.e2ee.decrypt(dm(alice), first)).toEqual({ text: 'hello Bob', status: 'encrypted' });

    const reply = message(bob, await bob.e2ee.encrypt(dm(alice), 'hi Alice'));
    await bob.e2ee.rememberSent(dm(alice), reply.id, 'hi Alice');
    expect(await alice.e2ee.decrypt(dm(bob), reply)).toEqual({ text: 'hi Alice', status: 'encrypted' });
    expect(await bob.e2ee.decrypt(dm(alice), reply)).toEqual({ text: 'hi Alice', status: 'encrypted' });

    const edit = { ...first, ciphertext: (await alice.e2ee.encrypt(dm(bob), 'hello Bob!')).ciphertext };
    expect((await bob.e2ee.decrypt(dm(alice), edit)).text).toBe('hello Bob!');
    expect((await bob.e2ee.decrypt(dm(alice), first)).text).toBe('hello Bob');
  });

  it('shows an own message it did not cache as failed, without offering a reset', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    const sent = message(alice, await alice.e2ee.encrypt(dm(bob), 'from elsewhere'));
    const read = await alice.e2ee.decrypt(dm(bob), sent);
    expect(read.status).toBe('failed');
    expect(read.canResetSession).toBeUndefined();
  });

  it('reads group messages through sender keys distributed over DM sessions', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob, carol] = [await signUp(server), await signUp(server), await signUp(server)];
    const channel: E2eChannel = { id: 'c1', kind: 'group', memberIds: [alice.id, bob.id, carol.id] };
    const payload = await alice.e2ee.encrypt(channel, 'hello group');
    expect(JSON.parse(text(payload))).toMatchObject({ v: 1, sk: true });
    const sent = message(alice, payload);
    await alice.e2ee.rememberSent(channel, sent.id, 'hello group', payload.ciphertext);
    for (const reader of [bob, carol, alice]) {
      expect(await reader.e2ee.decrypt(channel, sent)).toEqual({ text: 'hello group', status: 'encrypted' });
    }
  });

  it('starts a new sender chain when the server asks for a rotation', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    const channel: E2eChannel = { id: 'c1', kind: 'group', memberIds: [alice.id, bob.id] };
    const chainOf = (payload: EncryptedPayload) => JSON.parse(text(payload)).message.chain_id;
    const first = await alice.e2ee.encrypt(channel, 'one');
    expect(chainOf(await alice.e2ee.encrypt(channel, 'two'))).toBe(chainOf(first));
    server
      .socket(alice.id)
      .emit({ type: 'sender_key_rotation_required', channel_id: 'c1', reason: 'member_left' });
    await expect
      .poll(async () => chainOf(await alice.e2ee.encrypt(channel, 'three')))
      .not.toBe(chainOf(first));
    const after = message(alice, await alice.e2ee.encrypt(channel, 'four'));
    expect((await bob.e2ee.decrypt(channel, after)).text).toBe('four');
  });

  it('makes and uploads new keys for an account that signs in on a browser without any, and says so', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    await bob.e2ee.decrypt(dm(alice), message(alice, await alice.e2ee.encrypt(dm(bob), 'before')));

    const bobElsewhere = client(server, bob.id);
    await bobElsewhere.e2ee.open(bob.id);
    expect(server.calls).toContain(`${bob.id} register`);
    expect(bobElsewhere.notices).toEqual([NEW_KEYS_NOTICE]);

    const after = message(bobElsewhere, await bobElsewhere.e2ee.resetSession(alice.id));
    expect(await alice.e2ee.decrypt(dm(bobElsewhere), after)).toEqual({ text: '', status: 'control' });
    const reloaded = await reload(server, alice);
    const status = await reloaded.e2ee.peerStatus(bob.id);
    expect(status).toMatchObject({ changed: true, warn: true, verified: false });
    await expect(reloaded.e2ee.acknowledgeKeyChange(bob.id, 'f'.repeat(64))).rejects.toThrow();
    await reloaded.e2ee.acknowledgeKeyChange(bob.id, status?.fingerprint ?? '');
    expect(await (await reload(server, reloaded)).e2ee.peerStatus(bob.id)).toMatchObject({
      changed: true,
      warn: false,
    });
  });

  it('shows both fingerprints and one safety number on both sides, and remembers a verification', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    expect(await alice.e2ee.peerStatus(bob.id)).toBeNull();
    await bob.e2ee.decrypt(dm(alice), message(alice, await alice.e2ee.encrypt(dm(bob), 'hi')));
    const [seenByAlice, seenByBob] = [
      await alice.e2ee.peerStatus(bob.id),
      await bob.e2ee.peerStatus(alice.id),
    ];
    expect(seenByAlice?.safetyNumber).toMatch(/^(\d{5} ){7}\d{5}$/);
    expect(seenByAlice?.safetyNumber).toBe(seenByBob?.safetyNumber);
    expect(seenByAlice?.ownFingerprint).toBe(await alice.e2ee.ownFingerprint());
    expect(seenByAlice?.fingerprint).toBe(seenByBob?.ownFingerprint);
    await expect(alice.e2ee.verify(bob.id, 'f'.repeat(64))).rejects.toThrow();
    await alice.e2ee.verify(bob.id, seenByAlice?.fingerprint ?? '');
    const verified = await (await reload(server, alice)).e2ee.peerStatus(bob.id);
    expect(verified).toMatchObject({ verified: true, changed: false, warn: false });
  });

  it('does not give registration keys to an account that existed before them', async () => {
    const server = new FakeE2eeServer();
    const old = client(server, userId(Date.now() - 86_400_000));
    server.register(old.id, await old.e2ee.registrationKeys());
    const browser = new IDBFactory();
    const failedSignUp = client(server, old.id, browser);
    const pending = await failedSignUp.e2ee.registrationKeys();
    await failedSignUp.e2ee.open(old.id);
    expect(server.accounts.get(old.id)?.identity_key).not.toEqual(pending.identity_key);
    expect(failedSignUp.notices).toEqual([NEW_KEYS_NOTICE]);
  });

  it('sends plaintext when the instance has E2E off, but never inside an encrypted DM', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob, carol] = [await signUp(server), await signUp(server), await signUp(server)];
    await alice.e2ee.encrypt(dm(bob), 'encrypted before');
    expect(alice.e2ee.enabled).toBe(true);
    server.e2eEnabled = false;
    for (const user of [alice, carol]) {
      user.e2ee.close();
      await user.e2ee.open(user.id);
    }
    expect(alice.e2ee).toMatchObject({ enabled: false, configured: true });
    await expect(alice.e2ee.encrypt(dm(bob), 'downgrade?')).rejects.toMatchObject({
      code: 'downgrade_refused',
    });

    const plain = await carol.e2ee.encrypt(dm(bob, 'dm-2'), 'plain words');
    expect(text(plain)).toBe('plain words');
    expect(plain.nonce).toHaveLength(12);
    const group = await carol.e2ee.encrypt({ id: 'c9', kind: 'group', memberIds: [carol.id, bob.id] }, 'hey');
    expect(text(group)).toBe('hey');
  });

  it('refuses to send, with a reason, when the peer has no keys', async () => {
    const server = new FakeE2eeServer();
    const alice = await signUp(server);
    const nobody = client(server, userId());
    await expect(alice.e2ee.encrypt(dm(nobody), 'hello?')).rejects.toMatchObject({
      code: 'encrypt_failed',
      message: 'This person has no encryption keys yet; they need to sign in once.',
    });
  });

  it('marks plaintext where encryption was expected', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    const plain = { id: 'p1', sender_id: bob.id, ciphertext: Array.from(new TextEncoder().encode('sneaky')) };
    expect(await alice.e2ee.decrypt(dm(bob), plain)).toEqual({
      text: 'sneaky',
      status: 'unencrypted_warning',
    });
    const system = { ...plain, message_type: 'system' as const };
    expect(await alice.e2ee.decrypt(dm(bob), system)).toEqual({ text: 'sneaky', status: 'plaintext' });

    server.e2eEnabled = false;
    const offAlice = client(server, alice.id);
    await offAlice.e2ee.open(alice.id);
    const group: E2eChannel = { id: 'c1', kind: 'group', memberIds: [alice.id, bob.id] };
    expect((await offAlice.e2ee.decrypt(group, plain)).status).toBe('plaintext');
    const garbage = { ...plain, ciphertext: [0xff, 0xfe] };
    expect((await alice.e2ee.decrypt(dm(bob), garbage)).status).toBe('failed');
  });

  it('offers a session reset for undecryptable DMs, at most once a minute', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    const lost = message(alice, await alice.e2ee.encrypt(dm(bob), 'one'));
    const tampered = { ...lost, ciphertext: [...lost.ciphertext] };
    const json = JSON.parse(text(lost));
    json.ciphertext[0] ^= 1;
    tampered.ciphertext = Array.from(new TextEncoder().encode(JSON.stringify(json)));
    const read = await bob.e2ee.decrypt(dm(alice), tampered);
    expect(read).toMatchObject({ status: 'failed', canResetSession: true });

    const reset = message(bob, await bob.e2ee.resetSession(alice.id));
    await expect(bob.e2ee.resetSession(alice.id)).rejects.toMatchObject({ code: 'reset_too_soon' });
    expect(await alice.e2ee.decrypt(dm(bob), reset)).toEqual({ text: '', status: 'control' });
    expect(await bob.e2ee.decrypt(dm(alice), reset)).toEqual({ text: '', status: 'control' });
    const next = message(alice, await alice.e2ee.encrypt(dm(bob), 'two'));
    expect((await bob.e2ee.decrypt(dm(alice), next)).text).toBe('two');
  });

  it('tops up one-time prekeys at start-up and on keys_low', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    const account = server.accounts.get(alice.id);
    if (!account) throw new Error('no account');
    account.one_time.splice(0, 80);
    for (let i = 0; i < 11; i++) await server.api(bob.id).fetchKeyBundle(alice.id);
    await expect.poll(() => account.one_time.length).toBe(109);
    expect(account.one_time.at(-1)?.key_id).toBe(200);

    account.one_time.splice(0, 100);
    alice.e2ee.close();
    await alice.e2ee.open(alice.id);
    expect(account.one_time.length).toBe(109);
    expect(new Set(account.one_time.map((key) => key.key_id)).size).toBe(109);
  });

  it('opens the keys of the signed-in user on first use, and follows a change of user', async () => {
    const server = new FakeE2eeServer();
    const [alice, bob] = [await signUp(server), await signUp(server)];
    let signedIn: string | null = bob.id;
    const tab = new E2eeService({
      api: server.api(bob.id),
      socket: server.socket(bob.id),
      notify: () => undefined,
      currentUserId: () => signedIn,
      indexedDB: bob.browser,
    });
    const sent = message(alice, await alice.e2ee.encrypt(dm(bob), 'after a reload'));
    expect((await tab.decrypt(dm(alice), sent)).text).toBe('after a reload');
    signedIn = null;
    tab.close();
    expect((await tab.decrypt(dm(alice), sent)).status).toBe('failed');
  });

  it('stops listening when closed', async () => {
    const server = new FakeE2eeServer();
    const alice = await signUp(server);
    expect(server.socket(alice.id).listeners()).toBe(4);
    alice.e2ee.close();
    expect(server.socket(alice.id).listeners()).toBe(0);
    expect(alice.e2ee.ready).toBe(false);
    await expect(alice.e2ee.encrypt(dm(alice), 'x')).rejects.toMatchObject({ code: 'not_ready' });
  });
});
