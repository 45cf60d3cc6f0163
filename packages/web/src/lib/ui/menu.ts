import type { IconName } from './icons';

export interface MenuItem {
  id: string;
  label: string;
  icon?: IconName;
  /** Makes the item a `menuitemradio`, checked or not (e.g. the current status or theme). */
  checked?: boolean;
  /** A destructive action, shown in the danger colour. */
  danger?: boolean;
  /** Draws a divider above the item. */
  separator?: boolean;
  /** A short second line, e.g. a description or a keyboard hint. */
  hint?: string;
}

/** What `Menu` spreads on the element its `trigger` snippet renders (a button). */
export interface MenuTriggerProps {
  'aria-haspopup': 'menu';
  'aria-expanded': boolean;
  'aria-controls': string | undefined;
  onclick: (event: MouseEvent) => void;
  onkeydown: (event: KeyboardEvent) => void;
}

/** Type-ahead: the next item after `current` whose label starts with `char`, or null. */
export function matchIndex(labels: readonly string[], char: string, current: number): number | null {
  const wanted = char.toLowerCase();
  for (let step = 1; step <= labels.length; step++) {
    const index = (current + step) % labels.length;
    if (labels[index]?.toLowerCase().startsWith(wanted)) return index;
  }
  return null;
}
