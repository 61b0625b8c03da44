/**
 * Read access to one namespace. A reader is bound to one key prefix (its namespace id)
 * and either to an explicit LMDB read transaction (a snapshot) or, for the writer
 * subclass, to the current write transaction. Nothing here can form a key outside its
 * own prefix, which is what makes namespace isolation structural.
 */
import type { Database, Transaction } from 'lmdb';
import { NexusError } from '../errors.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import {
  IndexFamily,
  compareScalars,
  familyOf,
  isTruncatedAt,
  skipIndexValue,
  writeIndexValue,
} from './index-value-codec.js';
import {
  CatalogKind,
  DIR_IN,
  DIR_OUT,
  MAX_NAME_BYTES,
  MetaKey,
  Tag,
  prefixEnd,
  tagKey,
} from './key-layout.js';
import { decodeCounters, type NamespaceState } from './namespace-state.js';
import {
  toVector,
  type FulltextIndexDefinition,
  type SchemaDefinition,
  type VectorHit,
  type VectorIndexDefinition,
} from './schema-definitions.js';
import { searchVectors } from './vector-ivf.js';
import { searchFulltext, type FulltextHit } from './fulltext-index.js';
import { readSchemaDefinitions, stripResolved, type Resolved, type SchemaSource } from './schema-store.js';
import { findProperty, isWellFormedText, readProperties, readPropertiesById } from './property-codec.js';
import type {
  AdjacencyEntry,
  Direction,
  GraphReader,
  IndexDefinition,
  NamespaceStats,
  NodeId,
  NodeRecord,
  PropertyScalar,
  PropertyValue,
  RangeBound,
  RelId,
  RelationshipRecord,
} from './types.js';

export type DataDb = Database<Buffer, Buffer>;

export interface ReadOptions {
  transaction: Transaction;
}

/** lmdb-js accepts a read transaction on binary gets; its typings omit the parameter. */
interface BinaryGets {
  getBinaryFast(key: Buffer, options?: ReadOptions): Buffer | undefined;
  getBinary(key: Buffer, options?: ReadOptions): Buffer | undefined;
}

export function binaryGets(db: DataDb): BinaryGets {
  return db as unknown as BinaryGets;
}

/** An index definition with its catalog ids resolved. */
export interface ResolvedIndex extends IndexDefinition {
  readonly labelId: number;
  readonly keyId: number;
}

/** Thrown internally when decoding meets a catalog id that is not cached yet. */
const CACHE_MISS = Symbol('catalog cache miss');

/** Scratch buffer for keys of immediate (synchronous) gets and puts. */
export const keyScratch = new ByteWriter(512);

export function isValidId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0;
}

function decodeNode(
  id: NodeId,
  buf: Buffer,
  name: (kind: CatalogKind, id: number) => string,
  keyName: (id: number) => string,
): NodeRecord {
  const r = new ByteReader(buf);
  const n = r.varint();
  const labels = new Array<string>(n);
  for (let i = 0; i < n; i++) labels[i] = name(CatalogKind.Label, r.varint());
  return { id, labels, properties: readProperties(r, keyName) };
}

function decodeRelationship(
  id: RelId,
  buf: Buffer,
  name: (kind: CatalogKind, id: number) => string,
  keyName: (id: number) => string,
): RelationshipRecord {
  const r = new ByteReader(buf);
  const type = name(CatalogKind.Type, r.varint());
  const start = r.varint();
  const end = r.varint();
  return { id, type, start, end, properties: readProperties(r, keyName) };
}

interface NameResolvers {
  readonly strictName: (kind: CatalogKind, id: number) => string;
  readonly strictKeyName: (id: number) => string;
  readonly anyName: (kind: CatalogKind, id: number) => string;
  readonly anyKeyName: (id: number) => string;
}

export class NamespaceReader implements GraphReader {
  protected readonly gets: BinaryGets;

  constructor(
    protected readonly data: DataDb,
    protected readonly state: NamespaceState,
    protected readonly txnOpts: ReadOptions | undefined,
    /** Undefined when the namespace has never been written (every read is empty). */
    protected prefix: Buffer | undefined,
  ) {
    this.gets = binaryGets(data);
  }

  // ---- key helpers -------------------------------------------------------------------

  /** Starts a key `<prefix><tag>` in the shared scratch writer. */
  protected key(tag: number): ByteWriter {
    return keyScratch.reset().bytes(this.prefix!).byte(tag);
  }

  protected range(start: Buffer, end: Buffer): { start: Buffer; end: Buffer; transaction?: Transaction } {
    return this.txnOpts ? { start, end, transaction: this.txnOpts.transaction } : { start, end };
  }

  protected getFast(key: Buffer): Buffer | undefined {
    return this.gets.getBinaryFast(key, this.txnOpts);
  }

  // ---- catalog -------------------------------------------------------------------------

  /** Id of a catalog name, or undefined if the namespace has none (never creates). */
  protected lookupId(kind: CatalogKind, name: string): number | undefined {
    // A snapshot taken before the namespace's first commit holds nothing, even when that
    // commit has since published catalog entries to the shared cache.
    if (this.prefix === undefined) return undefined;
    const cache = this.state.catalog(kind);
    const cached = cache.byName.get(name) ?? this.pendingId(kind, name);
    if (cached !== undefined) return cached;
    // Stored names are well-formed (the writer refuses others); a lone surrogate would be
    // encoded as U+FFFD and find that name instead.
    if (!isWellFormedText(name)) return undefined;
    // Nor are they longer than MAX_NAME_BYTES; a longer one would not even fit in an LMDB
    // key (MATCH (n:`<5000 characters>`) was a 500).
    if (name.length * 3 > MAX_NAME_BYTES && Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES)
      return undefined;
    const buf = this.getFast(this.key(Tag.CatalogByName).byte(kind).utf8(name).view());
    if (buf === undefined) return undefined;
    const id = new ByteReader(buf).varint();
    // Not pending in this transaction, so it is committed: safe to cache.
    cache.set(name, id);
    return id;
  }

  protected nameOf(kind: CatalogKind, id: number): string {
    const cached = this.cachedName(kind, id);
    if (cached !== undefined) return cached;
    const name = this.gets.getBinary(this.key(Tag.CatalogById).byte(kind).varint(id).view(), this.txnOpts);
    if (name === undefined) throw new NexusError('INTERNAL_ERROR', `Catalog entry ${kind}:${id} is missing`);
    const s = name.toString('utf8');
    this.state.catalog(kind).set(s, id);
    return s;
  }

  protected cachedName(kind: CatalogKind, id: number): string | undefined {
    return this.state.catalog(kind).byId.get(id) ?? this.pendingName(kind, id);
  }

  /** Catalog entries created by the current write transaction (none for readers). */
  protected pendingId(_kind: CatalogKind, _name: string): number | undefined {
    return undefined;
  }

  protected pendingName(_kind: CatalogKind, _id: number): string | undefined {
    return undefined;
  }

  /** How many nodes / relationships use a catalog entry. */
  protected usage(kind: CatalogKind, id: number): number {
    const buf = this.getFast(this.key(Tag.Meta).byte(MetaKey.Usage).byte(kind).varint(id).view());
    return buf === undefined ? 0 : buf.readDoubleBE(0);
  }

  /**
   * Name resolvers handed to the decoders, made on first use: a reader is created per
   * query (and per request), and many never decode a record.
   */
  private resolvers?: NameResolvers;

  private names(): NameResolvers {
    if (this.resolvers !== undefined) return this.resolvers;
    /** Name from the caches only; throws CACHE_MISS otherwise (see `decode`). */
    const strictName = (kind: CatalogKind, id: number): string => {
      const name = this.cachedName(kind, id);
      if (name === undefined) throw CACHE_MISS;
      return name;
    };
    return (this.resolvers = {
      strictName,
      strictKeyName: (id) => strictName(CatalogKind.Key, id),
      anyName: (kind, id) => this.nameOf(kind, id),
      anyKeyName: (id) => this.nameOf(CatalogKind.Key, id),
    });
  }

  /**
   * Decodes a record fetched with the volatile `getBinaryFast`: first with cached names
   * only; on a cache miss the record is re-read as a stable copy, because resolving the
   * name from the database would overwrite the volatile buffer.
   */
  private decode<T>(
    key: Buffer,
    fast: Buffer,
    id: number,
    decoder: (
      id: number,
      buf: Buffer,
      name: (kind: CatalogKind, id: number) => string,
      keyName: (id: number) => string,
    ) => T,
  ): T {
    try {
      const names = this.names();
      return decoder(id, fast, names.strictName, names.strictKeyName);
    } catch (err) {
      if (err !== CACHE_MISS) throw err;
      const stable = this.gets.getBinary(Buffer.from(key), this.txnOpts)!;
      const names = this.names();
      return decoder(id, stable, names.anyName, names.anyKeyName);
    }
  }

  // ---- records -------------------------------------------------------------------------

  getNode(id: NodeId): NodeRecord | undefined {
    if (this.prefix === undefined || !isValidId(id)) return undefined;
    const key = this.key(Tag.Node).ordered(id).view();
    const fast = this.getFast(key);
    return fast === undefined ? undefined : this.decode(key, fast, id, decodeNode);
  }

  getRelationship(id: RelId): RelationshipRecord | undefined {
    if (this.prefix === undefined || !isValidId(id)) return undefined;
    const key = this.key(Tag.Relationship).ordered(id).view();
    const fast = this.getFast(key);
    return fast === undefined ? undefined : this.decode(key, fast, id, decodeRelationship);
  }

  /**
   * One property of a node, decoding only that value (a label scan that reads `p.age`
   * need not build every node's whole property map): null when the node lacks it,
   * undefined when the node does not exist.
   */
  nodeProperty(id: NodeId, key: string): PropertyValue | null | undefined {
    if (this.prefix === undefined || !isValidId(id)) return undefined;
    const keyId = this.lookupId(CatalogKind.Key, key);
    const buf = this.getFast(this.key(Tag.Node).ordered(id).view());
    if (buf === undefined) return undefined;
    if (keyId === undefined) return null;
    const r = new ByteReader(buf);
    const n = r.varint();
    for (let i = 0; i < n; i++) r.varint();
    return findProperty(r, keyId);
  }

  /** Properties of a node by key id, or undefined if the node does not exist. */
  protected nodePropertyById(id: NodeId, keyId: number): PropertyValue | undefined {
    const buf = this.getFast(this.key(Tag.Node).ordered(id).view());
    if (buf === undefined) return undefined;
    const r = new ByteReader(buf);
    const n = r.varint();
    for (let i = 0; i < n; i++) r.varint();
    return readPropertiesById(r).get(keyId);
  }

  // ---- scans ---------------------------------------------------------------------------

  scanNodes(): Iterable<NodeId> {
    if (this.prefix === undefined) return [];
    return this.scanIds(tagKey(this.prefix, Tag.Node), tagKey(this.prefix, Tag.Node + 1));
  }

  scanRelationships(): Iterable<RelId> {
    if (this.prefix === undefined) return [];
    return this.scanIds(tagKey(this.prefix, Tag.Relationship), tagKey(this.prefix, Tag.Relationship + 1));
  }

  scanNodesByLabel(label: string): Iterable<NodeId> {
    const labelId = this.lookupId(CatalogKind.Label, label);
    if (labelId === undefined) return [];
    const start = this.key(Tag.LabelIndex).varint(labelId).copy();
    return this.scanIds(start, prefixEnd(start));
  }

  /** Relationship ids of one type, ascending (the type index). */
  scanRelationshipsByType(type: string): Iterable<RelId> {
    const typeId = this.lookupId(CatalogKind.Type, type);
    if (typeId === undefined) return [];
    const start = this.key(Tag.TypeIndex).varint(typeId).copy();
    return this.scanIds(start, prefixEnd(start));
  }

  /** Keys in [start, end) all end with an ordered id right after `start.length` bytes. */
  private *scanIds(start: Buffer, end: Buffer): Generator<number> {
    const offset = start.length;
    for (const key of this.data.getKeys(this.range(start, end))) {
      // ByteReader.ordered() inlined: no reader object per scanned key.
      const k = key as Buffer;
      const len = k[offset]!;
      let id = 0;
      for (let i = 1; i <= len; i++) id = id * 256 + k[offset + i]!;
      yield id;
    }
  }

  // ---- adjacency -------------------------------------------------------------------------

  *expand(node: NodeId, direction: Direction, types?: readonly string[]): Iterable<AdjacencyEntry> {
    if (this.prefix === undefined || !isValidId(node)) return;
    const base = this.key(Tag.Adjacency).ordered(node).copy();
    const dirs = direction === 'both' ? [DIR_OUT, DIR_IN] : direction === 'out' ? [DIR_OUT] : [DIR_IN];
    let typeIds: number[] | undefined;
    if (types !== undefined && types.length > 0) {
      typeIds = [];
      for (const t of new Set(types)) {
        const id = this.lookupId(CatalogKind.Type, t);
        if (id !== undefined) typeIds.push(id);
      }
      if (typeIds.length === 0) return;
    }
    // Range prefixes to scan: one per (direction, type), or per direction, or one for
    // the whole node when both directions of every type are wanted.
    const starts: Buffer[] = [];
    if (typeIds === undefined) {
      starts.push(direction === 'both' ? base : Buffer.concat([base, Buffer.of(dirs[0]!)]));
    } else {
      for (const dir of dirs) {
        for (const t of typeIds)
          starts.push(new ByteWriter(base.length + 8).bytes(base).byte(dir).varint(t).copy());
      }
    }
    for (const start of starts) {
      for (const { key, value } of this.data.getRange(this.range(start, prefixEnd(start)))) {
        const r = new ByteReader(key as Buffer, base.length);
        const dir = r.byte();
        const typeId = r.varint();
        const rel = r.ordered();
        const other = new ByteReader(value).varint();
        // A self-loop has an out and an in entry; 'both' reports it once, as 'out'.
        if (dir === DIR_IN && direction === 'both' && other === node) continue;
        yield {
          rel,
          type: this.nameOf(CatalogKind.Type, typeId),
          other,
          direction: dir === DIR_OUT ? 'out' : 'in',
        };
      }
    }
  }

  degree(node: NodeId, direction: Direction, types?: readonly string[]): number {
    if (this.prefix === undefined || !isValidId(node)) return 0;
    if (direction !== 'both' && (types === undefined || types.length === 0)) {
      const start = this.key(Tag.Adjacency)
        .ordered(node)
        .byte(direction === 'out' ? DIR_OUT : DIR_IN)
        .copy();
      return this.data.getKeysCount(this.range(start, prefixEnd(start)));
    }
    let n = 0;
    for (const _ of this.expand(node, direction, types)) n++;
    return n;
  }

  /** True if any relationship touches the node (cheap: one cursor step). */
  protected hasRelationships(node: NodeId): boolean {
    const start = this.key(Tag.Adjacency).ordered(node).copy();
    for (const _ of this.data.getKeys({ ...this.range(start, prefixEnd(start)), limit: 1 })) return true;
    return false;
  }

  // ---- catalog listings ------------------------------------------------------------------

  countNodesByLabel(label: string): number {
    const id = this.lookupId(CatalogKind.Label, label);
    return id === undefined ? 0 : this.usage(CatalogKind.Label, id);
  }

  labels(): string[] {
    return this.usedNames(CatalogKind.Label);
  }

  relationshipTypes(): string[] {
    return this.usedNames(CatalogKind.Type);
  }

  propertyKeys(): string[] {
    return this.usedNames(CatalogKind.Key);
  }

  private usedNames(kind: CatalogKind): string[] {
    if (this.prefix === undefined) return [];
    const start = tagKey(this.prefix, Tag.CatalogById);
    const s = Buffer.concat([start, Buffer.of(kind)]);
    const entries: [number, string][] = [];
    for (const { key, value } of this.data.getRange(this.range(s, prefixEnd(s)))) {
      entries.push([new ByteReader(key as Buffer, s.length).varint(), value.toString('utf8')]);
    }
    const out: string[] = [];
    for (const [id, name] of entries) if (this.usage(kind, id) > 0) out.push(name);
    return out.sort();
  }

  // ---- property indexes ------------------------------------------------------------------

  /** All index definitions of the namespace. */
  /** Index definitions of this reader's snapshot, read once (a query asks several times). */
  private defsMemo: readonly ResolvedIndex[] | undefined;

  protected indexDefs(): readonly ResolvedIndex[] {
    if (this.defsMemo !== undefined) return this.defsMemo;
    if (this.prefix === undefined) return [];
    // A live reader (inside a write transaction) may see definitions change: never memoised.
    if (this.txnOpts === undefined) return this.readIndexDefs();
    // One get of the version instead of a range scan over the definitions.
    const raw = this.getFast(this.key(Tag.Meta).byte(MetaKey.IndexVersion).view());
    const version = raw === undefined ? 0 : raw.readDoubleBE(0);
    const shared = this.state.indexDefs;
    let defs: readonly ResolvedIndex[];
    if (shared !== undefined && shared.version === version && shared.prefix.equals(this.prefix)) {
      defs = shared.defs as readonly ResolvedIndex[];
    } else {
      defs = this.readIndexDefs();
      this.state.indexDefs = { version, prefix: this.prefix, defs };
    }
    this.defsMemo = defs;
    return defs;
  }

  private readIndexDefs(): readonly ResolvedIndex[] {
    if (this.prefix === undefined) return [];
    const start = tagKey(this.prefix, Tag.IndexDefinition);
    const raw: [string, number, number][] = [];
    for (const { key, value } of this.data.getRange(this.range(start, prefixEnd(start)))) {
      const r = new ByteReader(value);
      raw.push([(key as Buffer).toString('utf8', start.length), r.varint(), r.varint()]);
    }
    return raw.map(([name, labelId, keyId]) => ({
      name,
      labelId,
      keyId,
      label: this.nameOf(CatalogKind.Label, labelId),
      property: this.nameOf(CatalogKind.Key, keyId),
    }));
  }

  indexes(): IndexDefinition[] {
    return this.indexDefs().map(({ name, label, property }) => ({ name, label, property }));
  }

  findIndex(label: string, property: string): IndexDefinition | undefined {
    const def = this.findResolved(label, property);
    return def && { name: def.name, label: def.label, property: def.property };
  }

  protected findResolved(label: string, property: string): ResolvedIndex | undefined {
    return this.indexDefs().find((d) => d.label === label && d.property === property);
  }

  private requireIndex(label: string, property: string): ResolvedIndex {
    const def = this.findResolved(label, property);
    if (def === undefined) {
      throw new NexusError('NOT_FOUND', `No index on :${label}(${property})`, {
        details: { label, property },
      });
    }
    return def;
  }

  indexSeek(label: string, property: string, value: PropertyScalar): Iterable<NodeId> {
    const def = this.requireIndex(label, property);
    if (familyOf(value) === IndexFamily.NaN) return [];
    const w = new ByteWriter(64)
      .bytes(this.prefix!)
      .byte(Tag.IndexEntry)
      .varint(def.labelId)
      .varint(def.keyId);
    const truncated = writeIndexValue(w, value);
    const start = w.copy();
    const check = truncated ? (v: PropertyScalar) => compareScalars(v, value) === 0 : undefined;
    return this.scanIndex(def, start, prefixEnd(start), check);
  }

  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound): Iterable<NodeId> {
    const def = this.requireIndex(label, property);
    const base = new ByteWriter(32)
      .bytes(this.prefix!)
      .byte(Tag.IndexEntry)
      .varint(def.labelId)
      .varint(def.keyId)
      .copy();
    const lf = lower && familyOf(lower.value);
    const uf = upper && familyOf(upper.value);
    if (lf === IndexFamily.NaN || uf === IndexFamily.NaN) return [];
    if (lf !== undefined && uf !== undefined && lf !== uf) return [];
    const family = lf ?? uf;
    let start: Buffer;
    let end: Buffer;
    if (lower === undefined) {
      start = family === undefined ? base : Buffer.concat([base, Buffer.of(family)]);
    } else {
      const w = new ByteWriter(64).bytes(base);
      const truncated = writeIndexValue(w, lower.value);
      // Exclusive: skip every entry of that value (node ids start with a byte <= 7). A
      // truncated string starts at its whole group; `check` filters it.
      if (!lower.inclusive && !truncated) w.byte(0xff);
      start = w.copy();
    }
    if (upper === undefined) {
      // NaN sorts right after the numbers and is never inside a numeric range.
      end =
        family === undefined
          ? prefixEnd(base)
          : Buffer.concat([base, Buffer.of(family === IndexFamily.Number ? IndexFamily.NaN : family + 1)]);
    } else {
      const w = new ByteWriter(64).bytes(base);
      const truncated = writeIndexValue(w, upper.value);
      if (upper.inclusive || truncated) w.byte(0xff);
      end = w.copy();
    }
    const check = (v: PropertyScalar): boolean => {
      if (lower) {
        const c = compareScalars(v, lower.value);
        if (c === undefined || c < 0 || (c === 0 && !lower.inclusive)) return false;
      }
      if (upper) {
        const c = compareScalars(v, upper.value);
        if (c === undefined || c > 0 || (c === 0 && !upper.inclusive)) return false;
      }
      return true;
    };
    return this.scanIndex(def, start, end, lower || upper ? check : undefined);
  }

  /**
   * Index entries in [start, end). Entries whose string was truncated in the key are
   * checked against the node's stored value with `check`.
   */
  private *scanIndex(
    def: ResolvedIndex,
    start: Buffer,
    end: Buffer,
    check: ((v: PropertyScalar) => boolean) | undefined,
  ): Generator<NodeId> {
    const valueStart = this.prefix!.length + 1;
    for (const k of this.data.getKeys(this.range(start, end))) {
      const key = k as Buffer;
      const r = new ByteReader(key, valueStart);
      r.varint();
      r.varint();
      const valueEnd = skipIndexValue(key, r.pos);
      const truncated = key[r.pos] === IndexFamily.String && isTruncatedAt(key, valueEnd);
      r.pos = valueEnd;
      const id = r.ordered();
      if (truncated && check !== undefined) {
        const v = this.nodePropertyById(id, def.keyId);
        if (v === undefined || Array.isArray(v) || !check(v as PropertyScalar)) continue;
      }
      yield id;
    }
  }

  // ---- constraints and vector indexes (schema-store.ts) ---------------------------------

  private schemaMemo: readonly Resolved[] | undefined;

  /** @internal Where schema-store reads this namespace's entries. */
  protected schemaSource(): SchemaSource {
    return {
      data: this.data,
      prefix: this.prefix!,
      ...(this.txnOpts ? { transaction: this.txnOpts.transaction } : {}),
      lookupId: (kind, name) => this.lookupId(kind, name),
    };
  }

  /** Constraint and vector-index definitions, cached per index-definition version. */
  protected schemaDefs(): readonly Resolved[] {
    if (this.schemaMemo !== undefined) return this.schemaMemo;
    if (this.prefix === undefined) return [];
    const raw = this.getFast(this.key(Tag.Meta).byte(MetaKey.IndexVersion).view());
    const version = raw === undefined ? 0 : raw.readDoubleBE(0);
    const shared = this.state.schemaDefs;
    let defs: readonly Resolved[];
    if (shared !== undefined && shared.version === version && shared.prefix.equals(this.prefix)) {
      defs = shared.defs as readonly Resolved[];
    } else {
      defs = readSchemaDefinitions(this.schemaSource());
      // A writer reads them before its first schema change (SchemaMaintainer loads them
      // first), so what it reads here is committed state and may be shared too.
      this.state.schemaDefs = { version, prefix: this.prefix, defs };
    }
    if (this.txnOpts !== undefined) this.schemaMemo = defs;
    return defs;
  }

  schemaDefinitions(): SchemaDefinition[] {
    return this.schemaDefs().map(stripResolved);
  }

  /**
   * The `k` nodes of vector index `name` nearest to `vector`, best first, with Neo4j's
   * score. Approximate (the closest IVF lists, vector-ivf.ts) unless `exact`.
   */
  vectorSearch(
    name: string,
    k: number,
    vector: readonly number[],
    options?: { exact?: boolean; probes?: number },
  ): VectorHit[] {
    const def = this.schemaDefs().find((d) => d.kind === 'vector' && d.name === name) as
      VectorIndexDefinition | undefined;
    if (def === undefined) {
      throw new NexusError('NOT_FOUND', `There is no vector index named '${name}'`, { details: { name } });
    }
    if (!Number.isSafeInteger(k) || k < 1)
      throw new NexusError('INVALID_PARAMETER', 'k must be a positive integer');
    const q = toVector(vector as PropertyValue, def.dimensions, `Query vector for index '${name}'`);
    return searchVectors(this.schemaSource(), def, q, k, options);
  }

  fulltextSearch(
    name: string,
    entity: 'node' | 'relationship',
    query: string,
    options?: { skip?: number; limit?: number },
  ): FulltextHit[] {
    const def = this.schemaDefs().find((d) => d.kind === 'fulltext' && d.name === name) as
      FulltextIndexDefinition | undefined;
    if (def === undefined) {
      throw new NexusError('NOT_FOUND', `There is no full-text index named '${name}'`, { details: { name } });
    }
    if (def.entity !== entity) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `Full-text index '${name}' indexes ${def.entity === 'node' ? 'nodes' : 'relationships'}; use db.index.fulltext.query${def.entity === 'node' ? 'Nodes' : 'Relationships'}`,
        { details: { name } },
      );
    }
    return searchFulltext(this.schemaSource(), def, query, options);
  }

  // ---- stats ---------------------------------------------------------------------------

  stats(): NamespaceStats {
    if (this.prefix === undefined) return { nodes: 0, relationships: 0, bytes: 0 };
    const c = decodeCounters(this.getFast(this.key(Tag.Meta).byte(MetaKey.Stats).view()));
    return { nodes: c.nodes, relationships: c.relationships, bytes: c.bytes };
  }
}
