/**
 * Full-text analysis: turns a property string into index terms with positions, and a
 * full-text query string (Lucene-style subset) into a query tree. Analyzers:
 * - `standard`: Unicode-aware — NFKC, then runs of letters and digits (`\p{L}\p{N}`,
 *   with combining marks), lowercased;
 * - `english`: standard, minus English stop words (which still take a position, so phrase
 *   distances stay true), Porter-stemmed by the `stemmer` package;
 * - `keyword`: the whole value (NFKC) is one term.
 * Pure functions; fulltext-index.ts stores and searches what they produce.
 */
import { stemmer } from 'stemmer';
import { NexusError } from '../errors.js';

export type FulltextAnalyzer = 'standard' | 'english' | 'keyword';
export const FULLTEXT_ANALYZERS: readonly FulltextAnalyzer[] = ['standard', 'english', 'keyword'];

/** Lucene's English stop-word set. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for if in into is it no not of on or such that the their ' +
    'then there these they this to was will with'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** A term and its position (0-based, counting removed stop words) in its value. */
export interface AnalyzedToken {
  readonly term: string;
  readonly position: number;
}

/** Terms never contain NUL (it separates a term from the entity id in keys). */
function clean(s: string): string {
  return s.normalize('NFKC').split('\u0000').join('');
}

export function analyze(analyzer: FulltextAnalyzer, text: string): AnalyzedToken[] {
  if (analyzer === 'keyword') {
    const t = clean(text);
    return t.length === 0 ? [] : [{ term: t, position: 0 }];
  }
  const out: AnalyzedToken[] = [];
  let position = 0;
  for (const m of clean(text).toLowerCase().matchAll(WORD)) {
    const word = m[0];
    if (analyzer === 'english') {
      if (!STOP_WORDS.has(word)) out.push({ term: stemmer(word), position });
    } else {
      out.push({ term: word, position });
    }
    position++;
  }
  return out;
}

/** The form of a prefix or fuzzy term: normalised like the analyzer, never stemmed. */
export function normalizeRaw(analyzer: FulltextAnalyzer, text: string): string {
  return analyzer === 'keyword' ? clean(text) : clean(text).toLowerCase();
}

// ---- query syntax ----------------------------------------------------------------------

export type FulltextQuery =
  | { readonly kind: 'term'; readonly field: string | null; readonly text: string }
  | { readonly kind: 'phrase'; readonly field: string | null; readonly text: string }
  | { readonly kind: 'prefix'; readonly field: string | null; readonly text: string }
  | {
      readonly kind: 'fuzzy';
      readonly field: string | null;
      readonly text: string;
      readonly distance: number;
    }
  | { readonly kind: 'bool'; readonly clauses: readonly BoolClause[] };

export type Occur = 'must' | 'should' | 'mustNot';
export interface BoolClause {
  readonly occur: Occur;
  readonly query: FulltextQuery;
}

function queryError(query: string, message: string): NexusError {
  return new NexusError('CYPHER_ARGUMENT_ERROR', `Invalid full-text query: ${message}`, {
    details: { query: query.length > 200 ? query.slice(0, 200) + '…' : query },
  });
}

type Lexeme =
  | { readonly t: 'open' | 'close' | 'plus' | 'minus' | 'and' | 'or' | 'not' }
  | { readonly t: 'phrase'; readonly field: string | null; readonly text: string }
  | { readonly t: 'word'; readonly field: string | null; readonly text: string };

const SPECIAL = new Set(['(', ')', '"', ' ', '\t', '\n', '\r']);

function lex(q: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  const readWord = (): string => {
    let s = '';
    while (i < q.length && !SPECIAL.has(q[i]!)) {
      if (q[i] === '\\' && i + 1 < q.length) {
        s += q[i + 1];
        i += 2;
      } else s += q[i++];
    }
    return s;
  };
  const readPhrase = (): string => {
    const start = i++;
    let s = '';
    while (i < q.length && q[i] !== '"') {
      if (q[i] === '\\' && i + 1 < q.length) i++;
      s += q[i++];
    }
    if (i >= q.length) throw queryError(q, `unterminated phrase starting at offset ${start}`);
    i++;
    return s;
  };
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'open' : 'close' });
      i++;
    } else if (c === '+' || c === '-' || c === '!') {
      out.push({ t: c === '+' ? 'plus' : c === '-' ? 'minus' : 'not' });
      i++;
    } else if (c === '"') {
      out.push({ t: 'phrase', field: null, text: readPhrase() });
    } else if (q.startsWith('&&', i) || q.startsWith('||', i)) {
      out.push({ t: c === '&' ? 'and' : 'or' });
      i += 2;
    } else {
      const word = readWord();
      if (word === 'AND' || word === 'OR' || word === 'NOT') {
        out.push({ t: word === 'AND' ? 'and' : word === 'OR' ? 'or' : 'not' });
        continue;
      }
      const colon = word.indexOf(':');
      if (colon > 0) {
        const field = word.slice(0, colon);
        const rest = word.slice(colon + 1);
        if (rest === '' && q[i] === '"') out.push({ t: 'phrase', field, text: readPhrase() });
        else if (rest === '') throw queryError(q, `field '${field}:' has no term`);
        else out.push({ t: 'word', field, text: rest });
      } else {
        out.push({ t: 'word', field: null, text: word });
      }
    }
  }
  return out;
}

/** Parses a Lucene-style query: terms, "phrases", AND/OR/NOT, +/-, prefix*, field:term, term~. */
export function parseFulltextQuery(q: string): FulltextQuery {
  if (typeof q !== 'string' || q.trim().length === 0) throw queryError(String(q), 'the query is empty');
  const lx = lex(q);
  let pos = 0;
  const group = (depth: number): FulltextQuery => {
    const clauses: { occur: Occur; query: FulltextQuery }[] = [];
    let conj: 'and' | 'or' | null = null;
    for (;;) {
      const l = lx[pos];
      if (l === undefined || l.t === 'close') {
        if (l !== undefined && depth === 0) throw queryError(q, "unbalanced ')'");
        if (l === undefined && depth > 0) throw queryError(q, "missing ')'");
        if (conj !== null) throw queryError(q, `'${conj.toUpperCase()}' has no right-hand side`);
        if (l !== undefined) pos++;
        break;
      }
      if (l.t === 'and' || l.t === 'or') {
        if (clauses.length === 0 || conj !== null) {
          throw queryError(q, `'${l.t.toUpperCase()}' needs a term on both sides`);
        }
        conj = l.t;
        pos++;
        continue;
      }
      let occur: Occur = 'should';
      if (l.t === 'plus' || l.t === 'minus' || l.t === 'not') {
        occur = l.t === 'plus' ? 'must' : 'mustNot';
        pos++;
      }
      const sub = clause(depth);
      if (conj === 'and') {
        const prev = clauses[clauses.length - 1]!;
        if (prev.occur === 'should') prev.occur = 'must';
        if (occur === 'should') occur = 'must';
      }
      clauses.push({ occur, query: sub });
      conj = null;
    }
    if (clauses.length === 0) throw queryError(q, 'empty group');
    if (clauses.length === 1 && clauses[0]!.occur !== 'mustNot') return clauses[0]!.query;
    return { kind: 'bool', clauses };
  };
  const clause = (depth: number): FulltextQuery => {
    const l = lx[pos];
    if (l === undefined) throw queryError(q, 'an operator has no term after it');
    pos++;
    if (l.t === 'open') return group(depth + 1);
    if (l.t === 'phrase') return { kind: 'phrase', field: l.field, text: l.text };
    if (l.t !== 'word') throw queryError(q, 'expected a term');
    const fuzzy = /^(.*[^~])~([0-2])?$/s.exec(l.text);
    if (fuzzy) {
      return { kind: 'fuzzy', field: l.field, text: fuzzy[1]!, distance: Number(fuzzy[2] ?? 2) };
    }
    if (l.text.endsWith('*') && l.text.length > 1 && !l.text.slice(0, -1).includes('*')) {
      return { kind: 'prefix', field: l.field, text: l.text.slice(0, -1) };
    }
    if (l.text.includes('*') || l.text.includes('?')) {
      throw queryError(q, `unsupported wildcard in '${l.text}' (only a trailing * is supported)`);
    }
    if (/~\d/.test(l.text)) throw queryError(q, `fuzzy distance must be 0, 1 or 2 in '${l.text}'`);
    return { kind: 'term', field: l.field, text: l.text };
  };
  return group(0);
}

/** Levenshtein distance of `a` and `b`, or `max + 1` once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[y.length]!;
}
