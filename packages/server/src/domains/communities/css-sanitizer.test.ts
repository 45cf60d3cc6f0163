import { describe, expect, it } from 'vitest';
import { CssRejected, sanitizeCustomCss } from './css-sanitizer.js';

const accepted = sanitizeCustomCss;

function refusal(input: string): string {
  let css: string;
  try {
    css = sanitizeCustomCss(input);
  } catch (error) {
    if (error instanceof CssRejected) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)} as ${JSON.stringify(css)}`);
}

describe('sanitizeCustomCss accepts', () => {
  it.each([
    ['color: red', '.community-theme { color: red }'],
    ['--accent: #7c3aed; COLOR : Red ;', '.community-theme { --accent: #7c3aed; color: Red }'],
    ['.message { color: #fff }', '.community-theme .message { color: #fff }'],
    ['a, b:hover{color:red;}', '.community-theme a, .community-theme b:hover { color: red }'],
    ['div > p + span ~ em { margin: 0 auto }', '.community-theme div > p + span ~ em { margin: 0 auto }'],
    ['.community-theme .x { color: red }', '.community-theme .x { color: red }'],
    ['.community-theme > .x { color: red }', '.community-theme > .x { color: red }'],
    ['p::selection { color: red }', '.community-theme p::selection { color: red }'],
    ['#main.big { padding: 1px 2px }', '.community-theme #main.big { padding: 1px 2px }'],
    [
      'p { box-shadow: 0 0 0 1px RGBA( 0 , 0,0,.5 ) }',
      '.community-theme p { box-shadow: 0 0 0 1px rgba(0, 0, 0, .5) }',
    ],
    [
      'p { background: linear-gradient(to right, #fff 0%, #000 100%) }',
      '.community-theme p { background: linear-gradient(to right, #fff 0%, #000 100%) }',
    ],
    [
      "p { font-family: 'Comic Sans MS', serif }",
      '.community-theme p { font-family: "Comic Sans MS", serif }',
    ],
    [
      'p { background: url( "/api/community-assets/x.png" ) }',
      '.community-theme p { background: url(/api/community-assets/x.png) }',
    ],
    ['p { background: url(/api/emojis/1?v=2) }', '.community-theme p { background: url(/api/emojis/1?v=2) }'],
    ['p { border: 1px solid var(--accent) }', '.community-theme p { border: 1px solid var(--accent) }'],
    ['p { margin: calc(100% - 2px) }', '.community-theme p { margin: calc(100% - 2px) }'],
    ['p { color: red ! IMPORTANT }', '.community-theme p { color: red !important }'],
    ['a{}b{color:red}', '.community-theme b { color: red }'],
    ['font-family: "日本語"', '.community-theme { font-family: "日本語" }'],
    ['', ''],
    ['  ;; ', ''],
  ])('%j', (input, expected) => {
    expect(accepted(input)).toBe(expected);
  });

  it('is idempotent, so re-saving a loaded theme changes nothing', () => {
    const input = 'color: red; .x, .y:hover { margin: 0 } .community-theme > a { gap: 1px !important }';
    const once = accepted(input);
    expect(accepted(once)).toBe(once);
  });
});

describe('sanitizeCustomCss refuses known bypasses', () => {
  it.each([
    ['a{}b{display:none}', 'CSS property not allowed: display'],
    ['color:red}body{display:none', "unbalanced '}'"],
    ['a{color:red}}b{color:red}', "unbalanced '}'"],
    ['a{b{color:red}}', 'nested blocks are not allowed'],
    ['a{color:red', "unclosed block: missing '}'"],
    ['p{color:red;display:none}', 'CSS property not allowed: display'],
    ['position: fixed', 'CSS property not allowed: position'],
    ['POSITION : FIXED', 'CSS property not allowed: position'],
    ['position :fixed', 'CSS property not allowed: position'],
    ['z-index: 9', 'CSS property not allowed: z-index'],
    ['behavior: url(/api/x.htc)', 'CSS property not allowed: behavior'],
    ['-moz-binding: url(/api/x.xml)', 'CSS property not allowed: -moz-binding'],
    ['cursor: pointer', 'CSS property not allowed: cursor'],
    ['pointer-events: none', 'CSS property not allowed: pointer-events'],
    ['content: "x"', 'CSS property not allowed: content'],
    ['@import url(/api/x.css);', 'at-rules are not allowed'],
    ['@IMPORT "x"', 'at-rules are not allowed'],
    ['@font-face { font-family: x }', 'at-rules are not allowed'],
    ['@media all { a { color: red } }', 'at-rules are not allowed'],
    ['color: expression(alert(1))', 'CSS function not allowed: expression()'],
    ['color: ExPrEsSiOn(alert(1))', 'CSS function not allowed: expression()'],
    ['background: url(javascript:alert(1))', 'malformed url()'],
    ['background: url(javascript:void)', 'url() may only point at /api/ paths'],
    ['background: url("javascript:alert(1)")', 'url() may only point at /api/ paths'],
    ['background: URL(https://evil.example/x.png)', 'url() may only point at /api/ paths'],
    ['background: url(//evil.example/api/x)', 'url() may only point at /api/ paths'],
    ['background: url()', 'url() may only point at /api/ paths'],
    ['background: url(/api/x) url(data:x)', 'url() may only point at /api/ paths'],
    ['background: url(/api/x"y)', 'malformed url()'],
    ['background: image-set("/api/x" 1x)', 'CSS function not allowed: image-set()'],
    ['background: src(/api/x)', 'CSS function not allowed: src()'],
    ['color: javascript:alert(1)', "':' is not allowed in a value"],
    ['font-family: "javascript:alert(1)"', 'strings may hold only plain text such as font names'],
    ['b\\ackground: red', 'backslash escapes are not allowed'],
    ['background: \\75 rl(javascript:x)', 'backslash escapes are not allowed'],
    ['background: u\\72 l(x)', 'backslash escapes are not allowed'],
    ['font-family: "\\3c /style>"', 'strings may hold only plain text such as font names'],
    ['co/**/lor: red', 'comments are not allowed'],
    ['color: red /* } body { display: none */', 'comments are not allowed'],
    ['</style><script>alert(1)</script>', "'<' is not allowed"],
    ['color: red</style>', "'<' is not allowed"],
    ['<!-- color: red -->', "'<' is not allowed"],
    ['color: red -->', "'>' is not allowed in a value"],
    ['input[value^="a"] { background: url(/api/x) }', "character not allowed: '['"],
    [':root { color: red }', 'pseudo-class not allowed: :root'],
    ['a:not(.x) { color: red }', 'pseudo-class not allowed: :not()'],
    ['a:has(b) { color: red }', 'pseudo-class not allowed: :has()'],
    ['.community-theme ~ .sidebar { color: red }', 'selectors must stay inside .community-theme'],
    ['.community-theme + * { color: red }', 'selectors must stay inside .community-theme'],
    ['a::before { color: red }', 'pseudo-element not allowed: ::before'],
    ['& a { color: red }', "character not allowed: '&'"],
    ['a > { color: red }', 'selector ends with a combinator'],
    ['> a { color: red }', 'misplaced combinator'],
    ['a, { color: red }', 'empty selector'],
    ['.a b.c d { color: red } .x y { color: #ggg }', 'not a hex colour: #ggg'],
    ['color: "unterminated', 'unterminated string'],
    ['color: rgb(1, 2', 'unbalanced parentheses in color'],
    ['color: red)', 'unbalanced parentheses in color'],
    ['color:', 'empty value for color'],
    ['color: !important', 'empty value for color'],
    ['red', "expected ':' after red"],
    ['color red', "expected ':' after color"],
    ['color: red\u0000', 'character not allowed: U+0000'],
    ['color: r\u00e9d', 'character not allowed: U+00E9'],
    ['color: \uff52ed', 'character not allowed: U+FF52'],
    ['color: red\ud800', 'character not allowed: U+D800'],
    ['a { --x: { color: red } }', 'nested blocks are not allowed'],
    ['--x: { color: red }', 'not allowed in a selector: :'],
    ['--x: a:b', "':' is not allowed in a value"],
  ])('%j', (input, message) => {
    expect(refusal(input)).toBe(message);
  });

  it('limits the input to 4096 bytes, counting multi-byte characters as bytes', () => {
    const declaration = (content: string) => `--x: "${content}"`;
    expect(accepted(declaration('a'.repeat(4089)))).toContain('--x');
    expect(refusal(declaration('a'.repeat(4090)))).toBe('must be at most 4096 bytes');
    expect(accepted(declaration('é'.repeat(2044)))).toContain('--x');
    expect(refusal(declaration('é'.repeat(2045)))).toBe('must be at most 4096 bytes');
  });

  it('bounds how much scoping may lengthen the text', () => {
    const selectors = Array.from({ length: 800 }, () => 'a').join(',');
    expect(refusal(`${selectors} { color: red }`)).toBe('too many selectors once scoped');
  });
});
