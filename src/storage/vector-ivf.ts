/**
 * The vector index over the store: an inverted-file (IVF) index whose every piece is an
 * LMDB entry of the namespace, written in the caller's transaction — so it is atomic with
 * the data, per namespace, counted in the namespace's bytes and crash-safe. Vectors are
 * float32, grouped by their nearest centroid so a query scans only the `nprobe` closest
 * lists (contiguous key ranges); with no centroids yet (small index) a query scans all.
 * Centroids are (re)trained by k-means when the index has grown 4× since the last
 * training, and by `db.index.vector.rebuild`. docs/PERFORMANCE.md has the measurements.
 *
 * Keys (tag 0x0C membership, 0x0D lists):
 * - `ns 0C varint(def) oid(node)` → varint(list): which list holds the node's vector;
 * - `ns 0D varint(def) 00` → u32 lists, u32 trained-at count, float32 centroids;
 * - `ns 0D varint(def) 01 varint(list) oid(node)` → float32 LE vector;
 * - `ns 0D varint(def) 02` → float64 number of vectors.
 */
import type { Transaction } from 'lmdb';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { Tag, prefixEnd } from './key-layout.js';
import type { DataDb } from './namespace-reader.js';
import type { VectorHit, VectorIndexDefinition } from './schema-definitions.js';
import type { NodeId } from './types.js';

/** Where vector entries are read from. */
export interface VectorSource {
  readonly data: DataDb;
  readonly prefix: Buffer;
  readonly transaction?: Transaction;
}

/** Counted writes into the namespace (the storage writer). */
export interface VectorSink extends VectorSource {
  putNew(key: Buffer, value: Buffer): void;
  removeCounted(key: Buffer, valueLength: number): void;
}

/** No centroids below this many vectors: a full scan is as fast. */
export const MIN_TRAIN = 2048;
const KMEANS_ITERATIONS = 6;
const MAX_TRAIN_SAMPLE = 8192;

const SUB_CENTROIDS = 0;
const SUB_LISTS = 1;
const SUB_COUNT = 2;

interface Centroids {
  readonly lists: number;
  readonly trainedAt: number;
  readonly data: Float32Array;
}

function gets(src: VectorSource, key: Buffer): Buffer | undefined {
  return (
    src.data as unknown as { getBinary(k: Buffer, o?: { transaction: Transaction }): Buffer | undefined }
  ).getBinary(key, src.transaction ? { transaction: src.transaction } : undefined);
}

function range(src: VectorSource, start: Buffer, end = prefixEnd(start)) {
  return src.transaction ? { start, end, transaction: src.transaction } : { start, end };
}

function base(src: VectorSource, def: VectorIndexDefinition, tag: number): ByteWriter {
  return new ByteWriter(32).bytes(src.prefix).byte(tag).varint(def.id);
}

function membershipKey(src: VectorSource, def: VectorIndexDefinition, node: NodeId): Buffer {
  return base(src, def, Tag.VectorEntry).ordered(node).copy();
}

function listKey(src: VectorSource, def: VectorIndexDefinition, list: number, node: NodeId): Buffer {
  return base(src, def, Tag.VectorGraph).byte(SUB_LISTS).varint(list).ordered(node).copy();
}

function listPrefix(src: VectorSource, def: VectorIndexDefinition, list?: number): Buffer {
  const w = base(src, def, Tag.VectorGraph).byte(SUB_LISTS);
  if (list !== undefined) w.varint(list);
  return w.copy();
}

const centroidsKey = (src: VectorSource, def: VectorIndexDefinition): Buffer =>
  base(src, def, Tag.VectorGraph).byte(SUB_CENTROIDS).copy();
const countKey = (src: VectorSource, def: VectorIndexDefinition): Buffer =>
  base(src, def, Tag.VectorGraph).byte(SUB_COUNT).copy();

function readCentroids(src: VectorSource, def: VectorIndexDefinition): Centroids | undefined {
  const buf = gets(src, centroidsKey(src, def));
  if (buf === undefined) return undefined;
  const lists = buf.readUInt32BE(0);
  const trainedAt = buf.readUInt32BE(4);
  const data = new Float32Array(lists * def.dimensions);
  new Uint8Array(data.buffer).set(buf.subarray(8, 8 + data.byteLength));
  return { lists, trainedAt, data };
}

export function vectorCount(src: VectorSource, def: VectorIndexDefinition): number {
  return gets(src, countKey(src, def))?.readDoubleBE(0) ?? 0;
}

function setCount(sink: VectorSink, def: VectorIndexDefinition, n: number): void {
  const key = countKey(sink, def);
  if (gets(sink, key) !== undefined) sink.removeCounted(key, 8);
  const v = Buffer.allocUnsafe(8);
  v.writeDoubleBE(n, 0);
  sink.putNew(key, v);
}

/**
 * The stored form: unit length for cosine (a score is then one dot product), as given
 * for euclidean. The node's property keeps the original values.
 */
export function prepare(def: VectorIndexDefinition, v: Float32Array): Float32Array {
  if (def.similarity !== 'cosine') return v;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (s === 0) return out;
  const f = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * f;
  return out;
}

/** Neo4j's score of two prepared vectors: cosine (1 + cos) / 2, euclidean 1 / (1 + d²). */
function score(cosine: boolean, a: Float32Array, b: Float32Array): number {
  const n = a.length;
  if (cosine) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += a[i]! * b[i]!;
    return (1 + dot) / 2;
  }
  let d = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - b[i]!;
    d += x * x;
  }
  return 1 / (1 + d);
}

function encode(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** The list whose centroid is most similar to `v` (0 without centroids). */
function nearestList(def: VectorIndexDefinition, c: Centroids | undefined, v: Float32Array): number {
  if (c === undefined) return 0;
  let best = 0;
  let bestScore = -Infinity;
  const dim = def.dimensions;
  const cosine = def.similarity === 'cosine';
  for (let l = 0; l < c.lists; l++) {
    const s = score(cosine, v, c.data.subarray(l * dim, (l + 1) * dim));
    if (s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  return best;
}

/** Lists ordered by centroid similarity to `v`, best first. */
function rankLists(def: VectorIndexDefinition, c: Centroids, v: Float32Array): number[] {
  const dim = def.dimensions;
  const scores = new Float64Array(c.lists);
  const cosine = def.similarity === 'cosine';
  for (let l = 0; l < c.lists; l++) scores[l] = score(cosine, v, c.data.subarray(l * dim, (l + 1) * dim));
  return [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Per-transaction cache of decoded centroids: a bulk insert assigns every vector against
 * the same centroids, so they are decoded once per transaction, not per node.
 */
const centroidCache = new WeakMap<object, Map<number, Centroids | undefined>>();

function centroidsFor(sink: VectorSink, def: VectorIndexDefinition): Centroids | undefined {
  let m = centroidCache.get(sink);
  if (m === undefined) centroidCache.set(sink, (m = new Map()));
  if (!m.has(def.id)) m.set(def.id, readCentroids(sink, def));
  return m.get(def.id);
}

/** Adds (or replaces) the vector of `node`. */
export function putVector(
  sink: VectorSink,
  def: VectorIndexDefinition,
  node: NodeId,
  raw: Float32Array,
): void {
  const v = prepare(def, raw);
  const existed = removeVector(sink, def, node, false);
  const c = centroidsFor(sink, def);
  const list = nearestList(def, c, v);
  sink.putNew(listKey(sink, def, list, node), encode(v));
  sink.putNew(membershipKey(sink, def, node), new ByteWriter(8).varint(list).copy());
  const n = vectorCount(sink, def) + (existed ? 0 : 1);
  setCount(sink, def, n);
  if (n >= MIN_TRAIN && n >= 4 * (c?.trainedAt ?? 0)) train(sink, def);
}

/** Removes the vector of `node`; returns whether it had one. */
export function removeVector(
  sink: VectorSink,
  def: VectorIndexDefinition,
  node: NodeId,
  count = true,
): boolean {
  const mkey = membershipKey(sink, def, node);
  const m = gets(sink, mkey);
  if (m === undefined) return false;
  const list = new ByteReader(m).varint();
  sink.removeCounted(listKey(sink, def, list, node), def.dimensions * 4);
  sink.removeCounted(mkey, m.length);
  if (count) setCount(sink, def, vectorCount(sink, def) - 1);
  return true;
}

/** Removes every entry of the index (DROP INDEX). */
export function dropVectors(sink: VectorSink, def: VectorIndexDefinition): void {
  for (const tag of [Tag.VectorEntry, Tag.VectorGraph]) {
    const entries: [Buffer, number][] = [];
    for (const { key, value } of sink.data.getRange(range(sink, base(sink, def, tag).copy()))) {
      entries.push([Buffer.from(key as Buffer), (value as Buffer).length]);
    }
    for (const [k, len] of entries) sink.removeCounted(k, len);
  }
  centroidCache.get(sink)?.delete(def.id);
}

function trailingId(key: Uint8Array, at: number): number {
  const n = key[at]!;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + key[at + 1 + i]!;
  return v;
}

/** A small seeded PRNG (mulberry32): training is deterministic for the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * (Re)trains the centroids by k-means over (a sample of) the stored vectors and moves
 * every vector to its nearest list. O(n · lists · d): run when the index has grown 4×,
 * so its cost per insert stays bounded (amortised), or on demand.
 */
export function train(sink: VectorSink, def: VectorIndexDefinition): void {
  const dim = def.dimensions;
  const all: { node: NodeId; list: number; v: Float32Array }[] = [];
  const listsStart = listPrefix(sink, def);
  for (const { key, value } of sink.data.getRange(range(sink, listsStart))) {
    const r = new ByteReader(key as Buffer, listsStart.length);
    const list = r.varint();
    const node = trailingId(key as Buffer, r.pos);
    const v = new Float32Array(dim);
    new Uint8Array(v.buffer).set(value as Buffer);
    all.push({ node, list, v });
  }
  const n = all.length;
  if (n === 0) return;
  const lists = Math.max(1, Math.min(4096, Math.round(Math.sqrt(n))));
  const rand = prng(0x5eed ^ def.id ^ n);
  const sample: Float32Array[] = [];
  const sampleSize = Math.min(n, Math.max(lists * 16, Math.min(MAX_TRAIN_SAMPLE, n)));
  for (let i = 0; i < sampleSize; i++) sample.push(all[Math.floor(rand() * n)]!.v);
  const points = sample;
  const cent = new Float32Array(lists * dim);
  for (let l = 0; l < lists; l++) cent.set(points[Math.floor(rand() * points.length)]!, l * dim);
  const c: Centroids = { lists, trainedAt: n, data: cent };
  const assign = new Int32Array(points.length);
  for (let it = 0; it < KMEANS_ITERATIONS; it++) {
    for (let i = 0; i < points.length; i++) assign[i] = nearestList(def, c, points[i]!);
    const sums = new Float64Array(lists * dim);
    const counts = new Int32Array(lists);
    for (let i = 0; i < points.length; i++) {
      const l = assign[i]!;
      counts[l]!++;
      const p = points[i]!;
      for (let d = 0; d < dim; d++) sums[l * dim + d]! += p[d]!;
    }
    for (let l = 0; l < lists; l++) {
      if (counts[l] === 0) {
        cent.set(points[Math.floor(rand() * points.length)]!, l * dim); // re-seed an empty list
        continue;
      }
      for (let d = 0; d < dim; d++) cent[l * dim + d] = sums[l * dim + d]! / counts[l]!;
      cent.set(prepare(def, cent.subarray(l * dim, (l + 1) * dim)), l * dim);
    }
  }
  const key = centroidsKey(sink, def);
  const old = gets(sink, key);
  if (old !== undefined) sink.removeCounted(key, old.length);
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32BE(lists, 0);
  head.writeUInt32BE(n, 4);
  sink.putNew(key, Buffer.concat([head, encode(cent)]));
  let m = centroidCache.get(sink);
  if (m === undefined) centroidCache.set(sink, (m = new Map()));
  m.set(def.id, c);
  for (const e of all) {
    const list = nearestList(def, c, e.v);
    if (list === e.list) continue;
    const mkey = membershipKey(sink, def, e.node);
    sink.removeCounted(listKey(sink, def, e.list, e.node), dim * 4);
    sink.removeCounted(mkey, gets(sink, mkey)!.length);
    sink.putNew(listKey(sink, def, list, e.node), encode(e.v));
    sink.putNew(mkey, new ByteWriter(8).varint(list).copy());
  }
}

/** How many lists a query scans: about 4% of them, at least 8. */
export function defaultProbes(lists: number): number {
  return Math.min(lists, Math.max(8, Math.ceil(lists * 0.04)));
}

/**
 * The `k` most similar vectors, best first. `exact` (or an untrained index) scans every
 * list; otherwise the `probes` lists with the closest centroids.
 */
export function searchVectors(
  src: VectorSource,
  def: VectorIndexDefinition,
  q: Float32Array,
  k: number,
  options: { exact?: boolean; probes?: number } = {},
): VectorHit[] {
  const c = options.exact ? undefined : readCentroids(src, def);
  const cosine = def.similarity === 'cosine';
  q = prepare(def, q);
  const top: VectorHit[] = [];
  let worst = -Infinity;
  const scratch = new Float32Array(def.dimensions);
  const scratchBytes = new Uint8Array(scratch.buffer);
  const scan = (start: Buffer): void => {
    for (const { key, value } of src.data.getRange(range(src, start))) {
      scratchBytes.set(value as Buffer);
      const s = score(cosine, q, scratch);
      if (top.length >= k && s <= worst) continue;
      const r = new ByteReader(key as Buffer, start.length);
      if (c === undefined) r.varint();
      const node = trailingId(key as Buffer, r.pos);
      top.push({ node, score: s });
      if (top.length > k) {
        top.sort((a, b) => b.score - a.score || a.node - b.node);
        top.length = k;
      }
      if (top.length === k) worst = Math.min(...top.map((h) => h.score));
    }
  };
  if (c === undefined) scan(listPrefix(src, def));
  else {
    const order = rankLists(def, c, q);
    const probes = Math.min(c.lists, options.probes ?? defaultProbes(c.lists));
    for (let i = 0; i < probes; i++) scan(listPrefix(src, def, order[i]!));
  }
  return top.sort((a, b) => b.score - a.score || a.node - b.node);
}
