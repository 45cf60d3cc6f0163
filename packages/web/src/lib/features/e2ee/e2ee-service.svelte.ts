import type { RegistrationBody } from '@chatalot/crypto';
import type { E2eeEngine } from './e2ee-engine';
import { listenToKeyEvents, logFailure } from './e2ee-events';
import {
  type DecryptedMessage,
  type E2eChannel,
  type E2eeApi,
  E2eeError,
  type E2eeSocket,
  type EncryptedPayload,
  type IncomingMessage,
  type PeerTrust,
} from './e2ee-types';
import type { RegistrationKeys } from './registration-keys';

/** `@chatalot/crypto` and IndexedDB code load on first use, outside the initial bundle. */
const loadRuntime = () => import('./e2ee-runtime');

export const NEW_KEYS_NOTICE =
  'This browser had no encryption keys for your account, so new ones were made. Your contacts will see ' +
  'that your safety number changed, and messages sent to your earlier keys cannot be read here.';

export interface E2eeServiceOptions {
  api: E2eeApi;
  socket: E2eeSocket;
  /** Tells the user something once (a toast): `error` for problems, `info` for notices. */
  notify: (message: string, kind: 'info' | 'error') => void;
  /** Who is signed in: a call that needs the keys opens them for this user if nobody has yet. */
  currentUserId?: () => string | null;
  now?: () => number;
  /** Where the key stores live; a test passes its own to stand for another browser. */
  indexedDB?: IDBFactory;
}

interface Opened {
  userId: string;
  /** Settles once the store is open: the engine, or null when this browser cannot keep keys. */
  engine: Promise<E2eeEngine | null>;
  stop: Array<() => void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** End-to-end encryption for the signed-in user (docs/web-client.md, docs/e2e.md). */
export class E2eeService {
  /** The instance has end-to-end encryption on (`GET /api/auth/config`); false until known. */
  enabled = $state(false);
  /** `enabled` holds the server's answer. */
  configured = $state(false);
  /** Keys are loaded for the signed-in user on this device. */
  ready = $state(false);
  /** What keeps encryption from working on this device right now, for the user; null when all is well. */
  problem = $state<string | null>(null);
  /** Changes whenever a peer's key, verification or acknowledgement changes: re-read `peerStatus`. */
  trustVersion = $state(0);

  private readonly api: E2eeApi;
  private readonly socket: E2eeSocket;
  private readonly notify: (message: string, kind: 'info' | 'error') => void;
  private readonly currentUserId: () => string | null;
  private readonly now: () => number;
  private readonly indexedDB: IDBFactory | undefined;
  private opened: Opened | null = null;
  private registration: Promise<RegistrationKeys> | null = null;
  private config: Promise<boolean> | null = null;
  /** Key upload, prekey top-up and rotation of the current sign-in. */
  private maintenance: Promise<void> = Promise.resolve();

  constructor(options: E2eeServiceOptions) {
    this.api = options.api;
    this.socket = options.socket;
    this.notify = options.notify;
    this.currentUserId = options.currentUserId ?? (() => null);
    this.now = options.now ?? Date.now;
    this.indexedDB = options.indexedDB;
  }

  /**
   * The key fields of `POST /api/auth/register`. The private keys wait in memory for `open(newUserId)`;
   * calling again (a retried registration) replaces them, and keys no account claims are dropped.
   */
  async registrationKeys(): Promise<RegistrationBody> {
    const keys = loadRuntime().then((runtime) => runtime.makeRegistrationKeys(this.now));
    this.registration = keys;
    return (await keys).body;
  }

  /**
   * After sign-in (or a restored session): opens this user's key store, makes sure the server has the keys,
   * tops up one-time prekeys, rotates the signed prekey when due, and listens for key events. Never rejects;
   * failures are in `problem`. Calling it again for the same user waits for the same work.
   */
  async open(userId: string): Promise<void> {
    if (this.opened?.userId !== userId) {
      this.close();
      const opened: Opened = { userId, engine: Promise.resolve(null), stop: [] };
      this.opened = opened;
      opened.engine = this.start(opened);
    }
    const engine = await this.opened?.engine;
    if (engine) await this.maintenance;
  }

  /** On sign-out: stops listening and forgets the keys in memory. The stored keys stay (docs/e2e.md). */
  close(): void {
    const opened = this.opened;
    if (!opened) return;
    this.opened = null;
    for (const stop of opened.stop) stop();
    void opened.engine.then((engine) => engine?.store.close());
    this.ready = false;
    this.problem = null;
    this.trustVersion++;
  }

  /**
   * The bytes for `send_message`. Throws `E2eeError` (its message is for the user) rather than ever sending
   * plaintext where encryption is expected.
   */
  async encrypt(channel: E2eChannel, text: string): Promise<EncryptedPayload> {
    const engine = await this.requireEngine();
    let enabled: boolean;
    try {
      enabled = await this.instanceEnabled();
    } catch {
      throw new E2eeError(
        'not_ready',
        'Could not check whether this server uses end-to-end encryption, so the message was not sent.',
      );
    }
    return engine.encrypt(channel, text, enabled);
  }

  /** Every received message, edits included. Never rejects. */
  async decrypt(channel: E2eChannel, message: IncomingMessage): Promise<DecryptedMessage> {
    const engine = await this.engine();
    if (!engine) {
      return { text: '', status: 'failed', reason: this.problem ?? 'Encryption is not set up in this tab.' };
    }
    const enabled = this.configured ? this.enabled : await this.instanceEnabled().catch(() => true);
    // The store itself can fail (closed by a sign-out mid-read, storage evicted).
    return engine.decrypt(channel, message, enabled).catch((error: unknown) => ({
      text: '',
      status: 'failed' as const,
      reason: `This message could not be read on this device (${messageOf(error)}).`,
    }));
  }

  /**
   * On `message_sent` (and after an edit): keeps the text of an own message, which its sender cannot decrypt.
   * `ciphertext`, when known, is the envelope that was sent; otherwise the one `encrypt` made for this text.
   */
  async rememberSent(
    channel: E2eChannel,
    messageId: string,
    text: string,
    ciphertext?: number[],
  ): Promise<void> {
    const engine = await this.engine();
    await engine
      ?.rememberSent(channel, messageId, text, ciphertext)
      .catch(logFailure('caching a sent message'));
  }

  /** A session reset for a DM whose messages fail to decrypt; send it as a normal message. Once a minute. */
  async resetSession(peerId: string): Promise<EncryptedPayload> {
    return (await this.requireEngine()).resetSession(peerId);
  }

  /** Null until a session with the peer was started or received. */
  async peerStatus(peerId: string): Promise<PeerTrust | null> {
    return (await this.engine())?.peerStatus(peerId) ?? null;
  }

  /** Marks the peer's key as verified; `shownFingerprint` must still be the current one. */
  async verify(peerId: string, shownFingerprint: string): Promise<void> {
    await (await this.requireEngine()).verify(peerId, shownFingerprint);
  }

  async acknowledgeKeyChange(peerId: string, shownFingerprint: string): Promise<void> {
    await (await this.requireEngine()).acknowledgeKeyChange(peerId, shownFingerprint);
  }

  async ownFingerprint(): Promise<string | null> {
    return (await this.engine())?.ownFingerprint() ?? null;
  }

  private engine(): Promise<E2eeEngine | null> {
    const userId = this.currentUserId();
    if (userId && this.opened?.userId !== userId) void this.open(userId);
    return this.opened?.engine ?? Promise.resolve(null);
  }

  private async requireEngine(): Promise<E2eeEngine> {
    const engine = await this.engine();
    if (!engine)
      throw new E2eeError('not_ready', this.problem ?? 'Encryption is not set up yet. Sign in again.');
    return engine;
  }

  /** The instance setting, fetched once per sign-in; a failed fetch is retried by the next caller. */
  private instanceEnabled(): Promise<boolean> {
    this.config ??= this.api.e2eEnabled().then(
      (enabled) => {
        this.enabled = enabled;
        this.configured = true;
        return enabled;
      },
      (error: unknown) => {
        this.config = null;
        throw error;
      },
    );
    return this.config;
  }

  private async start(opened: Opened): Promise<E2eeEngine | null> {
    this.config = null;
    this.instanceEnabled().catch(logFailure('loading the instance configuration'));
    const registration = this.registration;
    this.registration = null;
    let engine: E2eeEngine;
    try {
      const runtime = await loadRuntime();
      const store = await runtime.IdbCryptoStore.open(opened.userId, this.indexedDB);
      if (this.opened !== opened) {
        store.close();
        return null;
      }
      engine = new runtime.E2eeEngine({
        userId: opened.userId,
        store,
        locks: runtime.browserLocks(),
        api: this.api,
        now: this.now,
        onTrustChange: () => this.trustVersion++,
      });
      const keys = registration && (await registration.catch(() => null));
      if (keys && runtime.madeFor(keys, opened.userId) && !(await store.getIdentity())) {
        await runtime.adoptRegistrationKeys(keys, store);
      }
    } catch (error) {
      if (this.opened === opened) {
        this.report(`This browser cannot keep your encryption keys (${messageOf(error)}).`);
      }
      return null;
    }
    if (this.opened !== opened) {
      engine.store.close();
      return null;
    }
    opened.stop.push(
      ...listenToKeyEvents(this.socket, engine, () => {
        this.config = null;
        this.instanceEnabled().catch(logFailure('loading the instance configuration'));
        if (this.problem) this.maintenance = this.maintain(opened, engine);
      }),
    );
    this.ready = true;
    this.maintenance = this.maintain(opened, engine);
    return engine;
  }

  private async maintain(opened: Opened, engine: E2eeEngine): Promise<void> {
    try {
      const outcome = await engine.ensureKeys();
      if (outcome === 'created' && this.opened === opened) this.notify(NEW_KEYS_NOTICE, 'info');
      await engine.replenishPrekeys();
      await engine.rotateSignedPrekey();
      if (this.opened === opened) this.problem = null;
    } catch (error) {
      if (this.opened !== opened) return;
      this.report(
        `Your encryption keys could not be updated on the server (${messageOf(error)}). ` +
          'Chatalot will try again when the connection comes back.',
      );
    }
  }

  private report(problem: string): void {
    if (problem !== this.problem) this.notify(problem, 'error');
    this.problem = problem;
  }
}
