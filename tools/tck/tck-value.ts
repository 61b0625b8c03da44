/**
 * Parser for the TCK's value notation (expected result cells, parameter values and
 * procedure rows): `null`, booleans, integers, floats, quoted strings, lists, maps,
 * nodes `(:L {p: 1})`, relationships `[:T {p: 1}]` and paths `<(:A)-[:T]->(:B)>`.
 * The result is a small tagged tree that the comparator canonicalises; it is kept
 * separate from engine values because expected nodes/relationships carry no ids.
 */

export type TckValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: readonly TckValue[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyMap<string, TckValue> }
  | TckNode
  | TckRelationship
  | TckPath;

export interface TckNode {
  readonly kind: 'node';
  readonly labels: readonly string[];
  readonly properties: ReadonlyMap<string, TckValue>;
}

export interface TckRelationship {
  readonly kind: 'relationship';
  readonly type: string;
  readonly properties: ReadonlyMap<string, TckValue>;
}

export interface TckPathStep {
  readonly relationship: TckRelationship;
  /** 'out': written `-[..]->` (previous node is the start); 'in': `<-[..]-`. */
  readonly direction: 'out' | 'in';
  readonly node: TckNode;
}

export interface TckPath {
  readonly kind: 'path';
  readonly start: TckNode;
  readonly steps: readonly TckPathStep[];
}

/** Malformed TCK input (value notation, step, table): a defect of the feature file, not of the engine. */
export class TckFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TckFormatError';
  }
}

const FLOAT_RE = /^-?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)/;
const INTEGER_RE = /^-?\d+/;
const HEX_RE = /^-?0x[0-9a-fA-F]+/;
const OCTAL_RE = /^-?0o[0-7]+/;
const IDENT_RE = /^[\p{L}_][\p{L}\p{N}_]*/u;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new TckFormatError(`${message} at offset ${this.pos} in ${JSON.stringify(this.text)}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  expect(s: string): void {
    this.skipSpace();
    if (!this.startsWith(s)) this.fail(`expected '${s}'`);
    this.pos += s.length;
  }

  tryConsume(s: string): boolean {
    this.skipSpace();
    if (this.startsWith(s)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  match(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
}

/** Parses one TCK value; the whole text must be consumed. */
export function parseTckValue(text: string): TckValue {
  const r = new Reader(text);
  const v = parseValue(r);
  r.skipSpace();
  if (r.pos !== text.length) r.fail('unexpected trailing text');
  return v;
}

function parseValue(r: Reader): TckValue {
  r.skipSpace();
  const c = r.peek();
  if (c === '') r.fail('expected a value');
  if (c === "'" || c === '"') return { kind: 'string', value: parseString(r) };
  if (c === '[') return parseListOrRelationship(r);
  if (c === '{') return { kind: 'map', entries: parseMapBody(r) };
  if (c === '(') return parseNode(r);
  if (c === '<') return parsePath(r);
  for (const [word, value] of KEYWORDS) {
    if (r.startsWith(word) && !/[\p{L}\p{N}_]/u.test(r.text[r.pos + word.length] ?? '')) {
      r.pos += word.length;
      return value;
    }
  }
  const hex = r.match(HEX_RE);
  if (hex !== undefined) {
    const neg = hex.startsWith('-');
    const v = BigInt(neg ? hex.slice(1) : hex);
    return { kind: 'integer', value: neg ? -v : v };
  }
  const oct = r.match(OCTAL_RE);
  if (oct !== undefined) {
    const neg = oct.startsWith('-');
    const v = BigInt(neg ? oct.slice(1) : oct);
    return { kind: 'integer', value: neg ? -v : v };
  }
  const f = r.match(FLOAT_RE);
  if (f !== undefined) return { kind: 'float', value: Number(f) };
  const i = r.match(INTEGER_RE);
  if (i !== undefined) return { kind: 'integer', value: BigInt(i) };
  return r.fail('unrecognised value');
}

const KEYWORDS: readonly (readonly [string, TckValue])[] = [
  ['null', { kind: 'null' }],
  ['true', { kind: 'boolean', value: true }],
  ['false', { kind: 'boolean', value: false }],
  ['NaN', { kind: 'float', value: Number.NaN }],
  ['-Infinity', { kind: 'float', value: Number.NEGATIVE_INFINITY }],
  ['Infinity', { kind: 'float', value: Number.POSITIVE_INFINITY }],
  ['-Inf', { kind: 'float', value: Number.NEGATIVE_INFINITY }],
  ['Inf', { kind: 'float', value: Number.POSITIVE_INFINITY }],
];

/**
 * Quoted string. Only `\\` and an escaped quote are unescaped: Gherkin has already
 * turned `\n` and `\|` in table cells into their characters, and the TCK writes any
 * other backslash literally.
 */
function parseString(r: Reader): string {
  const quote = r.peek();
  r.pos++;
  let out = '';
  while (r.pos < r.text.length) {
    const c = r.text[r.pos] as string;
    if (c === '\\') {
      const next = r.text[r.pos + 1];
      if (next === '\\' || next === "'" || next === '"') {
        out += next;
        r.pos += 2;
        continue;
      }
      out += c;
      r.pos++;
      continue;
    }
    if (c === quote) {
      r.pos++;
      return out;
    }
    out += c;
    r.pos++;
  }
  return r.fail('unterminated string');
}

function parseName(r: Reader): string {
  r.skipSpace();
  if (r.peek() === '`') {
    const end = r.text.indexOf('`', r.pos + 1);
    if (end < 0) r.fail('unterminated backquoted name');
    const name = r.text.slice(r.pos + 1, end);
    r.pos = end + 1;
    return name;
  }
  const id = r.match(IDENT_RE);
  if (id === undefined) r.fail('expected a name');
  return id;
}

function parseMapBody(r: Reader): Map<string, TckValue> {
  r.expect('{');
  const entries = new Map<string, TckValue>();
  if (r.tryConsume('}')) return entries;
  for (;;) {
    const key = parseName(r);
    r.expect(':');
    entries.set(key, parseValue(r));
    if (r.tryConsume('}')) return entries;
    r.expect(',');
  }
}

function parseListOrRelationship(r: Reader): TckValue {
  r.expect('[');
  r.skipSpace();
  if (r.peek() === ':') {
    r.pos++;
    return parseRelationshipRest(r);
  }
  const items: TckValue[] = [];
  if (r.tryConsume(']')) return { kind: 'list', items };
  for (;;) {
    items.push(parseValue(r));
    if (r.tryConsume(']')) return { kind: 'list', items };
    r.expect(',');
  }
}

/** After `[:`. */
function parseRelationshipRest(r: Reader): TckRelationship {
  const type = parseName(r);
  r.skipSpace();
  const properties = r.peek() === '{' ? parseMapBody(r) : new Map<string, TckValue>();
  r.expect(']');
  return { kind: 'relationship', type, properties };
}

function parseNode(r: Reader): TckNode {
  r.expect('(');
  const labels: string[] = [];
  while (r.tryConsume(':')) labels.push(parseName(r));
  r.skipSpace();
  const properties = r.peek() === '{' ? parseMapBody(r) : new Map<string, TckValue>();
  r.expect(')');
  return { kind: 'node', labels, properties };
}

function parsePath(r: Reader): TckPath {
  r.expect('<');
  const start = parseNode(r);
  const steps: TckPathStep[] = [];
  for (;;) {
    if (r.tryConsume('>')) return { kind: 'path', start, steps };
    let direction: 'out' | 'in';
    if (r.tryConsume('<-')) direction = 'in';
    else {
      r.expect('-');
      direction = 'out';
    }
    r.expect('[');
    r.expect(':');
    const relationship = parseRelationshipRest(r);
    if (direction === 'out') r.expect('->');
    else r.expect('-');
    steps.push({ relationship, direction, node: parseNode(r) });
  }
}
