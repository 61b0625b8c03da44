/**
 * The full-text index over the store: an inverted index whose every piece is an LMDB
 * entry of the namespace, written in the caller's transaction — atomic with the data,
 * per namespace, counted in the namespace's bytes, crash-safe. BM25 scoring (k1 1.2,
 * b 0.75, Lucene's idf) from statistics kept as keys and updated in the same transaction.
 *
 * Keys (tag 0x0E postings, 0x0F statistics; docs/ARCHITECTURE.md has the table):
 * - `ns 0E varint(def) <utf8 term> 00 oid(entity)` → varint(document length), then per
 *   field holding the term: varint(field index), varint(count), varint position deltas;
 * - `ns 0F varint(def) 00` → float64 documents, float64 total length (terms);
 * - `ns 0F varint(def) 01 <utf8 term>` → float64 document frequency (the term dictionary:
 *   prefix and fuzzy queries expand over a range of it);
 * - `ns 0F varint(def) 02 oid(entity)` → varint document length.
 * A document is an entity with a label/type of the index and at least one term in its
 * indexed string properties (lists of strings index every element).
 */
import type { Transaction } from 'lmdb';
import { NexusError } from '../errors.js';
import {
  analyze,
  editDistance,
  normalizeRaw,
  parseFulltextQuery,
  type FulltextQuery,
} from './fulltext-analyzer.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { Tag, prefixEnd } from './key-layout.js';
import type { DataDb } from './namespace-reader.js';
import type { FulltextIndexDefinition } from './schema-definitions.js';
import type { PropertyValue } from './types.js';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** Position gap between the elements of a string list (no phrase spans two). */
const LIST_GAP = 100;

const SUB_STATS = 0;
const SUB_DF = 1;
const SUB_LENGTH = 2;

export interface FulltextSource {
  readonly data: DataDb;
  readonly prefix: Buffer;
  readonly transaction?: Transaction;
}

export interface FulltextSink extends FulltextSource {
  putNew(key: Buffer, value: Buffer): void;
  removeCounted(key: Buffer, valueLength: number): void;
}

/** A document: for each term, positions by field index. */
export type FulltextDocument = Map<string, Map<number, number[]>>;

export interface FulltextHit {
  readonly id: number;
  readonly score: number;
}

function gets(src: FulltextSource, key: Buffer): Buffer | undefined {
  return (
    src.data as unknown as { getBinary(k: Buffer, o?: { transaction: Transaction }): Buffer | undefined }
  ).getBinary(key, src.transaction ? { transaction: src.transaction } : undefined);
}

function range(src: FulltextSource, start: Buffer, end = prefixEnd(start)) {
  return src.transaction ? { start, end, transaction: src.transaction } : { start, end };
}

const base = (src: FulltextSource, def: FulltextIndexDefinition, tag: number): ByteWriter =>
  new ByteWriter(48).bytes(src.prefix).byte(tag).varint(def.id);

function postingKey(src: FulltextSource, def: FulltextIndexDefinition, term: string, id: number): Buffer {
  return base(src, def, Tag.FulltextPosting).utf8(term).byte(0).ordered(id).copy();
}
const statsKey = (src: FulltextSource, def: FulltextIndexDefinition): Buffer =>
  base(src, def, Tag.FulltextStats).byte(SUB_STATS).copy();
const dfKey = (src: FulltextSource, def: FulltextIndexDefinition, term: string): Buffer =>
  base(src, def, Tag.FulltextStats).byte(SUB_DF).utf8(term).copy();
const lengthKey = (src: FulltextSource, def: FulltextIndexDefinition, id: number): Buffer =>
  base(src, def, Tag.FulltextStats).byte(SUB_LENGTH).ordered(id).copy();

/** The document of an entity's indexed values (by field index), or undefined if no term. */
export function documentOf(
  def: FulltextIndexDefinition,
  values: readonly (PropertyValue | undefined)[],
): { doc: FulltextDocument; length: number } | undefined {
  const doc: FulltextDocument = new Map();
  let length = 0;
  values.forEach((v, field) => {
    const texts =
      typeof v === 'string'
        ? [v]
        : Array.isArray(v)
          ? (v as readonly unknown[]).filter((x): x is string => typeof x === 'string')
          : [];
    let offset = 0;
    for (const text of texts) {
      let last = -1;
      for (const { term, position } of analyze(def.analyzer, text)) {
        let byField = doc.get(term);
        if (byField === undefined) doc.set(term, (byField = new Map()));
        let ps = byField.get(field);
        if (ps === undefined) byField.set(field, (ps = []));
        ps.push(offset + position);
        last = position;
        length++;
      }
      offset += last + 1 + LIST_GAP;
    }
  });
  return length === 0 ? undefined : { doc, length };
}

function encodePostings(length: number, byField: Map<number, number[]>): Buffer {
  const w = new ByteWriter(16).varint(length);
  for (const [field, ps] of byField) {
    w.varint(field).varint(ps.length);
    let prev = 0;
    for (const p of ps) {
      w.varint(p - prev);
      prev = p;
    }
  }
  return w.copy();
}

/** The document length stored first in a posting. */
function postingLength(buf: Uint8Array): number {
  return new ByteReader(buf).varint();
}

/** Term frequency in a posting (in one field, or all when `field` is null), positions skipped. */
function postingTf(buf: Uint8Array, field: number | null): number {
  const r = new ByteReader(buf);
  r.varint();
  let tf = 0;
  while (!r.done) {
    const f = r.varint();
    const n = r.varint();
    if (field === null || f === field) tf += n;
    for (let i = 0; i < n; i++) r.varint();
  }
  return tf;
}

function decodePostings(buf: Uint8Array): Map<number, number[]> {
  const r = new ByteReader(buf);
  r.varint();
  const out = new Map<number, number[]>();
  while (!r.done) {
    const field = r.varint();
    const n = r.varint();
    const ps = new Array<number>(n);
    let prev = 0;
    for (let i = 0; i < n; i++) ps[i] = prev += r.varint();
    out.set(field, ps);
  }
  return out;
}

function readStats(src: FulltextSource, def: FulltextIndexDefinition): { docs: number; total: number } {
  const b = gets(src, statsKey(src, def));
  return b === undefined ? { docs: 0, total: 0 } : { docs: b.readDoubleBE(0), total: b.readDoubleBE(8) };
}

function writeFloat(sink: FulltextSink, key: Buffer, value: Buffer | undefined): void {
  const old = gets(sink, key);
  if (old !== undefined) sink.removeCounted(key, old.length);
  if (value !== undefined) sink.putNew(key, value);
}

function addStats(sink: FulltextSink, def: FulltextIndexDefinition, docs: number, total: number): void {
  const s = readStats(sink, def);
  const v = Buffer.allocUnsafe(16);
  v.writeDoubleBE(s.docs + docs, 0);
  v.writeDoubleBE(s.total + total, 8);
  writeFloat(sink, statsKey(sink, def), s.docs + docs === 0 ? undefined : v);
}

function addDf(sink: FulltextSink, def: FulltextIndexDefinition, term: string, delta: number): void {
  const key = dfKey(sink, def, term);
  const n = (gets(sink, key)?.readDoubleBE(0) ?? 0) + delta;
  let v: Buffer | undefined;
  if (n > 0) {
    v = Buffer.allocUnsafe(8);
    v.writeDoubleBE(n, 0);
  }
  writeFloat(sink, key, v);
}

/**
 * Statistics changes of a transaction not yet written: the writer accumulates them and
 * writes them once (`flushStatistics`) before any search in the transaction and before
 * the commit, so a batch of documents costs one read-modify-write per distinct term.
 */
export interface FulltextDelta {
  docs: number;
  total: number;
  readonly df: Map<string, number>;
}

export const emptyDelta = (): FulltextDelta => ({ docs: 0, total: 0, df: new Map() });

export function flushStatistics(
  sink: FulltextSink,
  def: FulltextIndexDefinition,
  delta: FulltextDelta,
): void {
  for (const [term, n] of delta.df) if (n !== 0) addDf(sink, def, term, n);
  if (delta.docs !== 0 || delta.total !== 0) addStats(sink, def, delta.docs, delta.total);
  delta.df.clear();
  delta.docs = 0;
  delta.total = 0;
}

export function putDocument(
  sink: FulltextSink,
  def: FulltextIndexDefinition,
  id: number,
  d: { doc: FulltextDocument; length: number },
  delta: FulltextDelta,
): void {
  for (const [term, byField] of d.doc) {
    sink.putNew(postingKey(sink, def, term, id), encodePostings(d.length, byField));
    delta.df.set(term, (delta.df.get(term) ?? 0) + 1);
  }
  sink.putNew(lengthKey(sink, def, id), new ByteWriter(8).varint(d.length).copy());
  delta.docs++;
  delta.total += d.length;
}

export function removeDocument(
  sink: FulltextSink,
  def: FulltextIndexDefinition,
  id: number,
  d: { doc: FulltextDocument; length: number },
  delta: FulltextDelta,
): void {
  for (const term of d.doc.keys()) {
    const key = postingKey(sink, def, term, id);
    const old = gets(sink, key);
    if (old === undefined) continue;
    sink.removeCounted(key, old.length);
    delta.df.set(term, (delta.df.get(term) ?? 0) - 1);
  }
  const lk = lengthKey(sink, def, id);
  const old = gets(sink, lk);
  if (old !== undefined) {
    sink.removeCounted(lk, old.length);
    delta.docs--;
    delta.total -= d.length;
  }
}

/** Removes every entry of an index (DROP INDEX). */
export function dropFulltext(sink: FulltextSink, def: FulltextIndexDefinition): void {
  for (const tag of [Tag.FulltextPosting, Tag.FulltextStats]) {
    const start = base(sink, def, tag).copy();
    const entries: [Buffer, number][] = [];
    for (const { key, value } of sink.data.getRange(range(sink, start))) {
      entries.push([Buffer.from(key as Buffer), (value as Buffer).length]);
    }
    for (const [k, len] of entries) sink.removeCounted(k, len);
  }
}

// ---- search ------------------------------------------------------------------------------

/** BM25 of one term (or phrase) occurrence count in a document. */
export function bm25(idf: number, tf: number, length: number, avgLength: number): number {
  return (idf * tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * length) / avgLength));
}

/** Lucene's idf: ln(1 + (N − df + 0.5) / (df + 0.5)). */
export function idf(docs: number, df: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

type Scores = Map<number, number>;

class Searcher {
  private readonly stats: { docs: number; total: number };
  constructor(
    private readonly src: FulltextSource,
    private readonly def: FulltextIndexDefinition,
  ) {
    this.stats = readStats(src, def);
  }

  private get avg(): number {
    return this.stats.docs === 0 ? 1 : this.stats.total / this.stats.docs;
  }

  private fieldIndex(field: string | null): number | null {
    if (field === null) return null;
    const i = this.def.properties.indexOf(field);
    if (i < 0) {
      throw new NexusError(
        'CYPHER_ARGUMENT_ERROR',
        `Invalid full-text query: field '${field}' is not indexed by '${this.def.name}' (fields: ${this.def.properties.join(', ')})`,
        { details: { field, index: this.def.name } },
      );
    }
    return i;
  }

  private df(term: string): number {
    return gets(this.src, dfKey(this.src, this.def, term))?.readDoubleBE(0) ?? 0;
  }

  /** Raw postings of a term: entity → posting value. */
  private *rawPostings(term: string): Iterable<[number, Uint8Array]> {
    const start = base(this.src, this.def, Tag.FulltextPosting).utf8(term).byte(0).copy();
    for (const { key, value } of this.src.data.getRange(range(this.src, start))) {
      yield [new ByteReader(key as Buffer, start.length).ordered(), value as Uint8Array];
    }
  }

  /** Postings of a term: entity → [document length, positions by field]. */
  private postings(term: string): Map<number, Map<number, number[]>> {
    const out = new Map<number, Map<number, number[]>>();
    for (const [id, v] of this.rawPostings(term)) {
      this.lengths.set(id, postingLength(v));
      out.set(id, decodePostings(v));
    }
    return out;
  }

  private readonly lengths = new Map<number, number>();

  private termScores(term: string, field: number | null): Scores {
    const out: Scores = new Map();
    const df = this.df(term);
    if (df === 0) return out;
    const w = idf(this.stats.docs, df);
    const avg = this.avg;
    for (const [id, v] of this.rawPostings(term)) {
      const tf = postingTf(v, field);
      if (tf > 0) out.set(id, bm25(w, tf, postingLength(v), avg));
    }
    return out;
  }

  private phraseScores(tokens: readonly { term: string; position: number }[], field: number | null): Scores {
    const out: Scores = new Map();
    const lists = tokens.map((t) => this.postings(t.term));
    if (lists.some((l) => l.size === 0)) return out;
    const w = tokens.reduce((s, t) => s + idf(this.stats.docs, this.df(t.term)), 0);
    const first = tokens[0]!.position;
    for (const [id, byField0] of lists[0]!) {
      let tf = 0;
      for (const [f, ps0] of byField0) {
        if (field !== null && f !== field) continue;
        const others = lists.map((l) => new Set(l.get(id)?.get(f) ?? []));
        for (const p of ps0) {
          if (tokens.every((t, k) => others[k]!.has(p + t.position - first))) tf++;
        }
      }
      if (tf > 0) out.set(id, bm25(w, tf, this.lengths.get(id)!, this.avg));
    }
    return out;
  }

  /** Terms of the dictionary starting with `prefix` (all terms when empty). */
  private *dictionary(prefix: string): Iterable<string> {
    const head = base(this.src, this.def, Tag.FulltextStats).byte(SUB_DF).copy();
    const start = Buffer.concat([head, Buffer.from(prefix, 'utf8')]);
    for (const key of this.src.data.getKeys(range(this.src, start))) {
      yield (key as Buffer).toString('utf8', head.length);
    }
  }

  private union(terms: Iterable<string>, field: number | null): Scores {
    const out: Scores = new Map();
    for (const t of terms) {
      for (const [id, s] of this.termScores(t, field)) out.set(id, (out.get(id) ?? 0) + s);
    }
    return out;
  }

  /** Scores of the matching entities; null for a clause with no term (only stop words). */
  run(q: FulltextQuery): Scores | null {
    switch (q.kind) {
      case 'term':
      case 'phrase': {
        const field = this.fieldIndex(q.field);
        const tokens = analyze(this.def.analyzer, q.text);
        if (tokens.length === 0) return null;
        if (tokens.length === 1) return this.termScores(tokens[0]!.term, field);
        return this.phraseScores(tokens, field);
      }
      case 'prefix': {
        const field = this.fieldIndex(q.field);
        return this.union(this.dictionary(normalizeRaw(this.def.analyzer, q.text)), field);
      }
      case 'fuzzy': {
        const field = this.fieldIndex(q.field);
        const target = normalizeRaw(this.def.analyzer, q.text);
        const stemmed = analyze(this.def.analyzer, q.text)[0]?.term;
        const matches: string[] = [];
        for (const t of this.dictionary('')) {
          if (
            editDistance(t, target, q.distance) <= q.distance ||
            (stemmed !== undefined && editDistance(t, stemmed, q.distance) <= q.distance)
          ) {
            matches.push(t);
          }
        }
        return this.union(matches, field);
      }
      case 'bool': {
        let must: Scores | undefined;
        const should: Scores[] = [];
        const not = new Set<number>();
        for (const c of q.clauses) {
          const r = this.run(c.query);
          if (r === null) continue;
          if (c.occur === 'mustNot') {
            for (const id of r.keys()) not.add(id);
          } else if (c.occur === 'must') {
            if (must === undefined) must = new Map(r);
            else {
              const next: Scores = new Map();
              for (const [id, s] of must) {
                const o = r.get(id);
                if (o !== undefined) next.set(id, s + o);
              }
              must = next;
            }
          } else {
            should.push(r);
          }
        }
        let out: Scores;
        if (must !== undefined) {
          out = must;
          for (const r of should) for (const [id, s] of r) if (out.has(id)) out.set(id, out.get(id)! + s);
        } else {
          out = new Map();
          for (const r of should) for (const [id, s] of r) out.set(id, (out.get(id) ?? 0) + s);
        }
        for (const id of not) out.delete(id);
        return out;
      }
    }
  }
}

/**
 * The entities matching `query` in index `def`, best first (ties by id), after `skip`,
 * at most `limit`. Throws CYPHER_ARGUMENT_ERROR on a malformed query.
 */
export function searchFulltext(
  src: FulltextSource,
  def: FulltextIndexDefinition,
  query: string,
  options: { skip?: number; limit?: number } = {},
): FulltextHit[] {
  const parsed = parseFulltextQuery(query);
  const scores = new Searcher(src, def).run(parsed) ?? new Map<number, number>();
  const hits = [...scores].map(([id, score]) => ({ id, score }));
  hits.sort((a, b) => b.score - a.score || a.id - b.id);
  const skip = options.skip ?? 0;
  return hits.slice(skip, options.limit === undefined ? undefined : skip + options.limit);
}
