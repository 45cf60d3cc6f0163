/**
 * Reads the YAML subset our compose file is written in, so the tests can check it without a YAML library
 * (and without a Docker engine): block maps and lists, plain and quoted scalars, JSON-style flow lists,
 * comments, `&anchor`, `*alias` and `<<: *alias` merges. Anything else is an error, not a guess.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue } | null;

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseYamlSubset(source: string): YamlValue {
  const lines = source
    .split('\n')
    .map((raw, index) => ({ raw: stripComment(raw), number: index + 1 }))
    .filter(({ raw }) => raw.trim() !== '')
    .map(({ raw, number }) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number }));
  const parser = new Parser(lines);
  const value = parser.block(0);
  if (parser.position < lines.length) parser.fail('unexpected indentation');
  return value;
}

class Parser {
  position = 0;
  private readonly anchors = new Map<string, YamlValue>();

  constructor(private readonly lines: Line[]) {}

  block(indent: number): YamlValue {
    const line = this.lines[this.position];
    if (!line || line.indent < indent) return null;
    return line.text.startsWith('- ') ? this.list(line.indent) : this.map(line.indent);
  }

  fail(message: string): never {
    const line = this.lines[Math.min(this.position, this.lines.length - 1)];
    throw new Error(`YAML line ${line?.number}: ${message}: ${line?.text}`);
  }

  private list(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.lines[this.position]; line?.indent === indent; line = this.lines[this.position]) {
      if (!line.text.startsWith('- ')) this.fail('expected a list item');
      this.position += 1;
      items.push(this.scalar(line.text.slice(2).trim()));
    }
    return items;
  }

  private map(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (let line = this.lines[this.position]; line?.indent === indent; line = this.lines[this.position]) {
      const match = /^("[^"]*"|[^\s:][^:]*?):(?:\s+(.*))?$/.exec(line.text);
      if (!match?.[1]) this.fail('expected "key: value"');
      this.position += 1;
      const key = unquote(match[1]);
      const value = this.value(match[2]?.trim() ?? '', indent);
      if (key === '<<')
        Object.assign(
          map,
          expectMap(value, () => this.fail('<< needs a map')),
        );
      else map[key] = value;
    }
    return map;
  }

  private value(text: string, indent: number): YamlValue {
    const anchor = /^&([\w-]+)$/.exec(text);
    if (text === '' || anchor) {
      const next = this.lines[this.position];
      const nested = next && next.indent > indent ? this.block(next.indent) : null;
      if (anchor?.[1]) this.anchors.set(anchor[1], nested);
      return nested;
    }
    return this.scalar(text);
  }

  private scalar(text: string): YamlValue {
    if (text.startsWith('*')) {
      const value = this.anchors.get(text.slice(1));
      if (value === undefined) this.fail(`unknown alias ${text}`);
      return value;
    }
    if (text.startsWith('[')) return JSON.parse(text) as YamlValue;
    if (/^[&!{|>]/.test(text)) this.fail('unsupported YAML syntax');
    return unquote(text);
  }
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

function unquote(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

function expectMap(value: YamlValue, fail: () => never): { [key: string]: YamlValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : fail();
}
