/** The Menu key, Shift+F10 or a right-click open a message's actions menu (A11Y-08). */
function openMenu(row: HTMLElement): boolean {
  const more = row.querySelector<HTMLButtonElement>('[data-more]');
  more?.click();
  return more !== null;
}

/**
 * Attachment for a message row: its context-menu keys and right-click. Added as listeners because the row is
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
  row.addEventListener('keydown', onkeydown);
  row.addEventListener('contextmenu', oncontextmenu);
  return () => {
    row.removeEventListener('keydown', onkeydown);
    row.removeEventListener('contextmenu', oncontextmenu);
  };
}
