import { verifySignedPrekey } from '@chatalot/crypto';
import type { OneTimePrekey, SenderKeyDistribution, SignedPrekey } from '@chatalot/protocol';
import { ApiError } from '$lib/api/http';
import type { E2eeApi, E2eeSocket } from './e2ee-types';

/** For tests: the key server of rest-api.md §17–18 and the WS events it sends, in memory. */

interface Account {
  identity_key: number[];
  signed_prekey: SignedPrekey;
  one_time: OneTimePrekey[];
}

type Handler = (frame: never) => void;

export class FakeSocket implements E2eeSocket {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnected = new Set<() => void>();

  on(type: string, handler: Handler): () => void {
    const set = this.handlers.get(type) ?? new Set();
    set.add(handler);
    this.handlers.set(type, set);
    return () => set.delete(handler);
  }

  onReconnected(handler: () => void): () => void {
    this.reconnected.add(handler);
    return () => this.reconnected.delete(handler);
  }

  emit(frame: { type: string } & Record<string, unknown>): void {
    for (const handler of this.handlers.get(frame.type) ?? []) handler(frame as never);
  }

  reconnect(): void {
    for (const handler of this.reconnected) handler();
  }

  listeners(): number {
    return [...this.handlers.values()].reduce((sum, set) => sum + set.size, 0) + this.reconnected.size;
  }
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class FakeE2eeServer {
  e2eEnabled = true;
  readonly accounts = new Map<string, Account>();
  readonly sockets = new Map<string, FakeSocket>();
  private readonly senderKeys = new Map<string, Map<string, SenderKeyDistribution>>();
  readonly calls: string[] = [];

  socket(userId: string): FakeSocket {
    const socket = this.sockets.get(userId) ?? new FakeSocket();
    this.sockets.set(userId, socket);
    return socket;
  }

  /** What `POST /api/auth/register` stores; the signature is checked as the server does. */
  register(
    userId: string,
    body: { identity_key: number[]; signed_prekey: SignedPrekey; one_time_prekeys: OneTimePrekey[] },
  ): void {
    const { identity_key, signed_prekey } = body;
    const valid = verifySignedPrekey(
      Uint8Array.from(identity_key),
      Uint8Array.from(signed_prekey.public_key),
      Uint8Array.from(signed_prekey.signature),
    );
    if (!valid) throw new ApiError(400, 'validation_error', 'invalid signed prekey signature');
    this.accounts.set(userId, { identity_key, signed_prekey, one_time: copy(body.one_time_prekeys) });
  }

  api(userId: string): E2eeApi {
    const account = () => {
      const found = this.accounts.get(userId);
      if (!found) throw new ApiError(400, 'validation_error', 'no identity key registered');
      return found;
    };
    const log = (call: string) => this.calls.push(`${userId} ${call}`);
    return {
      e2eEnabled: async () => this.e2eEnabled,
      fetchKeyBundle: async (ownerId) => {
        log(`bundle ${ownerId}`);
        const owner = this.accounts.get(ownerId);
        if (!owner) throw new ApiError(404, 'not_found', 'key bundle not found');
        const oneTime = owner.one_time.shift() ?? null;
        if (owner.one_time.length < 25) {
          this.socket(ownerId).emit({ type: 'keys_low', remaining: owner.one_time.length });
        }
        return copy({
          identity_key: owner.identity_key,
          signed_prekey: owner.signed_prekey,
          one_time_prekey: oneTime,
        });
      },
      registerKeys: async (body) => {
        log('register');
        this.register(userId, body);
      },
      uploadSignedPrekey: async (body) => {
        log('signed prekey');
        account().signed_prekey = copy(body);
      },
      uploadOneTimePrekeys: async (prekeys) => {
        log(`one-time ${prekeys.length}`);
        account().one_time.push(...copy(prekeys));
      },
      countOneTimePrekeys: async () => account().one_time.length,
      uploadSenderKey: async (channelId, body) => {
        const entry: SenderKeyDistribution = {
          id: `${channelId}-${userId}`,
          channel_id: channelId,
          user_id: userId,
          chain_id: body.chain_id,
          distribution: copy(body.distribution),
          created_at: new Date().toISOString(),
        };
        const channel = this.senderKeys.get(channelId) ?? new Map();
        channel.set(userId, entry);
        this.senderKeys.set(channelId, channel);
        for (const [id, socket] of this.sockets) {
          if (id !== userId) socket.emit({ type: 'sender_key_updated', ...copy(entry) });
        }
        return entry;
      },
      listSenderKeys: async (channelId) => copy([...(this.senderKeys.get(channelId)?.values() ?? [])]),
    };
  }
}
