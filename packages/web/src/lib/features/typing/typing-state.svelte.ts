import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { RealtimeSocket } from '$lib/realtime/realtime-socket.svelte';

/** MSG-24: a `typing` frame goes out at most this often per channel (the server throttles the same). */
export const TYPING_THROTTLE_MS = 3_000;
/** The server forgets a typer after 10 s; a stop sent later would announce nothing new. */
const SERVER_EXPIRY_MS = 10_000;
/** Typers refresh every 3 s; one not heard from for this long has stopped (its stop frame may be lost). */
export const TYPER_SHOWN_MS = 6_000;

type Socket = Pick<RealtimeSocket, 'send' | 'on'>;

export interface TypingDeps {
  socket: Socket;
  selfId(): string | null;
  /** The display name of a channel member, when known. */
  nameOf(channelId: string, userId: string): Promise<string | undefined>;
  /** The users this user blocked: never shown typing. */
  blockedIds(): Promise<string[]>;
}

interface Typer {
  userId: string;
  name: string;
}

/** Who is typing where (from `user_typing` / `user_stopped_typing`), and this user's own typing signals. */
export class Typing {
  readonly #typers = new SvelteMap<string, Typer[]>();
  readonly #blocked = new SvelteSet<string>();
  /** When each typer was last heard from, and the timer that forgets them. */
  readonly #expiry = new Map<string, ReturnType<typeof setTimeout>>();
  /** When this user last announced typing, per channel. */
  readonly #announced = new Map<string, number>();

  constructor(private readonly deps: TypingDeps) {
    const { socket } = deps;
    socket.on('authenticated', () => this.#connected());
    socket.on('user_typing', (frame) => this.#heard(frame.channel_id, frame.user_id));
    socket.on('user_stopped_typing', (frame) => this.#forget(frame.channel_id, frame.user_id));
    socket.on('new_message', (frame) => this.#forget(frame.channel_id, frame.sender_id));
  }

  /** The names of the people typing in a channel, in the order they started (reactive). */
  in(channelId: string): string[] {
    const typers = this.#typers.get(channelId) ?? [];
    return typers.filter((typer) => !this.#blocked.has(typer.userId)).map((typer) => typer.name);
  }

  /** Call on input in the composer; sends at most one `typing` per 3 s, and stops typing elsewhere. */
  start(channelId: string): void {
    for (const other of [...this.#announced.keys()]) if (other !== channelId) this.stop(other);
    const last = this.#announced.get(channelId);
    const now = Date.now();
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
    if (this.deps.socket.send({ type: 'typing', channel_id: channelId })) this.#announced.set(channelId, now);
  }

  /** Call when the message is sent, the composer is emptied or the channel is left. */
  stop(channelId: string): void {
    const last = this.#announced.get(channelId);
    if (last === undefined) return;
    this.#announced.delete(channelId);
    if (Date.now() - last < SERVER_EXPIRY_MS)
      this.deps.socket.send({ type: 'stop_typing', channel_id: channelId });
  }

  reset(): void {
    for (const timer of this.#expiry.values()) clearTimeout(timer);
    this.#expiry.clear();
    this.#typers.clear();
    this.#blocked.clear();
    this.#announced.clear();
  }

  /** A new connection: the server forgot every typer of the old one, this user included. */
  #connected(): void {
    this.reset();
    this.deps.blockedIds().then(
      (ids) => {
        for (const id of ids) this.#blocked.add(id);
      },
      () => undefined,
    );
  }

  #heard(channelId: string, userId: string): void {
    if (userId === this.deps.selfId()) return;
    const key = `${channelId}:${userId}`;
    clearTimeout(this.#expiry.get(key));
    this.#expiry.set(
      key,
      setTimeout(() => this.#forget(channelId, userId), TYPER_SHOWN_MS),
    );
    if (this.#listed(channelId, userId)) return;
    this.deps
      .nameOf(channelId, userId)
      .catch(() => undefined)
      .then((name) => {
        if (!this.#expiry.has(key) || this.#listed(channelId, userId)) return;
        const typers = this.#typers.get(channelId) ?? [];
        this.#typers.set(channelId, [...typers, { userId, name: name ?? 'Someone' }]);
      });
  }

  #forget(channelId: string, userId: string): void {
    const key = `${channelId}:${userId}`;
    clearTimeout(this.#expiry.get(key));
    this.#expiry.delete(key);
    const typers = this.#typers.get(channelId);
    if (!typers?.some((typer) => typer.userId === userId)) return;
    const rest = typers.filter((typer) => typer.userId !== userId);
    if (rest.length > 0) this.#typers.set(channelId, rest);
    else this.#typers.delete(channelId);
  }

  #listed(channelId: string, userId: string): boolean {
    return this.#typers.get(channelId)?.some((typer) => typer.userId === userId) ?? false;
  }
}
