import type { UserPublic } from '@chatalot/protocol';
import { searchUsers, USER_SEARCH_MIN_LENGTH } from '$lib/api/users';
import { errorText } from './errors';

export const SEARCH_DEBOUNCE_MS = 300;

export type SearchStatus = 'empty' | 'too-short' | 'searching' | 'done' | 'error';

/** NAV-19: people to start a DM with, searched 300 ms after typing stops, never the user themself. */
export class UserSearch {
  status = $state<SearchStatus>('empty');
  results = $state<UserPublic[]>([]);
  error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;

  constructor(private readonly me: () => string | null) {}

  set(query: string): void {
    const q = query.trim();
    this.#cancel();
    this.results = [];
    this.error = null;
    if (q === '') {
      this.status = 'empty';
      return;
    }
    if (q.length < USER_SEARCH_MIN_LENGTH) {
      this.status = 'too-short';
      return;
    }
    this.status = 'searching';
    const generation = this.#generation;
    this.#timer = setTimeout(() => void this.#run(q, generation), SEARCH_DEBOUNCE_MS);
  }

  dispose(): void {
    this.#cancel();
  }

  #cancel(): void {
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #run(query: string, generation: number): Promise<void> {
    try {
      const found = await searchUsers(query);
      if (generation !== this.#generation) return;
      this.results = found.filter((user) => user.id !== this.me());
      this.status = 'done';
    } catch (failure) {
      if (generation !== this.#generation) return;
      this.error = errorText(failure);
      this.status = 'error';
    }
  }
}
