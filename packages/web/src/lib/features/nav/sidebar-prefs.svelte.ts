import { isStringArray, readJson, readString, storageKeys, writeJson, writeString } from './nav-storage';

export type SidebarTab = 'community' | 'dms';

/** The sidebar's tab (NAV-07) and expanded groups (NAV-08), both surviving a reload. */
export class SidebarPrefs {
  tab = $state<SidebarTab>('community');
  #expanded = $state<string[]>([]);
  /** False until the user (or a first-load default) has expanded anything. */
  #chosen = false;

  constructor() {
    this.tab = readString(storageKeys.sidebarTab) === 'dms' ? 'dms' : 'community';
    const stored = readJson(storageKeys.expandedGroups, isStringArray);
    this.#expanded = stored ?? [];
    this.#chosen = stored !== null;
  }

  setTab(tab: SidebarTab): void {
    this.tab = tab;
    writeString(storageKeys.sidebarTab, tab);
  }

  isExpanded(groupId: string): boolean {
    return this.#expanded.includes(groupId);
  }

  /** Nobody has chosen yet (first load on this device): the first group starts expanded. */
  get hasChoice(): boolean {
    return this.#chosen;
  }

  toggle(groupId: string): void {
    if (this.isExpanded(groupId)) this.#save(this.#expanded.filter((id) => id !== groupId));
    else this.expand(groupId);
  }

  expand(groupId: string): void {
    if (!this.isExpanded(groupId)) this.#save([...this.#expanded, groupId]);
  }

  /** Drops groups that no longer exist, so the stored list does not grow forever. */
  keepOnly(groupIds: ReadonlySet<string>): void {
    if (this.#expanded.some((id) => !groupIds.has(id))) {
      this.#save(this.#expanded.filter((id) => groupIds.has(id)));
    }
  }

  /** After sign-out: the next user starts from the defaults (the tab is not personal). */
  forget(): void {
    this.#expanded = [];
    this.#chosen = false;
  }

  #save(ids: string[]): void {
    this.#expanded = ids;
    this.#chosen = true;
    writeJson(storageKeys.expandedGroups, ids);
  }
}

export const sidebarPrefs = new SidebarPrefs();
