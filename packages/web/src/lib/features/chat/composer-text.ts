/** The longest message the composer accepts (MSG-01). */
export const MAX_MESSAGE_LENGTH = 4000;

/** Markdown-escaped so the rendered face keeps its backslash and underscores. */
const SHRUG = '¯\\\\\\_(ツ)\\_/¯';

const FACES: Record<string, string> = {
  shrug: SHRUG,
  tableflip: '(╯°□°)╯︵ ┻━┻',
  unflip: '┬─┬ノ( º _ ºノ)',
  lenny: '( ͡° ͜ʖ ͡°)',
};

/** The slash commands, for the composer's hint list. */
export const SLASH_COMMANDS = [
  { command: '/me', hint: 'action in italics' },
  { command: '/shrug', hint: '¯\\_(ツ)_/¯' },
  { command: '/tableflip', hint: FACES.tableflip },
  { command: '/unflip', hint: FACES.unflip },
  { command: '/lenny', hint: FACES.lenny },
] as const;

/** Applies a leading slash command (MSG-05); other text, unknown commands included, is sent as typed. */
export function applySlashCommand(text: string): string {
  const match = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return text;
  const [, command = '', rest = ''] = match;
  const argument = rest.trim();
  if (command === 'me') return argument ? `*${argument}*` : text;
  const face = FACES[command];
  if (face === undefined) return text;
  return argument ? `${argument} ${face}` : face;
}

export interface TextEdit {
  value: string;
  selectionStart: number;
  selectionEnd: number;
}

/**
 * Wraps the selection in markers (MSG-11); with nothing selected, inserts the placeholder word "text"
 * and selects it so typing replaces it.
 */
export function wrapSelection(
  value: string,
  start: number,
  end: number,
  before: string,
  after: string = before,
): TextEdit {
  const selected = value.slice(start, end) || 'text';
  const next = value.slice(0, start) + before + selected + after + value.slice(end);
  const selectionStart = start + before.length;
  return { value: next, selectionStart, selectionEnd: selectionStart + selected.length };
}

/** Wraps the selection as a link, selecting the `url` placeholder to type over. */
export function insertLink(value: string, start: number, end: number): TextEdit {
  const label = value.slice(start, end) || 'text';
  const next = `${value.slice(0, start)}[${label}](url)${value.slice(end)}`;
  const selectionStart = start + label.length + 3;
  return { value: next, selectionStart, selectionEnd: selectionStart + 3 };
}

interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
}

/** Enter sends, Shift+Enter is a new line (MSG-02); an IME composition's Enter belongs to the IME. */
export function isSendKey(event: KeyLike): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing;
}

/** Mod+B / Mod+I / Mod+E → the markers to wrap the selection in, or null. */
export function formatShortcut(event: KeyLike): string | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return null;
  return { b: '**', i: '_', e: '`' }[event.key.toLowerCase()] ?? null;
}

/** The word being typed at the caret when it starts an autocompletion: `@ali` or `:smi` (2+ characters). */
export function completionAt(
  value: string,
  caret: number,
): { kind: 'mention' | 'emoji'; query: string; start: number } | null {
  const match = /(^|\s)([@:])([\w.+-]*)$/.exec(value.slice(0, caret));
  if (!match) return null;
  const [, lead = '', sigil, query = ''] = match;
  const start = match.index + lead.length;
  if (sigil === '@') return { kind: 'mention', query, start };
  return query.length >= 2 ? { kind: 'emoji', query, start } : null;
}
