import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../markdown/markdown';
import {
  applySlashCommand,
  completionAt,
  formatShortcut,
  insertLink,
  isSendKey,
  wrapSelection,
} from './composer-text';

const key = (key: string, extra: Partial<KeyboardEvent> = {}) => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...extra,
});

describe('applySlashCommand', () => {
  it('turns /me into italics', () => {
    expect(applySlashCommand('/me waves')).toBe('*waves*');
  });

  it('appends the faces, after any text', () => {
    expect(applySlashCommand('/tableflip')).toBe('(╯°□°)╯︵ ┻━┻');
    expect(applySlashCommand('/unflip')).toBe('┬─┬ノ( º _ ºノ)');
    expect(applySlashCommand('/lenny')).toBe('( ͡° ͜ʖ ͡°)');
    expect(applySlashCommand('/shrug oh well')).toMatch(/^oh well ¯/);
  });

  it('keeps the shrug intact through markdown', () => {
    const root = document.createElement('div');
    root.innerHTML = renderMarkdown(applySlashCommand('/shrug'));
    expect(root.textContent?.trim()).toBe('¯\\_(ツ)_/¯');
  });

  it('leaves other text and unknown commands alone', () => {
    expect(applySlashCommand('hello /me')).toBe('hello /me');
    expect(applySlashCommand('/unknown thing')).toBe('/unknown thing');
    expect(applySlashCommand('/me')).toBe('/me');
  });
});

describe('composer keys', () => {
  it('sends on Enter and leaves Shift+Enter and IME composition alone', () => {
    expect(isSendKey(key('Enter'))).toBe(true);
    expect(isSendKey(key('Enter', { shiftKey: true }))).toBe(false);
    expect(isSendKey({ ...key('Enter'), isComposing: true })).toBe(false);
    expect(isSendKey(key('a'))).toBe(false);
  });

  it('maps Mod+B, Mod+I and Mod+E to bold, italic and code', () => {
    expect(formatShortcut(key('b', { ctrlKey: true }))).toBe('**');
    expect(formatShortcut(key('i', { metaKey: true }))).toBe('_');
    expect(formatShortcut(key('e', { ctrlKey: true }))).toBe('`');
    expect(formatShortcut(key('b'))).toBeNull();
    expect(formatShortcut(key('x', { ctrlKey: true }))).toBeNull();
  });
});

describe('wrapSelection', () => {
  it('wraps the selection and keeps it selected', () => {
    expect(wrapSelection('say hi now', 4, 6, '**')).toEqual({
      value: 'say **hi** now',
      selectionStart: 6,
      selectionEnd: 8,
    });
  });

  it('inserts a selected placeholder when nothing is selected', () => {
    expect(wrapSelection('ab', 1, 1, '~~')).toEqual({
      value: 'a~~text~~b',
      selectionStart: 3,
      selectionEnd: 7,
    });
  });

  it('makes a link with the url placeholder selected', () => {
    const edit = insertLink('see docs', 4, 8);
    expect(edit.value).toBe('see [docs](url)');
    expect(edit.value.slice(edit.selectionStart, edit.selectionEnd)).toBe('url');
  });
});

describe('completionAt', () => {
  it('finds a mention being typed', () => {
    expect(completionAt('hi @al', 6)).toEqual({ kind: 'mention', query: 'al', start: 3 });
    expect(completionAt('@', 1)).toEqual({ kind: 'mention', query: '', start: 0 });
  });

  it('finds an emoji shortcode after two characters', () => {
    expect(completionAt('nice :sm', 8)).toEqual({ kind: 'emoji', query: 'sm', start: 5 });
    expect(completionAt('nice :s', 7)).toBeNull();
  });

  it('ignores e-mail addresses and times', () => {
    expect(completionAt('bob@example', 11)).toBeNull();
    expect(completionAt('at 10:30', 8)).toBeNull();
  });
});
