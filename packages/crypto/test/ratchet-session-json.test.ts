import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  deserializeSession,
  type RatchetSession,
  serializeSession,
  toHex,
  toNumberArray,
} from '../src/index.js';
import { establishSessions, expectCryptoError } from './helpers.js';
import { receive, sendAll, sendMany } from './ratchet-helpers.js';

const UPSTREAM_FIELDS = [
  'dh_sending_private',
  'dh_sending_public',
  'dh_receiving_key',
  'root_key',
  'sending_chain_key',
  'receiving_chain_key',
  'send_count',
  'recv_count',
  'previous_send_count',
  'skipped_keys',
];

/** A session as upstream's serde_json writes it: our field names minus our additions, no skipped keys. */
function upstreamJson(session: RatchetSession): string {
  const { previous_receiving_chains: _, ...rest } = JSON.parse(serializeSession(session));
  return JSON.stringify({ ...rest, skipped_keys: {} });
}

function sessionWithSkippedKeys(): RatchetSession {
  const { alice, bob } = establishSessions();
  const [, messages] = sendMany(alice, 3);
  return receive(bob, messages[2], 'message 2', { now: 1234 });
}

describe('serializeSession', () => {
  it('writes upstream’s fields in order, as number arrays, then our extension', () => {
    const session = sessionWithSkippedKeys();
    const json = JSON.parse(serializeSession(session));
    expect(Object.keys(json)).toEqual([...UPSTREAM_FIELDS, 'previous_receiving_chains']);
    expect(json.root_key).toEqual(toNumberArray(session.rootKey));
    expect(json.recv_count).toBe(3);
    const ratchetKey = toHex(session.dhReceivingKey as Uint8Array);
    expect(Object.keys(json.skipped_keys)).toEqual([`${ratchetKey}:0`, `${ratchetKey}:1`]);
    expect(json.skipped_keys[`${ratchetKey}:0`]).toEqual({ key: expect.any(Array), stored_at: 1234 });
    expect(json.skipped_keys[`${ratchetKey}:0`].key).toHaveLength(32);
  });

  it('round-trips exactly, including skipped keys and previous chains', () => {
    const { alice, bob } = establishSessions();
    const [alice1, [a0]] = sendAll(alice, ['a0']);
    const bob1 = receive(bob, a0, 'a0');
    const [, [b0, b1]] = sendAll(bob1, ['b0', 'b1']);
    const alice2 = receive(alice1, b1, 'b1');
    expect(alice2.previousReceivingChains).toHaveLength(1);
    const restored = deserializeSession(serializeSession(alice2));
    expect(restored).toEqual(alice2);
    expect(serializeSession(restored)).toBe(serializeSession(alice2));
    receive(restored, b0, 'b0');
  });
});

describe('deserializeSession with upstream state', () => {
  it('continues a conversation from upstream-shaped state on both sides', () => {
    const { alice, bob } = establishSessions();
    const [alice1, [a0, a1]] = sendAll(alice, ['a0', 'a1']);
    const bob1 = deserializeSession(upstreamJson(receive(bob, a0, 'a0')));
    const bob2 = receive(bob1, a1, 'a1');
    const [, [b0]] = sendAll(bob2, ['b0']);
    receive(deserializeSession(upstreamJson(alice1)), b0, 'b0');
  });

  it('accepts a fresh responder state with null chains', () => {
    const { alice, bob } = establishSessions();
    const json = upstreamJson(bob);
    expect(JSON.parse(json)).toMatchObject({ dh_receiving_key: null, sending_chain_key: null });
    const [, [a0]] = sendAll(alice, ['a0']);
    receive(deserializeSession(json), a0, 'a0');
  });
});

describe('deserializeSession rejects malformed input with CryptoError', () => {
  const valid = JSON.parse(serializeSession(sessionWithSkippedKeys()));
  const skippedId = Object.keys(valid.skipped_keys)[0] as string;
  const entry = valid.skipped_keys[skippedId];

  it.each<[string, unknown]>([
    ['an array', []],
    ['null', null],
    ['a string', 'session'],
    ['no root key', { ...valid, root_key: undefined }],
    ['a short root key', { ...valid, root_key: valid.root_key.slice(1) }],
    ['a byte above 255', { ...valid, dh_sending_public: Array(32).fill(300) }],
    ['a string key', { ...valid, sending_chain_key: 'abc' }],
    ['a negative count', { ...valid, send_count: -1 }],
    ['a fractional count', { ...valid, recv_count: 0.5 }],
    ['a count beyond u32', { ...valid, previous_send_count: 2 ** 32 }],
    ['a missing count', { ...valid, recv_count: undefined }],
    ['skipped keys as an array', { ...valid, skipped_keys: [] }],
    [
      'a skipped id without number',
      { ...valid, skipped_keys: { [skippedId.split(':')[0] as string]: entry } },
    ],
    ['an upper-case skipped id', { ...valid, skipped_keys: { [skippedId.toUpperCase()]: entry } }],
    [
      'a skipped number with a leading zero',
      { ...valid, skipped_keys: { [`${skippedId.split(':')[0]}:01`]: entry } },
    ],
    [
      'a skipped number beyond u32',
      { ...valid, skipped_keys: { [`${skippedId.split(':')[0]}:4294967296`]: entry } },
    ],
    ['a bare skipped key (no stored_at)', { ...valid, skipped_keys: { [skippedId]: entry.key } }],
    ['a negative stored_at', { ...valid, skipped_keys: { [skippedId]: { ...entry, stored_at: -5 } } }],
    ['a short skipped key', { ...valid, skipped_keys: { [skippedId]: { ...entry, key: [1, 2] } } }],
    ['previous chains as an object', { ...valid, previous_receiving_chains: {} }],
    [
      'a previous chain without length',
      { ...valid, previous_receiving_chains: [{ ratchet_key: 'ab'.repeat(32) }] },
    ],
    [
      'a previous chain with a short key',
      { ...valid, previous_receiving_chains: [{ ratchet_key: 'ab', length: 1 }] },
    ],
  ])('%s', (_, json) => {
    expectCryptoError(() => deserializeSession(JSON.stringify(json)), 'invalid_encoding');
  });

  it('rejects text that is not JSON', () => {
    expectCryptoError(() => deserializeSession('{"root_key":'), 'invalid_encoding');
    expectCryptoError(() => deserializeSession(''), 'invalid_encoding');
  });

  it('throws only CryptoError for arbitrary JSON and for any field replaced by arbitrary JSON', () => {
    const onlyCryptoErrors = (json: string) => {
      try {
        deserializeSession(json);
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
      }
    };
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyCryptoErrors(JSON.stringify(value))));
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(valid)), fc.jsonValue(), (field, value) =>
        onlyCryptoErrors(JSON.stringify({ ...valid, [field]: value })),
      ),
    );
  });
});
