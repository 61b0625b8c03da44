/**
 * String functions. Lengths and offsets count Unicode code points (as Neo4j does), with
 * a fast path for strings without surrogate pairs, which are the common case.
 */
import type { Value } from '../values.js';
import { argumentError } from './errors.js';
import type { FunctionContext } from './function-context.js';
import {
  badArg,
  expectInteger,
  expectLength,
  expectString,
  spec,
  type FunctionSpec,
} from './function-spec.js';

const SURROGATE = /[\uD800-\uDFFF]/;

export function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Substring by code point offsets [start, end). */
function cpSlice(s: string, start: number, end: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

function reverseString(s: string): string {
  if (!SURROGATE.test(s)) {
    let out = '';
    for (let i = s.length - 1; i >= 0; i--) out += s[i];
    return out;
  }
  return Array.from(s).reverse().join('');
}

export { reverseString };

function substring(args: readonly Value[]): Value {
  const [s, start, len] = args;
  if (s === null || s === undefined) return null;
  const str = expectString('substring', s);
  const st = expectInteger('substring', start ?? null);
  if (st < 0n) throw argumentError('NumberOutOfRange', `substring() start must be >= 0, got ${st}`);
  const from = st > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(st);
  if (len === undefined) return cpSlice(str, from, Number.MAX_SAFE_INTEGER);
  const n = expectLength('substring', len);
  return cpSlice(str, from, from + n);
}

function left(args: readonly Value[]): Value {
  const [s, n] = args;
  if (s === null || s === undefined) return null;
  const str = expectString('left', s);
  return cpSlice(str, 0, expectLength('left', n ?? null));
}

function right(args: readonly Value[]): Value {
  const [s, n] = args;
  if (s === null || s === undefined) return null;
  const str = expectString('right', s);
  const k = expectLength('right', n ?? null);
  const len = codePointLength(str);
  return cpSlice(str, Math.max(0, len - k), len);
}

function unary(name: string, f: (s: string) => Value): FunctionSpec {
  return spec(name, 1, 1, (args) => {
    const s = args[0] ?? null;
    if (s === null) return null;
    return f(expectString(name, s));
  });
}

/** Non-overlapping occurrences of `sub` in `str` (`''` occurs between every two code units). */
function occurrences(str: string, sub: string): number {
  if (sub === '') return Math.max(0, str.length - 1);
  let n = 0;
  for (let i = str.indexOf(sub); i >= 0; i = str.indexOf(sub, i + sub.length)) n++;
  return n;
}

function replace(args: readonly Value[], ctx?: FunctionContext): Value {
  const [s, search, repl] = args;
  if (s === null || search === null || repl === null) return null;
  const str = expectString('replace', s ?? null);
  const from = expectString('replace', search ?? null);
  const to = expectString('replace', repl ?? null);
  // The result can be far larger than the input: size it before building it.
  if (ctx?.checkMemory && to.length > from.length) {
    const n = from === '' ? str.length + 1 : occurrences(str, from);
    ctx.checkMemory(str.length + n * (to.length - from.length));
  }
  // Neo4j follows Java's String.replace: an empty search string matches before every
  // code unit and at the end ('abc' -> '-a-b-c-'), which split/join would miss.
  if (from === '') return str.replaceAll('', to);
  return str.split(from).join(to);
}

function split(args: readonly Value[], ctx?: FunctionContext): Value {
  const [s, delim] = args;
  if (s === null || delim === null || s === undefined || delim === undefined) return null;
  const str = expectString('split', s);
  let delims: string[];
  if (typeof delim === 'string') delims = [delim];
  else if (Array.isArray(delim)) {
    delims = [];
    for (const d of delim as readonly Value[]) {
      if (d === null) return null;
      delims.push(expectString('split', d));
    }
  } else return badArg('split', delim, 'a STRING or LIST<STRING> delimiter');
  if (delims.length === 1) {
    const d = delims[0]!;
    // Every part is a string object and a list slot (~24 bytes even for one character).
    ctx?.checkMemory?.(str.length + (occurrences(str, d) + 1) * 40);
    return d === '' ? Array.from(str) : str.split(d);
  }
  // Several delimiters: split at the earliest (longest on ties) match, left to right.
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < str.length) {
    let hit = '';
    for (const d of delims) if (d !== '' && d.length > hit.length && str.startsWith(d, i)) hit = d;
    if (hit !== '') {
      out.push(cur);
      // `split(s, [',', ';'])` of a string of delimiters makes one part per character.
      if ((out.length & 4095) === 0) ctx?.checkMemory?.(str.length + out.length * 40);
      cur = '';
      i += hit.length;
    } else {
      cur += str[i];
      i++;
    }
  }
  out.push(cur);
  return out;
}

/** trim family: Neo4j 5's optional second argument trims that character instead of whitespace. */
function trimmer(name: string, start: boolean, end: boolean): FunctionSpec {
  return spec(name, 1, 2, (args) => {
    const [s, chars] = args;
    if (s === null || s === undefined || chars === null) return null;
    const str = expectString(name, s);
    if (chars === undefined) {
      if (start && end) return str.trim();
      return start ? str.trimStart() : str.trimEnd();
    }
    const c = expectString(name, chars);
    if (c === '') return str;
    let a = 0;
    let b = str.length;
    if (start) while (str.startsWith(c, a) && a < b) a += c.length;
    if (end) while (b - c.length >= a && str.startsWith(c, b - c.length)) b -= c.length;
    return str.slice(a, b);
  });
}

export const STRING_FUNCTIONS: readonly FunctionSpec[] = [
  spec('substring', 2, 3, substring),
  spec('left', 2, 2, left),
  spec('right', 2, 2, right),
  unary('toUpper', (s) => s.toUpperCase()),
  unary('toLower', (s) => s.toLowerCase()),
  unary('upper', (s) => s.toUpperCase()),
  unary('lower', (s) => s.toLowerCase()),
  trimmer('trim', true, true),
  trimmer('btrim', true, true),
  trimmer('ltrim', true, false),
  trimmer('rtrim', false, true),
  spec('replace', 3, 3, replace),
  spec('split', 2, 2, split),
  unary('char_length', (s) => BigInt(codePointLength(s))),
  unary('character_length', (s) => BigInt(codePointLength(s))),
  spec('normalize', 1, 2, (args) => {
    const [s, form] = args;
    if (s === null || s === undefined || form === null) return null;
    const f = form === undefined ? 'NFC' : expectString('normalize', form).toUpperCase();
    if (f !== 'NFC' && f !== 'NFD' && f !== 'NFKC' && f !== 'NFKD') {
      throw argumentError('InvalidArgumentValue', `normalize() unknown normal form '${f}'`);
    }
    return expectString('normalize', s).normalize(f);
  }),
];
