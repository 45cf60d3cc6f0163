/** Navigation's localStorage keys, in the one `chatalot:` namespace that sign-out clears. */
export const storageKeys = {
  activeCommunity: 'chatalot:active-community',
  activeChannel: 'chatalot:active-channel',
  /** `{communityId: channelId}`: where switching back to a community lands. */
  communityChannels: 'chatalot:community-channels',
  expandedGroups: 'chatalot:expanded-groups',
  sidebarTab: 'chatalot:sidebar-tab',
  /** `"true"` while the top bar is collapsed to the breadcrumb (NAV-23). */
  navCollapsed: 'chatalot:nav-collapsed',
  welcomeDismissed: (communityId: string) => `chatalot:welcome-dismissed:${communityId}`,
} as const;

/** Storage can be missing or refuse writes (private mode, quota); navigation then just forgets. */
export function readString(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeString(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Nothing to do: the value lives on in memory for this tab.
  }
}

export function readJson<T>(key: string, isValid: (value: unknown) => value is T): T | null {
  const raw = readString(key);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : null;
  } catch {
    return null;
  }
}

export function writeJson(key: string, value: unknown): void {
  writeString(key, JSON.stringify(value));
}

export const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

export const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((item) => typeof item === 'string');
