import {
  decodeEnvelope,
  deserializeSession,
  distributionFromSenderState,
  encodeDmEnvelope,
  encodeGroupEnvelope,
  generateIdentity,
  generateOneTimePrekeys,
  generateSenderKey,
  generateSignedPrekey,
  initInitiator,
  initResponder,
  type RatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
  receiverFromDistribution,
  senderKeyDecrypt,
  senderKeyEncrypt,
  serializeSession,
  utf8Encode,
  x3dhInitiate,
  x3dhRespond,
} from '../src/index.js';
import { measure, type WorkloadResult } from './measure.js';
import { sessionWorkloads } from './session-workload.js';

export type { WorkloadResult } from './measure.js';

/**
 * The crypto benchmark's workloads, with no Node or DOM APIs so the same code runs in Node and in the
 * browser bundle: a 1 KiB message through a Double Ratchet DM session and through a sender-key chain,
 * each encrypted into the wire envelope and decrypted from it, as a client does per message.
 */
export interface WorkloadOptions {
  /** Messages per measured run (bounded count). */
  messages: number;
  messageBytes: number;
}

type Clock = () => number;

export async function runWorkloads(now: Clock, options: WorkloadOptions): Promise<WorkloadResult[]> {
  const plaintext = utf8Encode('x'.repeat(options.messageBytes));
  return [
    ...dmWorkloads(now, plaintext, options.messages),
    ...(await sessionWorkloads(now, plaintext, options.messages)),
    ...groupWorkloads(now, plaintext, options.messages),
  ];
}

function dmWorkloads(now: Clock, plaintext: Uint8Array, count: number): WorkloadResult[] {
  let { sender, receiver } = dmPair();
  const envelopes: Uint8Array[] = [];
  const encrypt = measure('DM encrypt (1 KiB)', now, count, () => {
    const result = ratchetEncrypt(sender, plaintext);
    sender = result.session;
    envelopes.push(encodeDmEnvelope({ message: result.message }));
  });
  const decrypt = measure('DM decrypt (1 KiB)', now, count, (index) => {
    receiver = ratchetDecrypt(receiver, dmMessage(envelopes[index])).session;
  });
  const replay = dmPair();
  let replaySender = replay.sender;
  let stored = serializeSession(replay.receiver);
  const fresh: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const result = ratchetEncrypt(replaySender, plaintext);
    replaySender = result.session;
    fresh.push(encodeDmEnvelope({ message: result.message }));
  }
  const decryptStored = measure('DM decrypt + load/store session', now, count, (index) => {
    const session = deserializeSession(stored);
    stored = serializeSession(ratchetDecrypt(session, dmMessage(fresh[index])).session);
  });
  return [encrypt, decrypt, decryptStored];
}

function groupWorkloads(now: Clock, plaintext: Uint8Array, count: number): WorkloadResult[] {
  let sender = generateSenderKey(utf8Encode('bench-sender'));
  let receiver = receiverFromDistribution(distributionFromSenderState(sender));
  const envelopes: Uint8Array[] = [];
  const encrypt = measure('group encrypt (1 KiB)', now, count, () => {
    const result = senderKeyEncrypt(sender, plaintext);
    sender = result.state;
    envelopes.push(encodeGroupEnvelope(result.message));
  });
  const decrypt = measure('group decrypt (1 KiB)', now, count, (index) => {
    const decoded = decodeEnvelope(at(envelopes, index));
    if (decoded.kind !== 'group') throw new Error(`expected a group envelope, got ${decoded.kind}`);
    receiver = senderKeyDecrypt(receiver, decoded.message).state;
  });
  return [encrypt, decrypt];
}

function dmPair(): { sender: RatchetSession; receiver: RatchetSession } {
  const alice = generateIdentity();
  const bob = generateIdentity();
  const signedPrekey = generateSignedPrekey(bob, 1);
  const [oneTime] = generateOneTimePrekeys(1, 1);
  if (!oneTime) throw new Error('no one-time prekey generated');
  const bundle = {
    identityKey: bob.publicKey,
    signedPrekey: {
      keyId: signedPrekey.keyId,
      publicKey: signedPrekey.keyPair.publicKey,
      signature: signedPrekey.signature,
    },
    oneTimePrekey: { keyId: oneTime.keyId, publicKey: oneTime.keyPair.publicKey },
  };
  const initiated = x3dhInitiate(alice, bundle);
  const sharedSecret = x3dhRespond(bob, signedPrekey.keyPair, oneTime.keyPair, initiated.header);
  return {
    sender: initInitiator(initiated.sharedSecret, signedPrekey.keyPair.publicKey),
    receiver: initResponder(sharedSecret, signedPrekey.keyPair),
  };
}

function dmMessage(envelope: Uint8Array | undefined) {
  const decoded = decodeEnvelope(at([envelope], 0));
  if (decoded.kind !== 'dm') throw new Error(`expected a DM envelope, got ${decoded.kind}`);
  return decoded.message;
}

function at<T>(items: Array<T | undefined>, index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}
