import { isEditable } from '$lib/ui/focus';

/** "Mod" is Cmd on Apple devices and Ctrl elsewhere (web-client.md §5). */
export const isApple = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = isApple ? '⌘' : 'Ctrl';

export interface ShortcutGroup {
  title: string;
  /** `keys`: alternatives, each a combination pressed together. */
  shortcuts: ReadonlyArray<{ keys: string[][]; action: string }>;
}

/** What the `?` dialog lists: only shortcuts this release has. */
export const shortcutGroups: readonly ShortcutGroup[] = [
  {
    title: 'Anywhere',
    shortcuts: [
      { keys: [[modKey, 'K']], action: 'Jump to a channel or conversation' },
      { keys: [['Shift', 'Esc']], action: 'Mark all channels read' },
      { keys: [['Esc']], action: 'Close the top-most dialog, menu or panel' },
      { keys: [['?'], [modKey, '/']], action: 'Show these shortcuts' },
    ],
  },
  {
    title: 'Composer',
    shortcuts: [
      { keys: [['Enter']], action: 'Send the message' },
      { keys: [['Shift', 'Enter']], action: 'New line' },
      { keys: [['↑']], action: 'Edit your last message (in an empty composer)' },
      {
        keys: [
          [modKey, 'B'],
          [modKey, 'I'],
          [modKey, 'E'],
        ],
        action: 'Bold, italic, code',
      },
      { keys: [['Esc']], action: 'Cancel the reply' },
    ],
  },
  {
    title: 'Messages',
    shortcuts: [
      { keys: [['↑'], ['↓']], action: 'Move between messages' },
      { keys: [['Home'], ['End']], action: 'First or last message' },
      { keys: [['Menu'], ['Shift', 'F10']], action: 'Actions for the message' },
    ],
  },
  {
    title: 'Menus',
    shortcuts: [
      { keys: [['↑'], ['↓']], action: 'Move between items' },
      { keys: [['Home'], ['End']], action: 'First or last item' },
      { keys: [['Enter']], action: 'Choose' },
    ],
  },
];

/** `?` (outside text fields) or Mod+/ opens the shortcuts dialog. */
export function isShortcutsKey(event: KeyboardEvent): boolean {
  const mod = isApple ? event.metaKey : event.ctrlKey;
  if (mod && event.key === '/') return true;
  return event.key === '?' && !event.ctrlKey && !event.metaKey && !event.altKey && !isEditable(event.target);
}
