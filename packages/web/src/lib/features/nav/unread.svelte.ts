import type { UnreadCount } from '@chatalot/protocol';

/** Badges show at most this much; above it they read "99+". */
export const BADGE_MAX = 99;

export function badgeText(count: number): string {
  return count > BADGE_MAX ? `${BADGE_MAX}+` : String(count);
}

/** Unread message counts per channel: the server's at load, then raised by live messages. */
export class UnreadCounts {
  #counts = $state<Record<string, number>>({});

  get(channelId: string): number {
    return this.#counts[channelId] ?? 0;
  }

  /** Replaces every count with the server's. */
  reset(list: readonly UnreadCount[]): void {
    const next: Record<string, number> = {};
    for (const { channel_id, unread_count } of list) if (unread_count > 0) next[channel_id] = unread_count;
    this.#counts = next;
  }

  set(channelId: string, count: number): void {
    if (count > 0) this.#counts[channelId] = count;
    else delete this.#counts[channelId];
  }

  bump(channelId: string): void {
    this.#counts[channelId] = this.get(channelId) + 1;
  }

  clear(channelId: string): void {
    delete this.#counts[channelId];
  }

  clearAll(): void {
    this.#counts = {};
  }

  /** The sum over the channels `include` accepts. */
  total(include: (channelId: string) => boolean = () => true): number {
    let sum = 0;
    for (const [id, count] of Object.entries(this.#counts)) if (include(id)) sum += count;
    return sum;
  }
}
