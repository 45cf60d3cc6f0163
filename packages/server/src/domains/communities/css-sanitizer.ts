/**
 * The strict sanitiser for a community theme's `customCss` (server-behaviour.md §6.13). The reference
 * checked substrings and passed anything with a brace through verbatim; this one tokenizes the text,
 * accepts only rule blocks of allow-listed `property: value` declarations, scopes every selector under
 * `.community-theme`, and re-serialises what it understood. Anything else is refused with a reason.
 */

const THEME_SCOPE = '.community-theme';
const CUSTOM_CSS_MAX_BYTES = 4096;
const OUTPUT_MAX_BYTES = 8192; // scoping lengthens selectors; this bounds the growth

const words = (list: string) => new Set(list.trim().split(/\s+/));
const allowedProperties = words(`
  color background-color background border-color border-radius padding margin gap font-size font-weight
  font-family letter-spacing line-height box-shadow text-shadow opacity border outline text-decoration
  text-transform border-width border-style`);
const allowedFunctions = words(`
  rgb rgba hsl hsla hwb lab lch oklab oklch color-mix var calc min max clamp linear-gradient
  radial-gradient conic-gradient repeating-linear-gradient repeating-radial-gradient repeating-conic-gradient`);
const allowedPseudoClasses = words(`
  hover focus focus-visible focus-within active visited first-child last-child only-child first-of-type
  last-of-type empty disabled checked`);
const allowedPseudoElements = words('placeholder selection marker first-line first-letter');

const hexColour = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const apiPath = /^\/api\/[A-Za-z0-9._~%/?=&+-]*$/;
/** Strings only name fonts (and quote a url); keep them inert. */
const stringForbidden = /["'\\<>@:;,(){}\p{Cc}\p{Cs}]/u;

type TokenType = 'space' | 'number' | 'ident' | 'function' | 'hash' | 'string' | 'url' | 'delim';
type Token = { type: TokenType; text: string };
type Declaration = { property: string; value: string };
type Rule = { selectors: string[]; declarations: Declaration[] };

/** Why a stylesheet was refused, in words for the person who wrote it. */
export class CssRejected extends Error {}
function reject(message: string): never {
  throw new CssRejected(message);
}

/** The normalised, scoped stylesheet, or a `CssRejected`. */
export function sanitizeCustomCss(input: string): string {
  if (Buffer.byteLength(input) > CUSTOM_CSS_MAX_BYTES)
    reject(`must be at most ${CUSTOM_CSS_MAX_BYTES} bytes`);
  const css = serialize(parseStylesheet(tokenize(input)));
  if (Buffer.byteLength(css) > OUTPUT_MAX_BYTES) reject('too many selectors once scoped');
  return css;
}

const patterns: ReadonlyArray<[TokenType, RegExp]> = [
  ['space', /[ \t\n\r\f]+/y],
  ['number', /[+-]?(?:\d*\.\d+|\d+)(?:%|[a-zA-Z]+)?/y],
  ['ident', /--[a-zA-Z0-9_-]+|-?[a-zA-Z_][a-zA-Z0-9_-]*/y],
  ['hash', /#[a-zA-Z0-9_-]+/y],
  ['delim', /[{}():;,.>+~*/!-]/y],
];

const refusals: ReadonlyArray<[string, string]> = [
  ['/*', 'comments are not allowed'],
  ['\\', 'backslash escapes are not allowed'],
  ['@', 'at-rules are not allowed'],
  ['<', "'<' is not allowed"],
];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < input.length) {
    const refusal = refusals.find(([start]) => input.startsWith(start, at));
    if (refusal) reject(refusal[1]);
    const quote = input[at];
    if (quote === '"' || quote === "'") {
      const end = input.indexOf(quote, at + 1);
      if (end < 0) reject('unterminated string');
      const text = input.slice(at + 1, end);
      if (stringForbidden.test(text)) reject('strings may hold only plain text such as font names');
      tokens.push({ type: 'string', text });
      at = end + 1;
      continue;
    }
    const [type, text] = match(input, at);
    at += text.length;
    if (type === 'ident' && input[at] === '(') {
      at += 1;
      if (text.toLowerCase() === 'url') at = readUrl(input, at, tokens);
      else tokens.push({ type: 'function', text: text.toLowerCase() });
    } else tokens.push({ type, text: type === 'space' ? ' ' : text });
  }
  return tokens;
}

function match(input: string, at: number): [TokenType, string] {
  for (const [type, pattern] of patterns) {
    pattern.lastIndex = at;
    const found = pattern.exec(input);
    if (found) return [type, found[0]];
  }
  const code = input.codePointAt(at) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return reject(`character not allowed: ${code > 0x20 && code < 0x7f ? `'${input[at]}'` : hex}`);
}

/** `url(` was read; takes a quoted or bare address up to `)` and returns where reading continues. */
function readUrl(input: string, start: number, tokens: Token[]): number {
  const pattern = /[ \t\n\r\f]*(?:"([^"]*)"|'([^']*)'|([^\s()"']*))[ \t\n\r\f]*\)/y;
  pattern.lastIndex = start;
  const found = pattern.exec(input);
  const address = found?.[1] ?? found?.[2] ?? found?.[3];
  if (!found || address === undefined) reject('malformed url()');
  if (!apiPath.test(address)) reject('url() may only point at /api/ paths');
  tokens.push({ type: 'url', text: address });
  return start + found[0].length;
}

const isDelim = (token: Token | undefined, text: string) => token?.type === 'delim' && token.text === text;

function trimSpace(tokens: Token[]): Token[] {
  const solid = (token: Token) => token.type !== 'space';
  return tokens.slice(Math.max(tokens.findIndex(solid), 0), tokens.findLastIndex(solid) + 1);
}

function split(tokens: Token[], separator: string): Token[][] {
  const parts: Token[][] = [[]];
  for (const token of tokens) {
    if (isDelim(token, separator)) parts.push([]);
    else parts.at(-1)?.push(token);
  }
  return parts.map(trimSpace);
}

/** Rule blocks one level deep; declarations outside any block belong to the scope itself. */
function parseStylesheet(tokens: Token[]): Rule[] {
  const rules: Rule[] = [];
  const outside: Token[] = [];
  let current: Token[] = [];
  let prelude: Token[] | null = null;
  for (const token of tokens) {
    if (isDelim(token, '{')) {
      if (prelude !== null) reject('nested blocks are not allowed');
      prelude = current;
      current = [];
    } else if (isDelim(token, '}')) {
      if (prelude === null) reject("unbalanced '}'");
      rules.push({ selectors: parseSelectors(prelude), declarations: parseDeclarations(current) });
      prelude = null;
      current = [];
    } else if (isDelim(token, ';') && prelude === null) {
      outside.push(...current, token);
      current = [];
    } else current.push(token);
  }
  if (prelude !== null) reject("unclosed block: missing '}'");
  const bare = parseDeclarations([...outside, ...current]);
  return bare.length > 0 ? [{ selectors: [THEME_SCOPE], declarations: bare }, ...rules] : rules;
}

function parseDeclarations(tokens: Token[]): Declaration[] {
  return split(tokens, ';')
    .filter((part) => part.length > 0)
    .map(parseDeclaration);
}

function parseDeclaration(tokens: Token[]): Declaration {
  const [name, ...rest] = tokens;
  if (name?.type !== 'ident') reject(`expected 'property: value', found '${name?.text}'`);
  const afterName = trimSpace(rest);
  if (!isDelim(afterName[0], ':')) reject(`expected ':' after ${name.text}`);
  const custom = name.text.startsWith('--');
  const property = custom ? name.text : name.text.toLowerCase();
  if (!custom && !allowedProperties.has(property)) reject(`CSS property not allowed: ${property}`);
  return { property, value: serializeValue(property, trimSpace(afterName.slice(1))) };
}

/** Strings and urls hold no parentheses or commas, so spacing around those can be normalised as text. */
function serializeValue(property: string, tokens: Token[]): string {
  const beforeLast = trimSpace(tokens.slice(0, -1));
  const last = tokens.at(-1);
  const important =
    last?.type === 'ident' && last.text.toLowerCase() === 'important' && isDelim(beforeLast.at(-1), '!');
  const value = important ? trimSpace(beforeLast.slice(0, -1)) : tokens;
  if (value.length === 0) reject(`empty value for ${property}`);
  const text = value
    .map(valuePiece)
    .join('')
    .replace(/ *, */g, ', ')
    .replace(/\( +/g, '(')
    .replace(/ +\)/g, ')');
  let depth = 0;
  for (const char of text) {
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) reject(`unbalanced parentheses in ${property}`);
  return important ? `${text} !important` : text;
}

function valuePiece(token: Token): string {
  switch (token.type) {
    case 'function':
      if (!allowedFunctions.has(token.text)) reject(`CSS function not allowed: ${token.text}()`);
      return `${token.text}(`;
    case 'url':
      return `url(${token.text})`;
    case 'hash':
      if (!hexColour.test(token.text)) reject(`not a hex colour: ${token.text}`);
      return token.text;
    case 'string':
      return `"${token.text}"`;
    case 'delim':
      if (!'(),/+-*'.includes(token.text)) reject(`'${token.text}' is not allowed in a value`);
      return token.text;
    default:
      return token.text;
  }
}

function parseSelectors(tokens: Token[]): string[] {
  return split(trimSpace(tokens), ',').map((selector) => {
    if (selector.length === 0) reject('empty selector');
    return scope(parseSelector(selector));
  });
}

/** Simple selectors, with the combinator ('' for the first) that joins them to the previous compound. */
type Compound = { combinator: string; simples: string[] };

/** Type, universal, class, id and allow-listed pseudo selectors, joined by descendant, >, + or ~. */
function parseSelector(tokens: Token[]): Compound[] {
  const compounds: Compound[] = [];
  let combinator: string | null = null;
  for (let index = 0; index < tokens.length; ) {
    const token = tokens[index] as Token;
    if (token.type === 'space' || ['>', '+', '~'].some((text) => isDelim(token, text))) {
      const explicit = token.type !== 'space';
      if (explicit && (compounds.length === 0 || (combinator ?? ' ') !== ' ')) reject('misplaced combinator');
      combinator = explicit ? token.text : (combinator ?? ' ');
      index++;
      continue;
    }
    const [simple, used] = simpleSelector(tokens, index);
    index += used;
    const current = compounds.at(-1);
    if (current === undefined || combinator !== null) {
      compounds.push({ combinator: combinator ?? '', simples: [simple] });
    } else if (token.type === 'ident' || isDelim(token, '*')) {
      reject(`misplaced type selector: ${simple}`);
    } else current.simples.push(simple);
    combinator = null;
  }
  if (combinator !== null) reject('selector ends with a combinator');
  return compounds;
}

/** One simple selector at `index`: its text and how many tokens it used. */
function simpleSelector(tokens: Token[], index: number): [string, number] {
  const [token, second, third] = tokens.slice(index, index + 3);
  if (token?.type === 'ident') return [token.text.toLowerCase(), 1];
  if (token?.type === 'hash') return [token.text, 1];
  if (isDelim(token, '*')) return ['*', 1];
  if (isDelim(token, '.') && second?.type === 'ident') return [`.${second.text}`, 2];
  if (isDelim(token, ':') && second?.type === 'ident') {
    const name = second.text.toLowerCase();
    if (!allowedPseudoClasses.has(name)) reject(`pseudo-class not allowed: :${name}`);
    return [`:${name}`, 2];
  }
  if (isDelim(token, ':') && second?.type === 'function')
    reject(`pseudo-class not allowed: :${second.text}()`);
  if (isDelim(token, ':') && isDelim(second, ':') && third?.type === 'ident') {
    const name = third.text.toLowerCase();
    if (!allowedPseudoElements.has(name)) reject(`pseudo-element not allowed: ::${name}`);
    return [`::${name}`, 3];
  }
  return reject(`not allowed in a selector: ${token?.text}`);
}

/**
 * Every selector matches inside the theme scope: one that starts at the scope itself is kept (so that
 * sanitising is idempotent) unless it steps out to a sibling; any other gets the scope as ancestor.
 */
function scope(compounds: Compound[]): string {
  const spaced = (combinator: string) => (combinator.trim() === '' ? combinator : ` ${combinator} `);
  const text = compounds.map((c) => `${spaced(c.combinator)}${c.simples.join('')}`).join('');
  const [first, second] = compounds;
  if (!first?.simples.includes(THEME_SCOPE)) return `${THEME_SCOPE} ${text}`;
  if ('+~'.includes(second?.combinator ?? ' ')) reject(`selectors must stay inside ${THEME_SCOPE}`);
  return text;
}

function serialize(rules: Rule[]): string {
  return rules
    .filter((rule) => rule.declarations.length > 0)
    .map((rule) => {
      const body = rule.declarations.map(({ property, value }) => `${property}: ${value}`).join('; ');
      return `${rule.selectors.join(', ')} { ${body} }`;
    })
    .join('\n');
}
