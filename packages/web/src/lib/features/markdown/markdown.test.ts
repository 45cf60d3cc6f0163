import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

function dom(text: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = renderMarkdown(text);
  return root;
}

describe('renderMarkdown', () => {
  it('renders bold, italic in both spellings, strike and inline code', () => {
    const root = dom('**bold** *it* _also_ ~~gone~~ `x < y`');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect([...root.querySelectorAll('em')].map((em) => em.textContent)).toEqual(['it', 'also']);
    expect(root.querySelector('del')?.textContent).toBe('gone');
    expect(root.querySelector('code')?.textContent).toBe('x < y');
  });

  it('renders fenced code blocks literally, with their language', () => {
    const root = dom('```ts\nconst a = "<b>";\n**not bold**\n```');
    const pre = root.querySelector('pre');
    expect(pre?.dataset.lang).toBe('ts');
    expect(pre?.querySelector('code')?.textContent).toBe('const a = "<b>";\n**not bold**');
    expect(root.querySelector('strong')).toBeNull();
    expect(root.querySelector('b')).toBeNull();
  });

  it('renders bulleted and numbered lists as real lists', () => {
    const root = dom('- one\n- two\n\n3. three\n4. four');
    expect([...root.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    const ordered = root.querySelector('ol');
    expect(ordered?.getAttribute('start')).toBe('3');
    expect(ordered?.querySelectorAll('li')).toHaveLength(2);
  });

  it('renders blockquotes and keeps single line breaks', () => {
    const root = dom('> quoted\n\nline one\nline two');
    expect(root.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
    expect(root.querySelectorAll('br')).toHaveLength(1);
  });

  it('opens links in a new tab without giving the page an opener', () => {
    const root = dom('see [the docs](https://example.org/docs) and https://example.com');
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.org/docs',
      'https://example.com',
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toContain('noopener');
    }
  });

  it('shows headings, tables and rules as the text that was typed', () => {
    const root = dom('# not a heading\n\n---');
    expect(root.querySelector('h1, hr')).toBeNull();
    expect(root.textContent).toContain('# not a heading');
  });

  it('marks @mentions for the row to resolve', () => {
    const root = dom('hi @alice_b, and `@not` mail bob@example.org');
    const mentions = [...root.querySelectorAll('span.mention')];
    expect(mentions.map((span) => span.getAttribute('data-mention'))).toEqual(['alice_b']);
  });
});

describe('renderMarkdown against script injection', () => {
  it.each([
    '<img src=x onerror="alert(1)">',
    '<script>alert(1)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
  ])('shows raw HTML as text: %s', (input) => {
    const root = dom(input);
    expect(root.querySelector('img, script, svg, iframe, [onerror], [onload]')).toBeNull();
    expect(root.querySelector('a[href^="javascript"]')).toBeNull();
    expect(root.textContent).toContain(input.slice(0, 4));
  });

  it.each([
    ['[click](javascript:alert(1))', 'click'],
    ['[click](JaVaScRiPt:alert(1))', 'click'],
    ['[click](data:text/html;base64,PHNjcmlwdD4=)', 'click'],
    ['[click](vbscript:msgbox)', 'click'],
    ['![picture](javascript:alert(1))', 'picture'],
  ])('drops unsafe link targets: %s', (input, text) => {
    const root = dom(input);
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent?.trim()).toBe(text);
  });

  it('turns images into links rather than loading them', () => {
    const root = dom('![cat](https://example.org/cat.png)');
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('a')?.getAttribute('href')).toBe('https://example.org/cat.png');
  });

  it('escapes attribute breakouts in link titles and code languages', () => {
    const root = dom(
      '[x](https://example.org "a\\" onmouseover=\\"alert(1)")\n\n```"><img src=x onerror=alert(1)>\nhi\n```',
    );
    expect(root.querySelector('[onmouseover], img')).toBeNull();
  });
});
