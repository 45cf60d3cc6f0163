export type ThemeMode = 'dark' | 'light' | 'system';
export type ResolvedTheme = 'dark' | 'light';

/** Read by the inline script in `app.html` before first paint; keep the two in step. */
export const THEME_KEY = 'chatalot:theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function storedMode(): ThemeMode {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'dark' || value === 'light' ? value : 'system';
  } catch {
    return 'system';
  }
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia(DARK_QUERY).matches;
}

/** Dark, light or following the system; `system` follows changes of the OS setting live. */
class Theme {
  mode = $state<ThemeMode>(storedMode());
  #systemDark = $state(systemPrefersDark());
  resolved: ResolvedTheme = $derived(
    this.mode === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.mode,
  );

  constructor() {
    if (typeof matchMedia !== 'function') return;
    matchMedia(DARK_QUERY).addEventListener('change', (event) => {
      this.#systemDark = event.matches;
      this.#apply();
    });
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    try {
      if (mode === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, mode);
    } catch {
      // Without storage the choice lasts until the tab closes.
    }
    this.#apply();
  }

  #apply(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.theme = this.resolved;
  }
}

export const theme = new Theme();
