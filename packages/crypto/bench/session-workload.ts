import { DmSessions, KeyManager, MemoryCryptoStore, type RegistrationBody } from '../src/index.js';
import { measureAsync, type WorkloadResult } from './measure.js';

/**
 * The DM path as a client runs it: DmSessions over a store (in memory here), with its lock, load, ratchet
 * step, plaintext cache and atomic commit per message.
 */
export async function sessionWorkloads(
  now: () => number,
  plaintext: Uint8Array,
  count: number,
): Promise<WorkloadResult[]> {
  const alice = await member();
  const bob = await member();
  alice.peers.set('bob', bob.registration);
  bob.peers.set('alice', alice.registration);
  await bob.dm.decrypt('alice', await alice.dm.encrypt('bob', plaintext));
  await alice.dm.decrypt('bob', await bob.dm.encrypt('alice', plaintext));

  const envelopes: Uint8Array[] = [];
  const encrypt = await measureAsync('DM encrypt via session store', now, count, async () => {
    envelopes.push(await alice.dm.encrypt('bob', plaintext));
  });
  const decrypt = await measureAsync('DM decrypt via session store', now, count, async (index) => {
    const envelope = envelopes[index];
    if (!envelope) throw new Error(`no envelope ${index}`);
    await bob.dm.decrypt('alice', envelope, { messageId: `m${index}` });
  });
  return [encrypt, decrypt];
}

async function member() {
  const store = new MemoryCryptoStore();
  const registration = await new KeyManager({ store }).register();
  const peers = new Map<string, RegistrationBody>();
  const dm = new DmSessions({
    store,
    fetchBundle: async (peerId) => {
      const peer = peers.get(peerId);
      if (!peer) throw new Error(`no keys for ${peerId}`);
      return { ...peer, one_time_prekey: peer.one_time_prekeys.shift() ?? null };
    },
  });
  return { registration, peers, dm };
}
