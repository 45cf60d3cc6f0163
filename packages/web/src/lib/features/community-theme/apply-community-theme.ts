import { themeCustomCss, themeVariables } from './community-theme';

/** The one element that holds the active community's custom CSS. */
export const CUSTOM_CSS_ID = 'community-custom-css';

/**
 * Layers a community theme over the user's palette: its colours as inline custom properties on `root`,
 * its custom CSS in `<style id="community-custom-css">` at the end of `<head>`. Returns the undo, which
 * removes exactly what was added.
 */
export function applyCommunityTheme(
  theme: unknown,
  root: HTMLElement = document.documentElement,
): () => void {
  const variables = Object.entries(themeVariables(theme));
  for (const [name, value] of variables) root.style.setProperty(name, value);
  const style = insertCustomCss(themeCustomCss(theme), root.ownerDocument);
  return () => {
    for (const [name] of variables) root.style.removeProperty(name);
    style?.remove();
  };
}

function insertCustomCss(css: string | null, doc: Document): HTMLStyleElement | null {
  doc.getElementById(CUSTOM_CSS_ID)?.remove();
  if (css === null) return null;
  const style = doc.createElement('style');
  style.id = CUSTOM_CSS_ID;
  // Text, never markup: the stylesheet is only ever parsed as CSS.
  style.textContent = css;
  doc.head.append(style);
  return style;
}
