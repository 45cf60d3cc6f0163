import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aeadEncrypt,
  CryptoError,
  type CryptoErrorCode,
  deserializeReceiverState,
  deserializeSenderState,
  distributionFromJson,
  distributionFromSenderState,
  distributionToJson,
  generateSenderKey,
  type ReceiverKeyState,
  receiverFromDistribution,
  type SenderKeyDecryptOptions,
  type SenderKeyMessage,
  type SenderKeyState,
  senderKeyAdvance,
  senderKeyDecrypt,
  senderKeyEncrypt,
  serializeReceiverState,
  serializeSenderState,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { expectCryptoError } from './helpers.js';

function sendMany(state: SenderKeyState, count: number): [SenderKeyState, SenderKeyMessage[]] {
  const messages: SenderKeyMessage[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const result = senderKeyEncrypt(current, utf8Encode(`m${i}`));
    current = result.state;
    messages.push(result.message);
  }
  return [current, messages];
}

function receive(
  state: ReceiverKeyState,
  message: SenderKeyMessage | undefined,
  options?: SenderKeyDecryptOptions,
): ReceiverKeyState {
  if (!message) throw new Error('missing message');
  const result = senderKeyDecrypt(state, message, options);
  expect(utf8Decode(result.plaintext)).toBe(`m${message.iteration}`);
  return result.state;
}

function expectRejected(
  state: ReceiverKeyState,
  message: SenderKeyMessage | undefined,
  code: CryptoErrorCode,
  options?: SenderKeyDecryptOptions,
): void {
  if (!message) throw new Error('missing message');
  const before = serializeReceiverState(state);
  expectCryptoError(() => senderKeyDecrypt(state, message, options), code);
  expect(serializeReceiverState(state)).toBe(before);
}

const restore = (state: ReceiverKeyState) => deserializeReceiverState(serializeReceiverState(state));

function newChain(): { sender: SenderKeyState; receiver: ReceiverKeyState } {
  const sender = generateSenderKey(utf8Encode('0190c3a2-7e4b-7c11-9a55-3f1e2d4c5b6a'));
  return { sender, receiver: receiverFromDistribution(distributionFromSenderState(sender)) };
}

describe('sender key chains', () => {
  it('generates a random chain at iteration 0', () => {
    const a = newChain().sender;
    const b = newChain().sender;
    expect(a.iteration).toBe(0);
    expect(a.chainKey).toHaveLength(32);
    expect(a.chainKey).not.toEqual(b.chainKey);
    expect(Number.isInteger(a.chainId) && a.chainId >= 0 && a.chainId <= 0xffffffff).toBe(true);
  });

  it('decrypts in order, in reverse and after losses, restoring after every step', () => {
    const { sender, receiver } = newChain();
    const [, messages] = sendMany(sender, 6);
    let state = restore(receive(receiver, messages[0]));
    for (const i of [4, 2, 1, 5]) state = restore(receive(state, messages[i]));
    expect([...state.cachedKeys.keys()]).toEqual([3]);
  });

  it('never mutates its inputs', () => {
    const { sender, receiver } = newChain();
    const senderBefore = serializeSenderState(sender);
    const [, [m0, m1]] = sendMany(sender, 2);
    expect(serializeSenderState(sender)).toBe(senderBefore);
    const receiverBefore = serializeReceiverState(receiver);
    receive(receive(receiver, m1), m0);
    expect(serializeReceiverState(receiver)).toBe(receiverBefore);
  });

  it('rejects duplicates without changing state', () => {
    const { sender, receiver } = newChain();
    const [, [m0, m1, m2]] = sendMany(sender, 3);
    const state = receive(receive(receiver, m0), m2);
    expectRejected(state, m0, 'duplicate_message');
    expectRejected(state, m2, 'duplicate_message');
    expectRejected(receive(state, m1), m1, 'duplicate_message');
  });

  it('rejects another chain as unknown_chain', () => {
    const [, [foreign]] = sendMany(newChain().sender, 1);
    expectRejected(newChain().receiver, foreign, 'unknown_chain');
  });

  it('allows exactly 2000 iterations ahead and rejects 2001', () => {
    const { sender, receiver } = newChain();
    const [, messages] = sendMany(sender, 2002);
    const jumped = receive(receiver, messages[2000]);
    expect(jumped.cachedKeys.size).toBe(2000);
    receive(jumped, messages[0]);
    expectRejected(receiver, messages[2001], 'too_many_skipped');
  });

  it('caps and expires cached keys', () => {
    const day = 24 * 60 * 60 * 1000;
    const { sender, receiver } = newChain();
    const [, messages] = sendMany(sender, 12);
    const capped = receive(receiver, messages[10], { maxCachedKeys: 4, now: 0 });
    expect([...capped.cachedKeys.keys()]).toEqual([6, 7, 8, 9]);
    expectRejected(capped, messages[5], 'duplicate_message');
    receive(capped, messages[6], { now: 29 * day });
    expectRejected(capped, messages[6], 'duplicate_message', { now: 31 * day });
    expectRejected(capped, messages[6], 'duplicate_message', { now: 2 * day, cachedKeyMaxAgeMs: day });
    expect(receive(capped, messages[11], { now: 31 * day }).cachedKeys.size).toBe(0);
  });

  it('lets a member who joins later read only messages from the distributed iteration on', () => {
    const { sender } = newChain();
    const [advanced, early] = sendMany(sender, 3);
    const joiner = receiverFromDistribution(distributionFromSenderState(advanced));
    expect(joiner.iteration).toBe(3);
    const [, [later]] = sendMany(advanced, 1);
    expect(utf8Decode(senderKeyDecrypt(joiner, later as SenderKeyMessage).plaintext)).toBe('m0');
    for (const message of early) expectRejected(joiner, message, 'duplicate_message');
  });
});

describe('sender key tampering and associated data', () => {
  const { sender, receiver } = newChain();
  const [, [m0, m1]] = sendMany(sender, 2);
  const message = m0 as SenderKeyMessage;
  const flip = (bytes: Uint8Array) => bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte));

  it.each<[string, SenderKeyMessage]>([
    ['ciphertext', { ...message, ciphertext: flip(message.ciphertext) }],
    ['nonce', { ...message, nonce: flip(message.nonce) }],
    ['iteration', { ...message, iteration: 1, ciphertext: message.ciphertext }],
    ['swapped ciphertexts', { ...(m1 as SenderKeyMessage), ciphertext: message.ciphertext }],
  ])('rejects a modified %s as decrypt_failed', (_, forged) => {
    expectRejected(receiver, forged, 'decrypt_failed');
  });

  it('rejects malformed messages as invalid_encoding', () => {
    expectRejected(receiver, { ...message, nonce: new Uint8Array(8) }, 'invalid_encoding');
    expectRejected(receiver, { ...message, iteration: -1 }, 'invalid_encoding');
    expectRejected(receiver, { ...message, chainId: 2 ** 32 }, 'invalid_encoding');
  });

  it('accepts empty associated data as upstream’s legacy fallback, and nothing else', () => {
    const { messageKey } = senderKeyAdvance(sender.chainKey);
    const nonce = new Uint8Array(12);
    const seal = (aad: Uint8Array) => ({
      ...message,
      nonce,
      ciphertext: aeadEncrypt(messageKey, nonce, aad, utf8Encode('m0')),
    });
    receive(receiver, seal(new Uint8Array(0)));
    expectRejected(receiver, seal(new Uint8Array(8)), 'decrypt_failed');
  });
});

describe('sender key JSON', () => {
  it('writes the distribution in the spec §6.3 shape and reads it back', () => {
    const distribution = {
      chainId: 0xdeadbeef,
      iteration: 0,
      chainKey: Uint8Array.from({ length: 32 }, (_, i) => i),
      senderId: utf8Encode('0190c3a2-7e4b-7c11-9a55-3f1e2d4c5b6a'),
    };
    const expected =
      '{"chain_id":3735928559,"iteration":0,"chain_key":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31],' +
      '"sender_id":[48,49,57,48,99,51,97,50,45,55,101,52,98,45,55,99,49,49,45,57,97,53,53,45,51,102,49,101,50,100,52,99,53,98,54,97]}';
    expect(JSON.stringify(distributionToJson(distribution))).toBe(expected);
    expect(distributionFromJson(JSON.parse(expected))).toEqual(distribution);
  });

  it('round-trips sender and receiver state, with cached keys', () => {
    const { sender, receiver } = newChain();
    const [advanced, messages] = sendMany(sender, 4);
    expect(Object.keys(JSON.parse(serializeSenderState(advanced)))).toEqual([
      'chain_id',
      'chain_key',
      'iteration',
      'sender_id',
    ]);
    expect(deserializeSenderState(serializeSenderState(advanced))).toEqual(advanced);
    const state = receive(receiver, messages[3], { now: 99 });
    const json = JSON.parse(serializeReceiverState(state));
    expect(json.cached_keys['1']).toEqual({ key: expect.any(Array), stored_at: 99 });
    expect(restore(state)).toEqual(state);
    receive(restore(state), messages[1], { now: 100 });
  });

  it('reads upstream’s receiver state, whose cached keys are bare arrays', () => {
    const { sender, receiver } = newChain();
    const [, messages] = sendMany(sender, 3);
    const json = JSON.parse(serializeReceiverState(receive(receiver, messages[2])));
    const upstream = Object.fromEntries(
      Object.entries(json.cached_keys as Record<string, { key: number[] }>).map(([id, entry]) => [
        id,
        entry.key,
      ]),
    );
    const state = deserializeReceiverState(JSON.stringify({ ...json, cached_keys: upstream }), { now: 5 });
    expect(state.cachedKeys.get(0)?.storedAt).toBe(5);
    receive(receive(state, messages[0], { now: 6 }), messages[1], { now: 6 });
  });

  it.each<[string, unknown]>([
    ['an array', []],
    [
      'a chain id beyond u32',
      { chain_id: 2 ** 32, iteration: 0, chain_key: Array(32).fill(0), sender_id: [] },
    ],
    ['a short chain key', { chain_id: 1, iteration: 0, chain_key: [1], sender_id: [] }],
    ['no sender id', { chain_id: 1, iteration: 0, chain_key: Array(32).fill(0) }],
    ['a negative iteration', { chain_id: 1, iteration: -1, chain_key: Array(32).fill(0), sender_id: [] }],
  ])('rejects %s in every parser', (_, json) => {
    expectCryptoError(() => distributionFromJson(json), 'invalid_encoding');
    expectCryptoError(() => deserializeSenderState(JSON.stringify(json)), 'invalid_encoding');
    expectCryptoError(() => deserializeReceiverState(JSON.stringify(json)), 'invalid_encoding');
  });

  it('rejects malformed cached keys', () => {
    const base = JSON.parse(serializeReceiverState(newChain().receiver));
    for (const cached of [
      [],
      { x: Array(32).fill(0) },
      { '01': Array(32).fill(0) },
      { 1: [1] },
      { 1: { key: [] } },
    ]) {
      expectCryptoError(
        () => deserializeReceiverState(JSON.stringify({ ...base, cached_keys: cached })),
        'invalid_encoding',
      );
    }
    expectCryptoError(() => deserializeReceiverState('not json'), 'invalid_encoding');
  });

  it('throws only CryptoError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const parse of [
          () => distributionFromJson(value),
          () => deserializeSenderState(JSON.stringify(value)),
          () => deserializeReceiverState(JSON.stringify(value)),
        ]) {
          try {
            parse();
          } catch (error) {
            expect(error).toBeInstanceOf(CryptoError);
          }
        }
      }),
    );
  });
});
