/**
 * A community's theme (COMM-08) as the app's design tokens (src/app.css). Each key replaces one token in
 * both the light and dark palettes, so a theme that sets only some keys leaves the others, and the contrast
 * pairs they belong to, as the user's palette has them (PREF-26).
 */
export const THEME_TOKENS = {
  accent: '--accent',
  accentHover: '--accent-hover',
  bgPrimary: '--bg',
  bgSecondary: '--surface',
  bgTertiary: '--elevated',
  textPrimary: '--text',
  textSecondary: '--text-muted',
} as const;

export type ThemeColourKey = keyof typeof THEME_TOKENS;

const HEX_COLOUR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

function isColourKey(key: string): key is ThemeColourKey {
  return Object.hasOwn(THEME_TOKENS, key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The custom properties a theme sets, e.g. `{'--accent': '#7c3aed'}`. The server validates themes, but
 * this stays defensive: unknown keys and anything that is not a hex colour are skipped.
 */
export function themeVariables(theme: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  if (!isRecord(theme)) return variables;
  for (const [key, value] of Object.entries(theme)) {
    if (isColourKey(key) && typeof value === 'string' && HEX_COLOUR.test(value)) {
      variables[THEME_TOKENS[key]] = value;
    }
  }
  return variables;
}

/** The theme's custom CSS (sanitised by the server), or null when it has none. */
export function themeCustomCss(theme: unknown): string | null {
  if (!isRecord(theme)) return null;
  const css = theme.customCss;
  return typeof css === 'string' && css.trim() !== '' ? css : null;
}
