import { invalid } from '../../platform/errors.js';
import { CssRejected, sanitizeCustomCss } from './css-sanitizer.js';

/** A community theme as stored: hex colours by key and sanitised custom CSS (rest-api.md §7). */
export type CommunityTheme = Record<string, string>;

const THEME_MAX_BYTES = 8192;
const colourKeys = new Set([
  'accent',
  'accentHover',
  'bgPrimary',
  'bgSecondary',
  'bgTertiary',
  'textPrimary',
  'textSecondary',
]);
const hexColour = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/**
 * The theme to store for a PATCH value: null clears it; an object must hold only the known keys, and
 * replaces the previous theme entirely. An empty `customCss` is dropped.
 */
export function normaliseTheme(input: unknown): CommunityTheme | null {
  if (input === null) return null;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('community_theme must be a JSON object');
  }
  if (Buffer.byteLength(JSON.stringify(input)) > THEME_MAX_BYTES) {
    throw invalid(`community_theme must be at most ${THEME_MAX_BYTES} bytes`);
  }
  const theme: CommunityTheme = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'customCss') {
      const css = customCss(value);
      if (css !== '') theme[key] = css;
    } else if (colourKeys.has(key)) {
      if (typeof value !== 'string' || !hexColour.test(value)) {
        throw invalid(`community_theme.${key} must be a hex colour such as #7c3aed`);
      }
      theme[key] = value;
    } else {
      throw invalid(`unknown theme key: ${key}`);
    }
  }
  return theme;
}

function customCss(value: unknown): string {
  if (typeof value !== 'string') throw invalid('customCss must be a string');
  try {
    return sanitizeCustomCss(value);
  } catch (error) {
    throw error instanceof CssRejected ? invalid(`customCss: ${error.message}`) : error;
  }
}
