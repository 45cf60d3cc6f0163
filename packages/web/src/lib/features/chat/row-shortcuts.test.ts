import { afterEach, describe, expect, it } from 'vitest';
import { rowShortcuts } from './row-shortcuts';

function row(): { article: HTMLElement; stop: () => void } {
  const article = document.body.appendChild(document.createElement('article'));
  article.tabIndex = -1;
  article.innerHTML = `
    <p class="body">Hello <a href="https://example.com">there</a></p>
    <textarea aria-label="Edit"></textarea>
    <div class="actions"><button type="button" data-more>More</button></div>`;
  return { article, stop: rowShortcuts(article) };
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('tapping a message (MOB-06)', () => {
  it('focuses the row, which shows its action strip', () => {
    const { article } = row();
    article.querySelector<HTMLElement>('.body')?.click();
    expect(document.activeElement).toBe(article);
  });

  it('leaves taps on links and buttons to them', () => {
    const { article } = row();
    article.querySelector('a')?.addEventListener('click', (event) => event.preventDefault());
    article.querySelector('a')?.click();
    article.querySelector('button')?.click();
    expect(document.activeElement).not.toBe(article);
  });

  it('does not take focus from an inline editor in the row', () => {
    const { article } = row();
    const editor = article.querySelector('textarea');
    editor?.focus();
    article.querySelector<HTMLElement>('.body')?.click();
    expect(document.activeElement).toBe(editor);
  });

  it('stops listening when detached', () => {
    const { article, stop } = row();
    stop();
    article.querySelector<HTMLElement>('.body')?.click();
    expect(document.activeElement).not.toBe(article);
  });
});
