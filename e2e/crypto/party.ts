import {
  DmSessions,
  GroupSessions,
  KeyManager,
  MemoryCryptoStore,
  type RegistrationBody,
  type SenderKeyUpload,
  utf8Decode,
  utf8Encode,
} from '@chatalot/crypto';

/**
 * One chat member's client-side crypto — keys, DM sessions, group sessions over an in-memory store — with
 * byte arrays as number arrays so that it can be driven the same way in Node and, through `page.evaluate`,
 * in the browser bundle. Bundles and sender-key distributions are handed over by the test (standing in for
 * the key server, which the server's own tests cover).
 */
export class Party {
  private readonly registration: Promise<RegistrationBody>;
  private readonly store = new MemoryCryptoStore();
  private readonly peers = new Map<string, RegistrationBody>();
  private readonly distributions = new Map<string, SenderKeyUpload>();
  private readonly dm: DmSessions;
  private readonly group: GroupSessions;

  constructor(readonly userId: string) {
    this.registration = new KeyManager({ store: this.store }).register();
    this.dm = new DmSessions({ store: this.store, fetchBundle: async (peerId) => this.bundleOf(peerId) });
    this.group = new GroupSessions({
      store: this.store,
      dm: this.dm,
      ownUserId: userId,
      fetchDistributions: async () =>
        [...this.distributions].map(([user_id, upload]) => ({ user_id, ...upload })),
    });
  }

  /** The public keys this member registers with (POST /api/auth/register's key fields). */
  publicKeys(): Promise<RegistrationBody> {
    return this.registration;
  }

  meet(peerId: string, registration: RegistrationBody): void {
    this.peers.set(peerId, structuredClone(registration));
  }

  async encryptDm(peerId: string, text: string): Promise<number[]> {
    return Array.from(await this.dm.encrypt(peerId, utf8Encode(text)));
  }

  async decryptDm(peerId: string, envelope: number[]): Promise<string> {
    return utf8Decode((await this.dm.decrypt(peerId, Uint8Array.from(envelope))).plaintext);
  }

  /** Encrypts for the members; a new chain's distribution comes back as the upload the server would get. */
  async encryptGroup(
    channelId: string,
    text: string,
    memberIds: string[],
  ): Promise<{ envelope: number[]; upload: SenderKeyUpload | null }> {
    let upload: SenderKeyUpload | null = null;
    const envelope = await this.group.encrypt(channelId, utf8Encode(text), memberIds, async (body) => {
      upload = body;
    });
    return { envelope: Array.from(envelope), upload };
  }

  async receiveDistribution(channelId: string, senderId: string, upload: SenderKeyUpload): Promise<string> {
    this.distributions.set(senderId, upload);
    return this.group.handleDistribution(channelId, senderId, upload.distribution);
  }

  async decryptGroup(channelId: string, senderId: string, envelope: number[]): Promise<string> {
    return utf8Decode((await this.group.decrypt(channelId, senderId, Uint8Array.from(envelope))).plaintext);
  }

  /** What GET /api/keys/{peerId}/bundle would answer: the next one-time prekey is used up. */
  private bundleOf(peerId: string): unknown {
    const peer = this.peers.get(peerId);
    if (!peer) throw new Error(`no keys known for ${peerId}`);
    const oneTimePrekey = peer.one_time_prekeys.shift() ?? null;
    return {
      identity_key: peer.identity_key,
      signed_prekey: peer.signed_prekey,
      one_time_prekey: oneTimePrekey,
    };
  }
}
