import type { MessageSentFrame } from '@chatalot/protocol';
import { SocketRequestError } from '$lib/realtime/frames';
import type { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';
import { newClientId } from './client-id';
import type { OutboxStore } from './outbox-db';
import type { Encrypted, OutboxConfig, OutboxDraft, OutboxItem, StoredItem } from './outbox-types';

/** Sent items kept for the timeline to swap in the server's copy (it may `discard` them sooner). */
const KEPT_SENT = 200;
const RATE_LIMIT_PAUSE_MS = 1_000;

type Socket = Pick<RealtimeSocket, 'status' | 'request' | 'on'>;

/**
 * The one queue of outgoing messages (web-client.md §7.1 item 5): each item gets a client id and its bytes
 * once, is kept in IndexedDB until the server confirms it, and is sent in order whenever the socket is open.
 * A resend after a lost answer carries the same id and bytes, and the server stores it only once.
 */
export class Outbox {
  #items = $state<OutboxItem[]>([]);
  readonly #bytes = new Map<string, Encrypted>();
  /** Items whose bytes are being computed; the queue waits for them. */
  readonly #encrypting = new Set<string>();
  #config: OutboxConfig | null = null;
  #loading: Promise<void> | null = null;
  #flushing = false;
  #flushAgain = false;
  #inFlight: string | null = null;
  /** The last `createdAt` handed out, in ms: each item gets a later one, so the order survives a reload. */
  #lastStamp = 0;
  /** Bumped by `reset`, so that work started for the previous user is dropped. */
  #generation = 0;

  constructor(
    private readonly socket: Socket,
    private readonly store: OutboxStore,
    private readonly userId: () => string | null,
  ) {
    socket.on('authenticated', () => void this.#loaded().then(() => this.#flush()));
    socket.on('message_sent', (frame) => this.#confirmed(frame));
  }

  /** Wires encryption (the chat feature does, once); pending items start moving. */
  configure(config: OutboxConfig): void {
    this.#config = config;
    void this.#loaded().then(() => this.#flush());
  }

  /** The channel's items, oldest first (reactive). */
  items(channelId: string): OutboxItem[] {
    void this.#loaded();
    return this.#items.filter((item) => item.channelId === channelId);
  }

  /** Queues a message; it shows as pending at once. */
  send(draft: OutboxDraft): OutboxItem {
    void this.#loaded();
    this.#items.push({
      clientId: newClientId(),
      channelId: draft.channelId,
      text: draft.text,
      replyTo: draft.replyTo ?? null,
      messageType: draft.messageType ?? 'text',
      state: 'pending',
      createdAt: this.#stamp(),
    });
    const item = this.#items.at(-1) as OutboxItem;
    void this.#encrypt(item).then(() => this.#flush());
    return item;
  }

  /** Sends a failed item again (same client id; same bytes when it had them). */
  retry(clientId: string): void {
    const item = this.#find(clientId);
    if (item?.state !== 'failed') return;
    item.state = 'pending';
    delete item.error;
    void this.#persist(item);
    void this.#flush();
  }

  /** Drops an item that is not on its way to the server right now; false when it is. */
  discard(clientId: string): boolean {
    if (this.#inFlight === clientId) return false;
    this.#items = this.#items.filter((item) => item.clientId !== clientId);
    this.#bytes.delete(clientId);
    void this.store.delete(clientId).catch(() => undefined);
    return true;
  }

  /** Forgets everything in memory (sign-out; the session deletes the database). */
  reset(): void {
    this.#generation += 1;
    this.#items = [];
    this.#bytes.clear();
    this.#encrypting.clear();
    this.#loading = null;
    this.#inFlight = null;
    this.store.close();
  }

  #stamp(): string {
    this.#lastStamp = Math.max(Date.now(), this.#lastStamp + 1);
    return new Date(this.#lastStamp).toISOString();
  }

  #loaded(): Promise<void> {
    const userId = this.userId();
    if (userId === null) return Promise.resolve();
    const generation = this.#generation;
    this.#loading ??= this.store.load(userId).then(
      (stored) => {
        if (generation === this.#generation) this.#merge(stored);
      },
      (error: unknown) => console.warn('the outbox could not be read', error),
    );
    return this.#loading;
  }

  #merge(stored: StoredItem[]): void {
    const known = new Set(this.#items.map((item) => item.clientId));
    const restored: OutboxItem[] = [];
    for (const { userId: _, ciphertext, nonce, ...item } of stored) {
      if (known.has(item.clientId)) continue;
      if (ciphertext && nonce) this.#bytes.set(item.clientId, { ciphertext, nonce });
      this.#lastStamp = Math.max(this.#lastStamp, Date.parse(item.createdAt));
      restored.push(item);
    }
    if (restored.length === 0) return;
    this.#items = [...restored, ...this.#items].sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
    );
  }

  /**
   * Computes the item's bytes once. A failure while offline (a key bundle could not be fetched, say) leaves it
   * pending for the next flush; a failure while connected marks it failed.
   */
  async #encrypt(item: OutboxItem): Promise<void> {
    const config = this.#config;
    const generation = this.#generation;
    if (config === null || this.#bytes.has(item.clientId) || this.#encrypting.has(item.clientId)) {
      await this.#persist(item);
      return;
    }
    this.#encrypting.add(item.clientId);
    try {
      try {
        this.#bytes.set(item.clientId, await config.encrypt(item.channelId, item.text));
      } catch (error) {
        if (generation === this.#generation && this.socket.status === 'open') this.#fail(item, error);
      }
      // Saved before the queue may send it, so a reload in between resends the same bytes.
      if (generation === this.#generation) await this.#persist(item);
    } finally {
      this.#encrypting.delete(item.clientId);
    }
  }

  async #flush(): Promise<void> {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        while (this.socket.status === 'open' && this.#config !== null) {
          const next = this.#items.find((item) => item.state === 'pending');
          if (next === undefined || this.#encrypting.has(next.clientId)) break;
          if (!(await this.#deliver(next))) break;
        }
      } while (this.#flushAgain);
    } finally {
      this.#flushing = false;
    }
  }

  /** One attempt at one item; false when the connection is gone (the item waits for the next one). */
  async #deliver(item: OutboxItem): Promise<boolean> {
    if (!this.#bytes.has(item.clientId)) {
      await this.#encrypt(item);
      return true;
    }
    const bytes = this.#bytes.get(item.clientId) as Encrypted;
    this.#inFlight = item.clientId;
    try {
      const frame = await this.socket.request({
        type: 'send_message',
        channel_id: item.channelId,
        ciphertext: bytes.ciphertext,
        nonce: bytes.nonce,
        message_type: item.messageType,
        reply_to: item.replyTo,
        sender_key_id: null,
        thread_id: null,
        client_id: item.clientId,
      });
      this.#confirmed(frame);
      return true;
    } catch (error) {
      return this.#attemptFailed(item, error);
    } finally {
      this.#inFlight = null;
    }
  }

  async #attemptFailed(item: OutboxItem, error: unknown): Promise<boolean> {
    const code = error instanceof SocketRequestError ? error.code : null;
    if (code === 'offline' || code === 'disconnected') return false;
    // No answer yet: the next attempt repeats the same client id, so the server keeps at most one copy.
    if (code === 'timeout') return true;
    if (code === 'rate_limited') {
      await new Promise((resolve) => setTimeout(resolve, RATE_LIMIT_PAUSE_MS));
      return true;
    }
    this.#fail(item, error);
    await this.#persist(item);
    return true;
  }

  #confirmed(frame: MessageSentFrame): void {
    const item = frame.client_id === undefined ? undefined : this.#find(frame.client_id);
    if (item === undefined || item.state === 'sent') return;
    const bytes = this.#bytes.get(item.clientId);
    item.state = 'sent';
    item.messageId = frame.id;
    delete item.error;
    this.#bytes.delete(item.clientId);
    void this.store.delete(item.clientId).catch(() => undefined);
    if (bytes) this.#config?.onSent?.($state.snapshot(item), frame, bytes);
    const sent = this.#items.filter((candidate) => candidate.state === 'sent');
    if (sent.length > KEPT_SENT) {
      const dropped = new Set(sent.slice(0, sent.length - KEPT_SENT).map((old) => old.clientId));
      this.#items = this.#items.filter((candidate) => !dropped.has(candidate.clientId));
    }
  }

  #fail(item: OutboxItem, error: unknown): void {
    item.state = 'failed';
    item.error = error instanceof Error && error.message ? error.message : 'The message could not be sent.';
  }

  async #persist(item: OutboxItem): Promise<void> {
    const userId = this.userId();
    if (userId === null || item.state === 'sent' || this.#find(item.clientId) === undefined) return;
    const { messageId: _, ...fields } = $state.snapshot(item);
    const stored: StoredItem = { ...fields, state: item.state, userId, ...this.#bytes.get(item.clientId) };
    try {
      await this.store.put(stored);
    } catch (error) {
      console.warn('the outbox could not be saved; the message is kept in memory only', error);
    }
  }

  #find(clientId: string): OutboxItem | undefined {
    return this.#items.find((item) => item.clientId === clientId);
  }
}
