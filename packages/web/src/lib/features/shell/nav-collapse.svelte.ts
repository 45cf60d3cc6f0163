import { readString, storageKeys, writeString } from '$lib/features/nav/nav-storage';

/** NAV-23: the top bar collapsed to a 32 px breadcrumb, surviving a reload. The sidebar is unaffected. */
export class NavCollapse {
  collapsed = $state(false);

  constructor() {
    this.collapsed = readString(storageKeys.navCollapsed) === 'true';
  }

  collapse(): void {
    this.#set(true);
  }

  expand(): void {
    this.#set(false);
  }

  toggle(): void {
    this.#set(!this.collapsed);
  }

  #set(collapsed: boolean): void {
    this.collapsed = collapsed;
    writeString(storageKeys.navCollapsed, String(collapsed));
  }
}

export const navCollapse = new NavCollapse();
