import type { NavMember, NavUser } from '$lib/features/nav/nav-types';

export interface Person {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

const MODERATOR_ROLES = new Set(['owner', 'admin', 'moderator']);

/**
 * The people of one channel, to name senders, readers and mentions: its members (loaded once), the DM peer,
 * and the reader. Someone who has left shows as "Former member".
 */
export class People {
  members = $state.raw<ReadonlyMap<string, NavMember>>(new Map());
  /** The members failed to load: names fall back, the channel still works. */
  failed = $state(false);
  loaded = $state(false);
  readonly #self: () => Person | null;
  readonly #peer: () => NavUser | undefined;

  constructor(self: () => Person | null, peer: () => NavUser | undefined) {
    this.#self = self;
    this.#peer = peer;
  }

  async load(fetch: () => Promise<NavMember[]>): Promise<void> {
    try {
      const members = await fetch();
      this.members = new Map(members.map((member) => [member.userId, member]));
      this.failed = false;
      this.loaded = true;
    } catch {
      this.failed = true;
    }
  }

  get(userId: string | null): Person | null {
    if (userId === null) return null;
    const self = this.#self();
    if (self?.id === userId) return self;
    const peer = this.#peer();
    if (peer?.id === userId) return peer;
    const member = this.members.get(userId);
    return member
      ? {
          id: member.userId,
          username: member.username,
          displayName: member.displayName,
          avatarUrl: member.avatarUrl,
        }
      : null;
  }

  nameOf(userId: string | null): string {
    if (userId === null) return 'System';
    return this.get(userId)?.displayName ?? 'Former member';
  }

  byUsername(username: string): Person | null {
    const wanted = username.toLowerCase();
    const self = this.#self();
    if (self?.username.toLowerCase() === wanted) return self;
    const peer = this.#peer();
    if (peer?.username.toLowerCase() === wanted) return peer;
    for (const member of this.members.values()) {
      if (member.username.toLowerCase() === wanted) return this.get(member.userId);
    }
    return null;
  }

  /** Members whose username or display name starts with the query (MSG-06), at most `limit`. */
  search(query: string, limit: number): Person[] {
    const wanted = query.toLowerCase();
    const found: Person[] = [];
    for (const member of this.members.values()) {
      if (found.length >= limit) break;
      if (
        member.username.toLowerCase().startsWith(wanted) ||
        member.displayName.toLowerCase().startsWith(wanted)
      ) {
        found.push(this.get(member.userId) as Person);
      }
    }
    return found;
  }

  /** Whether the user moderates this channel (read-only and slow mode do not apply; may delete others' messages). */
  isModerator(userId: string | null): boolean {
    const role = userId === null ? undefined : this.members.get(userId)?.role;
    return role !== undefined && MODERATOR_ROLES.has(role);
  }
}
