import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A controllable `prefers-color-scheme: dark` media query. */
function fakeMediaQuery(initiallyDark: boolean) {
  const listeners: Array<(event: { matches: boolean }) => void> = [];
  const query = {
    matches: initiallyDark,
    addEventListener: (_type: string, listener: (event: { matches: boolean }) => void) =>
      listeners.push(listener),
  };
  vi.stubGlobal('matchMedia', () => query);
  return {
    change(dark: boolean) {
      query.matches = dark;
      for (const listener of listeners) listener({ matches: dark });
    },
  };
}

async function freshTheme() {
  vi.resetModules();
  return (await import('./theme.svelte')).theme;
}

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

afterEach(() => vi.unstubAllGlobals());

describe('theme', () => {
  it('starts from the stored choice, else follows the system', async () => {
    fakeMediaQuery(true);
    const theme = await freshTheme();
    expect([theme.mode, theme.resolved]).toEqual(['system', 'dark']);
    localStorage.setItem('chatalot:theme', 'light');
    const stored = await freshTheme();
    expect([stored.mode, stored.resolved]).toEqual(['light', 'light']);
  });

  it('applies and stores a choice; system removes the stored one', async () => {
    fakeMediaQuery(false);
    const theme = await freshTheme();
    theme.set('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('chatalot:theme')).toBe('dark');
    theme.set('system');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(localStorage.getItem('chatalot:theme')).toBeNull();
  });

  it('follows the OS live while on system, and ignores it otherwise', async () => {
    const media = fakeMediaQuery(false);
    const theme = await freshTheme();
    theme.set('system');
    media.change(true);
    expect(document.documentElement.dataset.theme).toBe('dark');
    theme.set('light');
    media.change(true);
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('works without matchMedia (treated as light)', async () => {
    vi.stubGlobal('matchMedia', undefined);
    const theme = await freshTheme();
    expect(theme.resolved).toBe('light');
  });
});
