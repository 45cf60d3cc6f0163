/** The Menu key, Shift+F10 or a right-click open a message's actions menu (A11Y-08). */
function openMenu(row: HTMLElement): boolean {
  const more = row.querySelector<HTMLButtonElement>('[data-more]');
  more?.click();
  return more !== null;
}

/** What a tap on a message acts on itself, rather than selecting the message. */
const CONTROLS = 'a, button, input, textarea, select, summary, label, [contenteditable], [role="button"]';

/**
 * MOB-06: a tap on the message (not on one of its links or buttons) focuses the row, which shows its action
 * strip (`:focus-within`) where there is no hover. Browsers do not all focus a `tabindex="-1"` element on a tap.
 * Focus already inside the row (an inline editor, the strip) stays where it is.
 */
function focusOnTap(row: HTMLElement, event: MouseEvent): void {
  const control = (event.target as Element).closest(CONTROLS);
  if ((control && row.contains(control)) || row.contains(document.activeElement)) return;
  row.focus({ preventScroll: true });
}

/**
 * Attachment for a message row: its context-menu keys, right-click, and tap (MOB-06). Added as listeners because the row is
 * a focusable article rather than a widget. A right-click on a link, in a text field or over a selection
 * keeps the browser's own menu.
 */
export function rowShortcuts(row: HTMLElement): () => void {
  const onkeydown = (event: KeyboardEvent) => {
    if (event.target !== row) return;
    if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
      if (openMenu(row)) event.preventDefault();
    }
  };
  const oncontextmenu = (event: MouseEvent) => {
    const target = event.target as HTMLElement;
    if (target.closest('a, textarea') || String(window.getSelection() ?? '') !== '') return;
    if (openMenu(row)) event.preventDefault();
  };
  const onclick = (event: MouseEvent) => focusOnTap(row, event);
  row.addEventListener('keydown', onkeydown);
  row.addEventListener('contextmenu', oncontextmenu);
  row.addEventListener('click', onclick);
  return () => {
    row.removeEventListener('keydown', onkeydown);
    row.removeEventListener('contextmenu', oncontextmenu);
    row.removeEventListener('click', onclick);
  };
}
