import { describe, expect, it } from 'vitest';
import { themeCustomCss, themeVariables } from './community-theme';

describe('themeVariables', () => {
  it('maps every theme key onto its app token', () => {
    expect(
      themeVariables({
        accent: '#7c3aed',
        accentHover: '#6d28d9',
        bgPrimary: '#101010',
        bgSecondary: '#202020',
        bgTertiary: '#303030',
        textPrimary: '#fafafa',
        textSecondary: '#aaa',
      }),
    ).toEqual({
      '--accent': '#7c3aed',
      '--accent-hover': '#6d28d9',
      '--bg': '#101010',
      '--surface': '#202020',
      '--elevated': '#303030',
      '--text': '#fafafa',
      '--text-muted': '#aaa',
    });
  });

  it('sets only the keys the theme has', () => {
    expect(themeVariables({ accent: '#7C3AEDFF' })).toEqual({ '--accent': '#7C3AEDFF' });
  });

  it('ignores unknown keys, customCss and values that are not hex colours', () => {
    expect(
      themeVariables({
        accent: 'red',
        accentHover: '#12345',
        bgPrimary: '#101010; color: red',
        bgSecondary: 42,
        textPrimary: 'url(/api/x)',
        toString: '#ffffff',
        sidebar: '#ffffff',
        customCss: '.x { color: red; }',
      }),
    ).toEqual({});
  });

  it('gives nothing for an empty, missing or malformed theme', () => {
    expect(themeVariables({})).toEqual({});
    expect(themeVariables(null)).toEqual({});
    expect(themeVariables(undefined)).toEqual({});
    expect(themeVariables('#ffffff')).toEqual({});
    expect(themeVariables(['#ffffff'])).toEqual({});
  });
});

describe('themeCustomCss', () => {
  it('returns the custom CSS when there is some', () => {
    expect(themeCustomCss({ accent: '#fff', customCss: '.x { color: red; }' })).toBe('.x { color: red; }');
  });

  it('returns null for no, blank or non-string custom CSS', () => {
    expect(themeCustomCss({ accent: '#fff' })).toBeNull();
    expect(themeCustomCss({ customCss: '  ' })).toBeNull();
    expect(themeCustomCss({ customCss: 7 })).toBeNull();
    expect(themeCustomCss(null)).toBeNull();
  });
});
