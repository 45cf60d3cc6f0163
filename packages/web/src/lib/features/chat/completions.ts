import { searchEmoji } from './emoji-data';
import type { Person } from './people.svelte';

export interface Completion {
  id: string;
  /** What replaces the typed `@que` or `:que`. */
  insert: string;
  label: string;
  hint: string;
}

const SPECIAL_MENTIONS = [
  { name: 'everyone', hint: 'Notify all members' },
  { name: 'here', hint: 'Notify online members' },
  { name: 'channel', hint: 'Notify channel members' },
];
const MAX_MENTIONS = 10;
const MAX_EMOJI = 8;

/** `@` (MSG-06): the special mentions first, then members by username or display name. */
export function mentionOptions(
  query: string,
  search: (query: string, limit: number) => Person[],
): Completion[] {
  const wanted = query.toLowerCase();
  const special = SPECIAL_MENTIONS.filter((entry) => entry.name.startsWith(wanted)).map((entry) => ({
    id: `special-${entry.name}`,
    insert: `@${entry.name} `,
    label: `@${entry.name}`,
    hint: entry.hint,
  }));
  const people = search(query, MAX_MENTIONS).map((person) => ({
    id: `user-${person.id}`,
    insert: `@${person.username} `,
    label: person.displayName,
    hint: `@${person.username}`,
  }));
  return [...special, ...people].slice(0, MAX_MENTIONS);
}

/** `:sh` (MSG-07): built-in shortcodes, inserted as the character. */
export function emojiOptions(query: string): Completion[] {
  return searchEmoji(query, MAX_EMOJI).map((entry) => ({
    id: `emoji-${entry.name}`,
    insert: entry.char,
    label: `${entry.char}  :${entry.name}:`,
    hint: '',
  }));
}
