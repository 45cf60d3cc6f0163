import { beforeEach, describe, expect, it } from 'vitest';
import { NavCollapse } from './nav-collapse.svelte';

beforeEach(() => localStorage.clear());

describe('the collapsed navigation (NAV-23)', () => {
  it('starts expanded and toggles between collapsed and expanded', () => {
    const state = new NavCollapse();
    expect(state.collapsed).toBe(false);
    state.toggle();
    expect(state.collapsed).toBe(true);
    state.toggle();
    expect(state.collapsed).toBe(false);
  });

  it('survives a reload in chatalot:nav-collapsed', () => {
    new NavCollapse().collapse();
    expect(localStorage.getItem('chatalot:nav-collapsed')).toBe('true');
    const reloaded = new NavCollapse();
    expect(reloaded.collapsed).toBe(true);
    reloaded.expand();
    expect(localStorage.getItem('chatalot:nav-collapsed')).toBe('false');
    expect(new NavCollapse().collapsed).toBe(false);
  });

  it('treats anything but "true" as expanded', () => {
    localStorage.setItem('chatalot:nav-collapsed', 'yes');
    expect(new NavCollapse().collapsed).toBe(false);
  });
});
