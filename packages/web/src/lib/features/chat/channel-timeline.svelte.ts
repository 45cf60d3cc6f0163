import type {
  Message,
  MessageEditedFrame,
  MessageSentFrame,
  NewMessageFrame,
  ReactionFrame,
  ReadReceiptFrame,
} from '@chatalot/protocol';
import type { ChatMessage } from './chat-types';
import { withReaction } from './reaction-sets';
import { firstUnread } from './timeline-items';
import { compareMessages, fromOutbox, fromServer, type TimelineSource } from './timeline-source';

export const PAGE_SIZE = 50;
/** How far back a jump to a message searches (MSG-34): 20 pages of 50. */
const JUMP_PAGES = 20;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

function describe(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The server did not answer.';
}

/**
 * One channel's messages: history pages from the server, live events from the socket, and this client's
 * unsent messages from the outbox, merged into one ordered, decrypted list. Events are applied one at a time
 * in arrival order, each after its decryption, so an edit never overtakes the message it edits.
 */
export class ChannelTimeline {
  readonly channelId: string;
  status = $state<LoadStatus>('idle');
  error = $state<string | null>(null);
  olderStatus = $state<LoadStatus>('idle');
  olderError = $state<string | null>(null);
  hasMore = $state(true);
  /** Where each member stopped reading: user id → message id (read receipts, MSG-25). */
  cursors = $state.raw<ReadonlyMap<string, { messageId: string; at: string }>>(new Map());
  /** The first unread message when the channel was opened: the "NEW MESSAGES" rule (MSG-15). */
  unreadMarker = $state<string | null>(null);
  /** Server messages, oldest first. */
  #messages = $state.raw<ChatMessage[]>([]);
  /** Deleted messages, so that an outbox item already sent does not bring one back. */
  #deleted = $state.raw<ReadonlySet<string>>(new Set());
  /** Text of the edits this client sent, for its own messages it cannot decrypt again. */
  readonly #ownEdits = new Map<string, string>();
  #queue: Promise<void> = Promise.resolve();
  #markerWanted = false;
  readonly #source: TimelineSource;

  constructor(channelId: string, source: TimelineSource) {
    this.channelId = channelId;
    this.#source = source;
  }

  /**
   * Server messages and the outbox's, oldest first; what the list shows. A getter, not `$derived`: timelines
   * are kept across channel switches, and a derived created inside a destroyed view would stop updating.
   * Components derive from it, so it is computed once per change where it matters.
   */
  get messages(): ChatMessage[] {
    const known = new Set(this.#messages.map((message) => message.id));
    const self = this.#source.selfId();
    const own = this.#source
      .pending(this.channelId)
      .filter((item) => !(item.messageId && (known.has(item.messageId) || this.#deleted.has(item.messageId))))
      .map((item) => fromOutbox(item, self, this.#source.ownStatus()));
    if (own.length === 0) return this.#messages;
    const sent = own.filter((message) => message.delivery === 'sent');
    const unsent = own.filter((message) => message.delivery !== 'sent');
    const merged = sent.length === 0 ? this.#messages : [...this.#messages, ...sent].sort(compareMessages);
    return [...merged, ...unsent];
  }

  find(id: string): ChatMessage | undefined {
    return this.messages.find((message) => message.id === id);
  }

  /** Loads the newest page once; `open` also places the NEW MESSAGES rule. */
  load(): Promise<void> {
    if (this.status === 'loading' || this.status === 'ready') return this.#queue;
    this.status = 'loading';
    this.error = null;
    return this.#run(async () => {
      try {
        const [page] = await Promise.all([this.#source.history(this.channelId), this.#loadCursors()]);
        this.#merge(await this.#decryptPage(page));
        this.hasMore = page.length >= PAGE_SIZE;
        this.status = 'ready';
        if (this.#markerWanted) this.#placeMarker();
      } catch (error) {
        this.status = 'error';
        this.error = describe(error);
      }
    });
  }

  /** The channel is being shown: mark where unread messages begin. */
  open(): Promise<void> {
    this.#markerWanted = true;
    if (this.status === 'ready') this.#placeMarker();
    return this.load();
  }

  /** Prepends the page before the oldest loaded message (MSG-27). */
  loadOlder(): Promise<void> {
    if (!this.hasMore || this.olderStatus === 'loading' || this.status !== 'ready') return this.#queue;
    this.olderStatus = 'loading';
    this.olderError = null;
    return this.#run(() => this.#olderPage());
  }

  /** Loads older pages until the message is there (MSG-34); false when it is not in the searched history. */
  async reveal(messageId: string): Promise<boolean> {
    await this.load();
    for (let page = 0; page < JUMP_PAGES && !this.find(messageId); page++) {
      if (!this.hasMore || this.status !== 'ready') break;
      this.olderStatus = 'loading';
      if (!(await this.#run(() => this.#olderPage()).then(() => this.olderStatus === 'ready'))) break;
    }
    return this.find(messageId) !== undefined;
  }

  /** Missed events could not be replayed (`onResync`): start again from the newest page. */
  resync(): Promise<void> {
    return this.#run(async () => {
      this.#messages = [];
      this.hasMore = true;
      this.status = 'idle';
      this.olderStatus = 'idle';
    }).then(() => this.load());
  }

  onNewMessage(frame: NewMessageFrame): Promise<void> {
    if (frame.thread_id) return this.#queue;
    return this.#run(async () => {
      const message: Message = {
        id: frame.id,
        channel_id: frame.channel_id,
        sender_id: frame.sender_id,
        ciphertext: frame.ciphertext,
        nonce: frame.nonce,
        message_type: frame.message_type,
        reply_to_id: frame.reply_to,
        sender_key_id: frame.sender_key_id,
        edited_at: null,
        created_at: frame.created_at,
      };
      this.#merge([fromServer(message, await this.#source.decrypt(this.channelId, message))]);
    });
  }

  /** This client's message was stored: it becomes a server message with the outbox's text. */
  onMessageSent(frame: MessageSentFrame): Promise<void> {
    if (frame.thread_id) return this.#queue;
    return this.#run(async () => {
      const item = this.#source.pending(this.channelId).find((entry) => entry.clientId === frame.client_id);
      if (!item) return;
      const message = fromOutbox(
        { ...item, state: 'sent', messageId: frame.id, createdAt: frame.created_at },
        this.#source.selfId(),
        this.#source.ownStatus(),
      );
      this.#merge([message]);
    });
  }

  onEdited(frame: MessageEditedFrame): Promise<void> {
    return this.#run(async () => {
      if (!this.#messages.some((message) => message.id === frame.message_id)) return;
      const decrypted = await this.#source.decrypt(this.channelId, {
        id: frame.message_id,
        sender_id: frame.sender_id,
        ciphertext: frame.ciphertext,
      });
      const ownText = this.#ownEdits.get(frame.message_id);
      this.#ownEdits.delete(frame.message_id);
      const readable = decrypted.status !== 'failed' || ownText === undefined;
      this.#update(frame.message_id, (message) => ({
        ...message,
        text: readable ? decrypted.text : ownText,
        e2e: readable && decrypted.status !== 'control' ? decrypted.status : this.#source.ownStatus(),
        editedAt: frame.edited_at,
      }));
    });
  }

  onDeleted(messageId: string): Promise<void> {
    return this.#run(async () => {
      if (!this.#messages.some((message) => message.id === messageId)) return;
      this.#messages = this.#messages.filter((message) => message.id !== messageId);
      this.#deleted = new Set([...this.#deleted, messageId]);
    });
  }

  onReaction(frame: ReactionFrame): Promise<void> {
    return this.#run(async () =>
      this.applyReaction(frame.message_id, frame.emoji, frame.user_id, frame.type === 'reaction_added'),
    );
  }

  onReadReceipt(frame: ReadReceiptFrame): void {
    this.#setCursor(frame.user_id, frame.message_id, frame.timestamp);
  }

  /** The reader marked the channel read up to a message (their own cursor, for the next NEW MESSAGES rule). */
  noteRead(messageId: string): void {
    const self = this.#source.selfId();
    if (self) this.#setCursor(self, messageId, new Date().toISOString());
  }

  /** Shows a reaction change at once; the server's event then confirms it (adding twice changes nothing). */
  applyReaction(messageId: string, emoji: string, userId: string, add: boolean): void {
    this.#update(messageId, (message) => ({
      ...message,
      reactions: withReaction(message.reactions, emoji, userId, add),
    }));
  }

  /** Shows an edit of one's own message at once (MSG-17: "(edited)" appears immediately). */
  applyOwnEdit(messageId: string, text: string): void {
    this.#ownEdits.set(messageId, text);
    this.#update(messageId, (message) => ({ ...message, text, editedAt: new Date().toISOString() }));
  }

  /** The server refused an edit: the message as it was. */
  revertEdit(original: ChatMessage): void {
    this.#ownEdits.delete(original.id);
    this.#update(original.id, (message) => ({
      ...message,
      text: original.text,
      editedAt: original.editedAt,
    }));
  }

  #update(id: string, change: (message: ChatMessage) => ChatMessage): void {
    const index = this.#messages.findIndex((message) => message.id === id);
    if (index < 0) return;
    const next = [...this.#messages];
    next[index] = change(next[index] as ChatMessage);
    this.#messages = next;
  }

  /** Adds or replaces messages by id, keeping the order. */
  #merge(incoming: ChatMessage[]): void {
    if (incoming.length === 0) return;
    const [only] = incoming;
    const last = this.#messages.at(-1);
    if (incoming.length === 1 && only && (!last || compareMessages(last, only) < 0)) {
      this.#messages = [...this.#messages, only];
      return;
    }
    const byId = new Map(this.#messages.map((message) => [message.id, message]));
    for (const message of incoming) {
      const known = byId.get(message.id);
      // A row that came from this device keeps its client id, so it is not re-created when history reloads.
      byId.set(message.id, known?.clientId ? { ...message, clientId: known.clientId } : message);
    }
    this.#messages = [...byId.values()].sort(compareMessages);
  }

  async #olderPage(): Promise<void> {
    const oldest = this.#messages[0];
    try {
      const page = await this.#source.history(this.channelId, oldest?.id);
      this.#merge(await this.#decryptPage(page));
      this.hasMore = page.length >= PAGE_SIZE && oldest !== undefined;
      this.olderStatus = 'ready';
    } catch (error) {
      this.olderStatus = 'error';
      this.olderError = describe(error);
    }
  }

  #decryptPage(page: Message[]): Promise<ChatMessage[]> {
    return Promise.all(
      page.map(async (message) => fromServer(message, await this.#source.decrypt(this.channelId, message))),
    );
  }

  async #loadCursors(): Promise<void> {
    try {
      const cursors = await this.#source.cursors(this.channelId);
      for (const cursor of cursors) {
        if (cursor.last_read_message_id)
          this.#setCursor(cursor.user_id, cursor.last_read_message_id, cursor.last_read_at);
      }
    } catch {
      // Receipts and the NEW MESSAGES rule are extras; the messages themselves still load.
    }
  }

  #setCursor(userId: string, messageId: string, at: string): void {
    const next = new Map(this.cursors);
    next.set(userId, { messageId, at });
    this.cursors = next;
  }

  #placeMarker(): void {
    this.#markerWanted = false;
    const self = this.#source.selfId();
    const cursor = self === null ? undefined : this.cursors.get(self);
    this.unreadMarker = firstUnread(this.#messages, cursor?.messageId ?? null, self);
  }

  /** Runs `task` after every task queued before it; a failing task does not stop the ones after it. */
  #run(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
