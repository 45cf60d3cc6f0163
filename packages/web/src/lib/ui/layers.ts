/**
 * The open layers (modals, menus, overlays), newest last. Esc closes only the top one, so a menu inside
 * a dialog closes before the dialog does (web-client.md §5, "Esc closes the top-most layer").
 */
const stack: Array<() => void> = [];

/** Registers a layer; `close` runs when Esc reaches it. Returns the function that unregisters it. */
export function pushLayer(close: () => void): () => void {
  stack.push(close);
  return () => {
    const index = stack.lastIndexOf(close);
    if (index >= 0) stack.splice(index, 1);
  };
}

/** Asks the top layer to close; false when no layer is open. */
export function closeTopLayer(): boolean {
  const top = stack.at(-1);
  if (!top) return false;
  top();
  return true;
}
