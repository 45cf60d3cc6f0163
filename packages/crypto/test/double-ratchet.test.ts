import { describe, expect, it } from 'vitest';
import {
  aeadEncrypt,
  deserializeSession,
  headerAad,
  kdfChainKey,
  type RatchetMessage,
  type RatchetSession,
  ratchetEncrypt,
  serializeSession,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { establishSessions, expectCryptoError } from './helpers.js';
import { expectRejected, receive, sendAll, sendMany } from './ratchet-helpers.js';

const restore = (session: RatchetSession) => deserializeSession(serializeSession(session));
const flip = (bytes: Uint8Array, index = 0) => bytes.map((byte, i) => (i === index ? byte ^ 1 : byte));

describe('Double Ratchet conversation', () => {
  it('exchanges several turns, restoring both sessions after every step', () => {
    let { alice, bob } = establishSessions();
    for (let turn = 0; turn < 4; turn++) {
      const [aliceNext, fromAlice] = sendAll(alice, [`a${turn}.0`, `a${turn}.1`]);
      alice = restore(aliceNext);
      bob = restore(receive(bob, fromAlice[0], `a${turn}.0`));
      bob = restore(receive(bob, fromAlice[1], `a${turn}.1`));
      const [bobNext, fromBob] = sendAll(bob, [`b${turn}`]);
      bob = restore(bobNext);
      alice = restore(receive(alice, fromBob[0], `b${turn}`));
    }
    expect(alice.skippedKeys.size + bob.skippedKeys.size).toBe(0);
  });

  it('uses a new ratchet key for each turn and counts previous chain lengths', () => {
    const { alice, bob } = establishSessions();
    const [alice1, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
    const bob1 = receive(receive(bob, a0, 'a0'), a1, 'a1');
    const [, [b0]] = sendAll(bob1, ['b0']);
    const [, [c0]] = sendAll(receive(alice1, b0, 'b0'), ['c0']);
    expect(b0?.header.ratchetKey).not.toEqual(a0?.header.ratchetKey);
    expect(c0?.header.ratchetKey).not.toEqual(a0?.header.ratchetKey);
    expect(c0?.header).toMatchObject({ previousChainLength: 2, messageNumber: 0 });
  });

  it('does not let the responder send before it has received', () => {
    expectCryptoError(() => ratchetEncrypt(establishSessions().bob, utf8Encode('x')), 'no_sending_chain');
  });

  it('never mutates its input session', () => {
    const { alice, bob } = establishSessions();
    const aliceBefore = serializeSession(alice);
    const [, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
    expect(serializeSession(alice)).toBe(aliceBefore);
    const bobBefore = serializeSession(bob);
    receive(bob, a1, 'a1');
    expect(serializeSession(bob)).toBe(bobBefore);
    const bob1 = receive(bob, a1, 'a1');
    const bob1Before = serializeSession(bob1);
    receive(bob1, a0, 'a0');
    expect(serializeSession(bob1)).toBe(bob1Before);
  });
});

describe('out-of-order and lost messages', () => {
  it('decrypts a chain delivered in reverse', () => {
    const { alice, bob } = establishSessions();
    const [, messages] = sendMany(alice, 5);
    let current = bob;
    for (let i = 4; i >= 0; i--) current = restore(receive(current, messages[i], `message ${i}`));
    expect(current.skippedKeys.size).toBe(0);
  });

  it('keeps working after lost messages, holding their keys for late arrival', () => {
    const { alice, bob } = establishSessions();
    const [, messages] = sendMany(alice, 6);
    const bob1 = receive(receive(bob, messages[1], 'message 1'), messages[5], 'message 5');
    expect([...bob1.skippedKeys.keys()].map((id) => id.split(':')[1])).toEqual(['0', '2', '3', '4']);
    receive(restore(bob1), messages[3], 'message 3');
  });

  it('decrypts messages of an earlier chain that arrive after the next chain', () => {
    const { alice, bob } = establishSessions();
    const [alice1, [a0, a1, a2]] = sendAll(alice, ['a0', 'a1', 'a2']);
    const bob1 = receive(bob, a0, 'a0');
    const [, [b0]] = sendAll(bob1, ['b0']);
    const [, [c0]] = sendAll(receive(alice1, b0, 'b0'), ['c0']);
    const bob2 = restore(receive(bob1, c0, 'c0'));
    expect(bob2.skippedKeys.size).toBe(2);
    const bob3 = receive(receive(bob2, a2, 'a2'), a1, 'a1');
    expect(bob3.skippedKeys.size).toBe(0);
  });
});

describe('duplicates', () => {
  it('rejects a replay in the current chain without changing state', () => {
    const { alice, bob } = establishSessions();
    const [, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
    const bob1 = receive(bob, a0, 'a0');
    expectRejected(bob1, a0, 'duplicate_message');
    const bob2 = receive(bob1, a1, 'a1');
    expectRejected(restore(bob2), a0, 'duplicate_message');
    expectRejected(bob2, a1, 'duplicate_message');
  });

  it('rejects a replay of a message whose skipped key was already used', () => {
    const { alice, bob } = establishSessions();
    const [, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
    const bob1 = receive(receive(bob, a1, 'a1'), a0, 'a0');
    expectRejected(bob1, a0, 'duplicate_message');
  });

  it('rejects a replay from an earlier chain', () => {
    const { alice, bob } = establishSessions();
    const [alice1, [a0]] = sendAll(alice, ['a0']);
    const bob1 = receive(bob, a0, 'a0');
    const [, [b0]] = sendAll(bob1, ['b0']);
    const [, [c0]] = sendAll(receive(alice1, b0, 'b0'), ['c0']);
    const bob2 = restore(receive(bob1, c0, 'c0'));
    expectRejected(bob2, a0, 'duplicate_message');
  });
});

describe('MAX_SKIP', () => {
  const { alice, bob } = establishSessions();
  const [, messages] = sendMany(alice, 1002);

  it('allows a jump of exactly 1000 and rejects 1001 in one chain', () => {
    const jumped = receive(bob, messages[1000], 'message 1000');
    expect(jumped.skippedKeys.size).toBe(1000);
    receive(jumped, messages[0], 'message 0');
    expectRejected(bob, messages[1001], 'too_many_skipped');
  });

  it('applies the same limit to the rest of the previous chain', () => {
    const [alice1, [a0]] = sendAll(alice, ['a0']);
    const bob1 = receive(bob, a0, 'a0');
    const [, [b0]] = sendAll(bob1, ['b0']);
    const nextChainMessage = (extra: number) => {
      const [aliceLater] = sendMany(alice1, extra);
      return sendAll(receive(aliceLater, b0, 'b0'), ['c0'])[1][0];
    };
    const bob2 = receive(bob1, nextChainMessage(1000), 'c0');
    expect(bob2.skippedKeys.size).toBe(1000);
    expectRejected(bob1, nextChainMessage(1001), 'too_many_skipped');
  });
});

describe('skipped-key storage limits', () => {
  it('evicts the oldest keys beyond the default cap of 2000', () => {
    const { alice, bob } = establishSessions();
    const [, messages] = sendMany(alice, 2004);
    let current = receive(bob, messages[1000], 'message 1000', { now: 1 });
    current = receive(current, messages[2000], 'message 2000', { now: 2 });
    expect(current.skippedKeys.size).toBe(1999);
    current = restore(receive(current, messages[2003], 'message 2003', { now: 3 }));
    expect(current.skippedKeys.size).toBe(2000);
    expectRejected(current, messages[0], 'duplicate_message', { now: 4 });
    receive(current, messages[1], 'message 1', { now: 4 });
  });

  it('honours a custom cap', () => {
    const { alice, bob } = establishSessions();
    const [, messages] = sendMany(alice, 11);
    const bob1 = receive(bob, messages[10], 'message 10', { maxSkippedKeys: 3 });
    expect(bob1.skippedKeys.size).toBe(3);
    expectRejected(bob1, messages[6], 'duplicate_message');
    receive(bob1, messages[7], 'message 7');
  });

  it('expires keys after 30 days by default, or after a custom age', () => {
    const day = 24 * 60 * 60 * 1000;
    const { alice, bob } = establishSessions();
    const [, [m0, m1, m2, m3]] = sendMany(alice, 4);
    const bob1 = restore(receive(bob, m2, 'message 2', { now: 0 }));
    const bob2 = receive(bob1, m0, 'message 0', { now: 29 * day });
    expect(bob2.skippedKeys.size).toBe(1);
    expectRejected(bob1, m1, 'duplicate_message', { now: 31 * day });
    expectRejected(bob1, m1, 'duplicate_message', { now: 2 * day, skippedKeyMaxAgeMs: day });
    const bob3 = receive(bob1, m3, 'message 3', { now: 31 * day });
    expect(bob3.skippedKeys.size).toBe(0);
  });
});

describe('tampering', () => {
  const { alice, bob } = establishSessions();
  const [, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
  const bob1 = receive(bob, a0, 'a0');
  const message = a1 as RatchetMessage;
  const tampered = (
    changes: Partial<RatchetMessage['header']> & { ciphertext?: Uint8Array; nonce?: Uint8Array },
  ) => {
    const { ciphertext = message.ciphertext, nonce = message.nonce, ...header } = changes;
    return { header: { ...message.header, ...header }, ciphertext, nonce };
  };

  it.each<[string, RatchetMessage]>([
    ['ciphertext', tampered({ ciphertext: flip(message.ciphertext) })],
    ['tag', tampered({ ciphertext: flip(message.ciphertext, message.ciphertext.length - 1) })],
    ['truncated ciphertext', tampered({ ciphertext: message.ciphertext.slice(0, 10) })],
    ['nonce', tampered({ nonce: flip(message.nonce) })],
    ['ratchet key', tampered({ ratchetKey: flip(message.header.ratchetKey, 5) })],
    ['previous chain length', tampered({ previousChainLength: 1 })],
    ['message number', tampered({ messageNumber: 2 })],
  ])('rejects a modified %s as decrypt_failed without changing state', (_, forged) => {
    expectRejected(bob1, forged, 'decrypt_failed');
    receive(bob1, message, 'a1');
  });

  it('rejects malformed message objects as invalid_encoding', () => {
    const bad = [
      tampered({ ratchetKey: new Uint8Array(31) }),
      tampered({ nonce: new Uint8Array(24) }),
      tampered({ messageNumber: -1 }),
      tampered({ previousChainLength: 1.5 }),
      tampered({ messageNumber: 2 ** 32 }),
    ];
    for (const forged of bad) expectRejected(bob1, forged, 'invalid_encoding');
  });

  it('rejects a message claiming the initiator’s first receiving key (the peer’s signed prekey)', () => {
    const forged = {
      ...message,
      header: { ...message.header, ratchetKey: alice.dhReceivingKey as Uint8Array },
    };
    expectRejected(alice, forged, 'decrypt_failed');
  });
});

describe('associated data', () => {
  const { alice, bob } = establishSessions();
  const sealWith = (aad: (message: RatchetMessage['header']) => Uint8Array): RatchetMessage => {
    const header = {
      ratchetKey: alice.dhSendingPublic as Uint8Array,
      previousChainLength: 0,
      messageNumber: 0,
    };
    const { messageKey } = kdfChainKey(alice.sendingChainKey as Uint8Array);
    const nonce = new Uint8Array(12).fill(7);
    return { header, nonce, ciphertext: aeadEncrypt(messageKey, nonce, aad(header), utf8Encode('legacy')) };
  };

  it('accepts upstream’s pre-AAD messages (empty AAD) as the documented fallback', () => {
    receive(
      bob,
      sealWith(() => new Uint8Array(0)),
      'legacy',
    );
    receive(bob, sealWith(headerAad), 'legacy');
  });

  it('rejects any other associated data', () => {
    expectRejected(
      bob,
      sealWith(() => utf8Encode('{}')),
      'decrypt_failed',
    );
    const pretty = (header: RatchetMessage['header']) =>
      utf8Encode(JSON.stringify(JSON.parse(utf8Decode(headerAad(header))), null, 1));
    expectRejected(bob, sealWith(pretty), 'decrypt_failed');
  });
});
