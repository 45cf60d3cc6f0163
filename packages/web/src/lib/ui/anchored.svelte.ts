import type { Attachment } from 'svelte/attachments';
import { fly } from 'svelte/transition';
import { pushLayer } from './layers';
import { motion } from './motion';
import { portal } from './portal';

export interface AnchorPosition {
  top: number;
  left: number;
  right: number;
}

/** What `Popover` spreads on the element its `trigger` snippet renders (a button). */
export interface PopoverTriggerProps {
  'aria-haspopup': 'dialog';
  'aria-expanded': boolean;
  'aria-controls': string | undefined;
  onclick: (event: MouseEvent) => void;
}

/** Where a popup opens: just below `trigger`, lined up with its left or right edge. */
function below(trigger: HTMLElement): AnchorPosition {
  const rect = trigger.getBoundingClientRect();
  return { top: rect.bottom + 4, left: rect.left, right: window.innerWidth - rect.right };
}

/**
 * While a popup is open: Esc (as the top layer) closes it with focus back on the trigger; a press outside
 * both, or a resize that would leave it floating in the wrong place, closes it without moving focus.
 */
function dismissible(
  popup: HTMLElement,
  trigger: () => HTMLElement | null,
  close: (returnFocus: boolean) => void,
): () => void {
  const removeLayer = pushLayer(() => close(true));
  const onPointerDown = (event: PointerEvent) => {
    const target = event.target as Node;
    if (!popup.contains(target) && !trigger()?.contains(target)) close(false);
  };
  const onResize = () => close(false);
  document.addEventListener('pointerdown', onPointerDown, true);
  window.addEventListener('resize', onResize);
  return () => {
    removeLayer();
    document.removeEventListener('pointerdown', onPointerDown, true);
    window.removeEventListener('resize', onResize);
  };
}

/** How an anchored popup comes and goes: a short drop from its trigger (`transition:popupTransition`). */
export function popupTransition(node: Element) {
  return fly(node, { y: -4, duration: motion(120) });
}

/**
 * A popup that opens below the button that triggered it (`Menu`, `Popover`): whether it is open, where,
 * and which button gets focus back when it closes.
 */
export class AnchoredPopup {
  open = $state(false);
  #position = $state<AnchorPosition>({ top: 0, left: 0, right: 0 });
  #trigger: HTMLElement | null = null;

  /** Opens (or re-places) the popup below `trigger`; ignored unless it is an element. */
  show(trigger: EventTarget | null): void {
    if (!(trigger instanceof HTMLElement)) return;
    this.#trigger = trigger;
    this.#position = below(trigger);
    this.open = true;
  }

  /** Closes the popup, giving focus back to its trigger unless `returnFocus` is false. */
  close = (returnFocus = true): void => {
    if (!this.open) return;
    this.open = false;
    if (returnFocus) this.#trigger?.focus();
  };

  /**
   * What the trigger button gets: its ARIA state (`popupId` is the popup element's id) and a click that
   * toggles the popup; `handlers` add to (or replace) its event handlers.
   */
  triggerProps<Kind extends string, Handlers extends object>(
    haspopup: Kind,
    popupId: string,
    handlers: Handlers,
  ) {
    const popup = this;
    return {
      'aria-haspopup': haspopup,
      get 'aria-expanded'() {
        return popup.open;
      },
      get 'aria-controls'() {
        return popup.open ? popupId : undefined;
      },
      onclick: (event: MouseEvent) => (popup.open ? popup.close(false) : popup.show(event.currentTarget)),
      ...handlers,
    };
  }

  /** Call while the popup is open; returns the clean-up. Esc, a press outside or a resize closes it. */
  dismissOn(popup: HTMLElement): () => void {
    return dismissible(popup, () => this.#trigger, this.close);
  }

  /**
   * Attachment for the popup element: moves it to the end of <body> and pins it (`position: fixed`) below
   * the trigger, lined up with the trigger's `align()` edge.
   */
  place(align: () => 'start' | 'end'): Attachment<HTMLElement> {
    return (node) => {
      $effect(() => {
        const { top, left, right } = this.#position;
        const edge = align();
        node.style.top = `${top}px`;
        node.style.left = edge === 'start' ? `${left}px` : '';
        node.style.right = edge === 'end' ? `${right}px` : '';
      });
      return portal(node);
    };
  }
}
