import { tick } from 'svelte';

/**
 * Renaming a sidebar row in place (NAV-17): for those allowed, a double-click or F2 on the row starts it;
 * when it ends, focus goes back to the row.
 */
export class InlineRename {
  active = $state(false);
  /** The row (`bind:this`), focused again when renaming ends. */
  row = $state<HTMLElement>();
  readonly #allowed: () => boolean;

  constructor(allowed: () => boolean) {
    this.#allowed = allowed;
  }

  /** Spread on the row: the double-click and F2 that start renaming, and the hint that says so. */
  get rowProps() {
    const allowed = this.#allowed();
    return {
      'aria-keyshortcuts': allowed ? 'F2' : undefined,
      title: allowed ? 'Double-click or press F2 to rename' : undefined,
      ondblclick: () => {
        this.active = this.#allowed();
      },
      onkeydown: (event: KeyboardEvent) => {
        if (this.#allowed() && event.key === 'F2') {
          event.preventDefault();
          this.active = true;
        }
      },
    };
  }

  stop = async (): Promise<void> => {
    this.active = false;
    await tick();
    this.row?.focus();
  };
}
