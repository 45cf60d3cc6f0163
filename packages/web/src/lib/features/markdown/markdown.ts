import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/** The only markup a rendered message may contain (MSG-09), plus `span` for mentions. */
const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'a',
  'ul',
  'ol',
  'li',
  'blockquote',
  'span',
];
const ALLOWED_ATTR = ['href', 'title', 'start', 'class', 'data-mention', 'data-lang'];
const SAFE_URL = /^(?:https?:|mailto:)/i;
/** `@name` preceded by a start or a space; usernames are letters, digits, `_`, `.` and `-`. */
const MENTION = /^@([A-Za-z0-9_.-]{1,64})/;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  // Chat is not a document: headings, tables, rules and link definitions stay literal text.
  tokenizer: {
    heading: () => undefined,
    lheading: () => undefined,
    table: () => undefined,
    hr: () => undefined,
    def: () => undefined,
  },
  renderer: {
    // Typed HTML is shown as the text it is, never interpreted.
    html: ({ text }) => escapeHtml(text),
    // Images would load from anywhere (tracking); show them as links instead.
    image: ({ href, text }) => link(href, text || href),
    link({ href, tokens }) {
      return link(href, this.parser.parseInline(tokens), true);
    },
    code({ text, lang }) {
      const language = (lang ?? '').match(/^[\w+#.-]{1,20}/)?.[0] ?? '';
      const label = language ? ` data-lang="${escapeHtml(language)}"` : '';
      return `<pre${label}><code>${escapeHtml(text)}</code></pre>`;
    },
  },
  extensions: [
    {
      name: 'mention',
      level: 'inline',
      start(src) {
        const at = src.search(/(^|\s)@[A-Za-z0-9_]/);
        return at < 0 ? undefined : src[at] === '@' ? at : at + 1;
      },
      tokenizer(src) {
        const match = MENTION.exec(src);
        if (!match) return undefined;
        return { type: 'mention', raw: match[0], username: match[1] };
      },
      renderer(token) {
        const name = escapeHtml((token as Tokens.Generic).username as string);
        return `<span class="mention" data-mention="${name}">@${name}</span>`;
      },
    },
  ],
});

function link(href: string, html: string, escaped = false): string {
  const body = escaped ? html : escapeHtml(html);
  if (!SAFE_URL.test(href.trim())) return body;
  return `<a href="${escapeHtml(href.trim())}">${body}</a>`;
}

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: [...ALLOWED_ATTR, 'target', 'rel'],
  });
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, string>();

/**
 * A message's text as sanitised HTML. Parsing runs once per distinct text (an LRU cache), so scrolling a
 * long channel does not parse the same message again each time its row is rendered.
 */
export function renderMarkdown(text: string): string {
  const cached = cache.get(text);
  if (cached !== undefined) {
    cache.delete(text);
    cache.set(text, cached);
    return cached;
  }
  const html = purify(marked.parse(text, { async: false }));
  cache.set(text, html);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return html;
}
