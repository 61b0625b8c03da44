/**
 * The Cypher lexer: turns query text into a flat token array in one pass. Keywords are
 * not distinguished from identifiers here (Cypher keywords are contextual); the parser
 * compares an identifier token's upper-cased text instead. Arrow heads are left as
 * separate `<`, `-`, `>` tokens so `a<-1` still lexes as `a < -1`; the parser joins them
 * in patterns. Integer literals keep their full value as a bigint so the parser can
 * accept `-9223372036854775808` and report overflow with the right sign.
 */
import { CypherError, type SourcePosition } from './errors.js';

export type TokenType =
  | 'ident' // bare identifier or keyword
  | 'quoted' // `backquoted` identifier (never a keyword)
  | 'int'
  | 'float'
  | 'string'
  | 'param'
  | 'punct'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Identifier name, string value, parameter name, or punctuation text. */
  readonly text: string;
  /** Upper-cased text of `ident` tokens (for keyword checks); '' otherwise. */
  readonly upper: string;
  readonly start: number;
  readonly end: number;
  /** Integer literals only: the unsigned value (may exceed the 64-bit range). */
  readonly bigint?: bigint;
  /** Float literals only. */
  readonly number?: number;
}

const PUNCT2 = new Set(['<>', '!=', '<=', '>=', '=~', '+=', '..', '||']);
const PUNCT1 = new Set([
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
  '|',
  '&',
  '!',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
]);

/** Converts a 0-based offset into a 1-based line and column. */
export function positionAt(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, source.length);
  for (let i = 0; i < limit; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

export function syntaxError(
  source: string,
  offset: number,
  message: string,
  detail = 'UnexpectedSyntax',
): CypherError {
  const position = positionAt(source, offset);
  return new CypherError(
    'SyntaxError',
    detail,
    `${message} (line ${position.line}, column ${position.column} (offset: ${offset}))\n${caretExcerpt(source, position)}`,
    { position },
  );
}

/**
 * The offending line in quotes with a caret under the error's column, as Neo4j prints it:
 * `"MATCH (n RETURN n"` then `        ^`. Tabs are kept in the padding so the caret lines up.
 */
export function caretExcerpt(source: string, position: SourcePosition): string {
  const lines = source.split('\n');
  const text = (lines[position.line - 1] ?? '').replace(/\r$/, '');
  const before = text.slice(0, Math.max(0, position.column - 1)).replace(/[^\t]/g, ' ');
  return `"${text}"\n ${before}^`;
}

const ID_START = /[\p{ID_Start}_]/u;
const ID_PART = /[\p{ID_Continue}$]/u;

function isIdentStart(code: number, source: string, i: number): boolean {
  // charCodeAt past the end is NaN, which is no character at all
  if (!(code >= 0)) return false;
  if (code < 128) {
    return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  }
  return ID_START.test(String.fromCodePoint(source.codePointAt(i) ?? code));
}

function isIdentPart(code: number, source: string, i: number): boolean {
  if (!(code >= 0)) return false;
  if (code < 128) {
    return (
      (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || (code >= 48 && code <= 57)
    );
  }
  return ID_PART.test(String.fromCodePoint(source.codePointAt(i) ?? code));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    code === 9 ||
    code === 10 ||
    code === 13 ||
    code === 11 ||
    code === 12 ||
    code === 0xa0 ||
    code === 0xfeff ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0x1c ||
    code === 0x1d ||
    code === 0x1e ||
    code === 0x1f
  );
}

/** Tokenizes the whole query; the last token is always `eof`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const length = source.length;
  let i = 0;

  const identEnd = (from: number): number => {
    let j = from;
    while (j < length) {
      const c = source.charCodeAt(j);
      if (!isIdentPart(c, source, j)) break;
      j += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return j;
  };

  const readQuoted = (from: number): { text: string; end: number } => {
    // `` inside a backquoted name stands for one backtick
    let text = '';
    let j = from + 1;
    for (;;) {
      const close = source.indexOf('`', j);
      if (close < 0) throw syntaxError(source, from, 'Unterminated backquoted identifier');
      text += source.slice(j, close);
      if (source.charCodeAt(close + 1) === 96) {
        text += '`';
        j = close + 2;
        continue;
      }
      return { text, end: close + 1 };
    }
  };

  while (i < length) {
    const c = source.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    // comments
    if (c === 47 /* / */) {
      const next = source.charCodeAt(i + 1);
      if (next === 47) {
        const nl = source.indexOf('\n', i + 2);
        i = nl < 0 ? length : nl + 1;
        continue;
      }
      if (next === 42) {
        const close = source.indexOf('*/', i + 2);
        if (close < 0) throw syntaxError(source, i, 'Unterminated comment');
        i = close + 2;
        continue;
      }
    }
    const start = i;
    if (isIdentStart(c, source, i)) {
      const end = identEnd(i);
      const text = source.slice(start, end);
      tokens.push({ type: 'ident', text, upper: text.toUpperCase(), start, end });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      const token = readNumber(source, i);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (c === 39 || c === 34) {
      const token = readString(source, i);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (c === 96) {
      const { text, end } = readQuoted(i);
      tokens.push({ type: 'quoted', text, upper: '', start, end });
      i = end;
      continue;
    }
    if (c === 36 /* $ */ && source.charCodeAt(i + 1) === 40 /* ( */) {
      // `$(expr)`: a dynamic label, type or property key
      tokens.push({ type: 'punct', text: '$', upper: '', start, end: i + 1 });
      i += 1;
      continue;
    }
    if (c === 36 /* $ */) {
      const n = source.charCodeAt(i + 1);
      let name: string;
      let end: number;
      if (n === 96) {
        const q = readQuoted(i + 1);
        name = q.text;
        end = q.end;
      } else if (isIdentStart(n, source, i + 1) || isDigit(n)) {
        end = identEnd(i + 1);
        name = source.slice(i + 1, end);
      } else {
        throw syntaxError(source, i, "Invalid input '$': expected a parameter name");
      }
      tokens.push({ type: 'param', text: name, upper: '', start, end });
      i = end;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      tokens.push({ type: 'punct', text: two, upper: '', start, end: i + 2 });
      i += 2;
      continue;
    }
    const one = source[i] as string;
    if (PUNCT1.has(one)) {
      tokens.push({ type: 'punct', text: one, upper: '', start, end: i + 1 });
      i += 1;
      continue;
    }
    // Unicode dashes and arrows are accepted as their ASCII forms, as Neo4j does.
    const mapped = UNICODE_PUNCT.get(c);
    if (mapped !== undefined) {
      tokens.push({ type: 'punct', text: mapped, upper: '', start, end: i + 1 });
      i += 1;
      continue;
    }
    const ch = String.fromCodePoint(source.codePointAt(i) ?? c);
    throw syntaxError(source, i, `Invalid input '${ch}'`);
  }
  tokens.push({ type: 'eof', text: '', upper: '', start: length, end: length });
  return tokens;
}

const UNICODE_PUNCT = new Map<number, string>([
  [0x2010, '-'],
  [0x2011, '-'],
  [0x2012, '-'],
  [0x2013, '-'],
  [0x2014, '-'],
  [0x2015, '-'],
  [0x2212, '-'],
  [0xfe58, '-'],
  [0xfe63, '-'],
  [0xff0d, '-'],
  [0x27e8, '<'],
  [0x3008, '<'],
  [0xfe64, '<'],
  [0xff1c, '<'],
  [0x27e9, '>'],
  [0x3009, '>'],
  [0xfe65, '>'],
  [0xff1e, '>'],
]);

function readNumber(source: string, start: number): Token {
  const length = source.length;
  const c0 = source.charCodeAt(start);
  const c1 = source.charCodeAt(start + 1);
  // Hex / octal: a trailing letter or digit that does not belong makes the whole
  // literal invalid (`0x1A2b3j`), rather than splitting it into two tokens.
  // Neo4j 5: an underscore may separate digits (1_000_000), and may follow 0x / 0o.
  const digits = (from: number, ok: (c: number) => boolean): number => {
    let j = from;
    while (j < length) {
      const c = source.charCodeAt(j);
      if (ok(c)) j++;
      else if (c === 95 && j > from && ok(source.charCodeAt(j - 1)) && ok(source.charCodeAt(j + 1))) j++;
      else break;
    }
    return j;
  };
  if (c0 === 48 && (c1 === 120 || c1 === 111) /* x, o */) {
    const hex = c1 === 120;
    const ok = hex ? isHexDigit : isOctal;
    const first =
      source.charCodeAt(start + 2) === 95 && ok(source.charCodeAt(start + 3)) ? start + 3 : start + 2;
    const j = digits(first, ok);
    let end = j;
    while (end < length && isIdentPart(source.charCodeAt(end), source, end)) end++;
    const text = source.slice(start, end);
    if (j === first || end !== j) {
      throw syntaxError(source, start, `Invalid number literal '${text}'`, 'InvalidNumberLiteral');
    }
    return { type: 'int', text, upper: '', start, end, bigint: BigInt(text.replace(/_/g, '')) };
  }
  let j = digits(start, isDigit);
  let isFloat = false;
  if (source.charCodeAt(j) === 46 && isDigit(source.charCodeAt(j + 1))) {
    isFloat = true;
    j = digits(j + 1, isDigit);
  }
  const e = source.charCodeAt(j);
  if (e === 101 || e === 69) {
    let k = j + 1;
    const sign = source.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    if (isDigit(source.charCodeAt(k))) {
      isFloat = true;
      j = digits(k, isDigit);
    }
  }
  const text = source.slice(start, j);
  const plain = text.replace(/_/g, '');
  if (isFloat) {
    const value = Number(plain);
    if (!Number.isFinite(value)) {
      throw syntaxError(
        source,
        start,
        `Floating point number is too large: '${text}'`,
        'FloatingPointOverflow',
      );
    }
    return { type: 'float', text, upper: '', start, end: j, number: value };
  }
  // Legacy octal (`0777`) is not openCypher 9; a leading zero is read as decimal.
  return { type: 'int', text, upper: '', start, end: j, bigint: BigInt(plain) };
}

function isOctal(code: number): boolean {
  return code >= 48 && code <= 55;
}

function readString(source: string, start: number): Token {
  const quote = source.charCodeAt(start);
  const length = source.length;
  let out = '';
  let j = start + 1;
  let chunk = j;
  while (j < length) {
    const c = source.charCodeAt(j);
    if (c === quote) {
      out += source.slice(chunk, j);
      return { type: 'string', text: out, upper: '', start, end: j + 1 };
    }
    if (c !== 92 /* \ */) {
      j++;
      continue;
    }
    out += source.slice(chunk, j);
    const e = source[j + 1];
    switch (e) {
      case '\\':
      case "'":
      case '"':
        out += e;
        j += 2;
        break;
      case 'b':
      case 'B':
        out += '\b';
        j += 2;
        break;
      case 'f':
      case 'F':
        out += '\f';
        j += 2;
        break;
      case 'n':
      case 'N':
        out += '\n';
        j += 2;
        break;
      case 'r':
      case 'R':
        out += '\r';
        j += 2;
        break;
      case 't':
      case 'T':
        out += '\t';
        j += 2;
        break;
      case 'u':
      case 'U': {
        const digits = e === 'u' ? 4 : 8;
        const hex = source.slice(j + 2, j + 2 + digits);
        if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
          throw syntaxError(source, j, `Invalid unicode literal '\\${e}${hex}'`, 'InvalidUnicodeLiteral');
        }
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) {
          throw syntaxError(source, j, `Invalid unicode literal '\\${e}${hex}'`, 'InvalidUnicodeLiteral');
        }
        out += String.fromCodePoint(cp);
        j += 2 + digits;
        break;
      }
      default:
        if (e === undefined) throw syntaxError(source, start, 'Unterminated string literal');
        // Unknown escapes are kept verbatim, as Neo4j does.
        out += '\\' + e;
        j += 2;
    }
    chunk = j;
  }
  throw syntaxError(source, start, 'Unterminated string literal');
}
