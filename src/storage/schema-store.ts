/**
 * Constraints and vector indexes over the `data` database, inside the caller's LMDB
 * transaction. The writer calls `SchemaMaintainer` on every node and relationship change
 * (so every door that writes through a `GraphWriter` — Cypher, REST, ingest, MCP, later
 * protocols — keeps the entries current and is checked), and `validate()` before the
 * commit: a violation throws `CONSTRAINT_VIOLATION` and the whole write transaction rolls
 * back. LMDB has one writer, so the check-then-insert of a unique key is atomic.
 *
 * Keys (all under the namespace prefix; docs/ARCHITECTURE.md has the table):
 * - `ns 0A <utf8 name>` → JSON definition (constraint or vector index);
 * - `ns 0B varint(def id) <16-byte hash of the values> oid(entity)` → empty: unique entries;
 * - `ns 0C` / `ns 0D`: vector-index entries (vector-ivf.ts);
 * - `ns 0E` / `ns 0F`: full-text postings and statistics (fulltext-index.ts).
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'lmdb';
import { NexusError } from '../errors.js';
import { ByteWriter } from './byte-writer.js';
import { CatalogKind, MAX_NAME_BYTES, Tag, prefixEnd, tagKey } from './key-layout.js';
import type { DataDb } from './namespace-reader.js';
import { assertWellFormedName } from './property-codec.js';
import {
  canonicalTuple,
  decodeDefinition,
  encodeDefinition,
  propertyTypeOf,
  toVector,
  valueHasType,
  MAX_VECTOR_DIMENSIONS,
  type ConstraintDefinition,
  type ConstraintSpec,
  type FulltextIndexDefinition,
  type FulltextIndexSpec,
  type SchemaDefinition,
  type VectorIndexDefinition,
  type VectorIndexSpec,
} from './schema-definitions.js';
import {
  documentOf,
  dropFulltext,
  emptyDelta,
  flushStatistics,
  putDocument,
  removeDocument,
  type FulltextDelta,
} from './fulltext-index.js';
import { FULLTEXT_ANALYZERS } from './fulltext-analyzer.js';
import { dropVectors, putVector, removeVector, train } from './vector-ivf.js';
import type { IndexDefinition, NodeId, PropertyValue, RelId } from './types.js';

const EMPTY = Buffer.alloc(0);
const HASH_BYTES = 16;

/** A definition with its catalog ids resolved (-1 when a name is unknown). */
export type Resolved<D extends SchemaDefinition = SchemaDefinition> = D & {
  readonly tokenId: number;
  readonly keyIds: readonly number[];
  /** Full-text indexes: every label / type id (-1 when unknown). */
  readonly tokenIds?: readonly number[];
};

/** Where schema entries are read from: a namespace prefix inside one transaction. */
export interface SchemaSource {
  readonly data: DataDb;
  readonly prefix: Buffer;
  readonly transaction?: Transaction;
  lookupId(kind: CatalogKind, name: string): number | undefined;
}

function rangeOf(
  src: SchemaSource,
  start: Buffer,
): { start: Buffer; end: Buffer; transaction?: Transaction } {
  const end = prefixEnd(start);
  return src.transaction ? { start, end, transaction: src.transaction } : { start, end };
}

export function readSchemaDefinitions(src: SchemaSource): Resolved[] {
  const out: Resolved[] = [];
  for (const { value } of src.data.getRange(rangeOf(src, tagKey(src.prefix, Tag.SchemaDefinition)))) {
    out.push(resolve(src, decodeDefinition(value)));
  }
  return out;
}

function resolve(src: SchemaSource, def: SchemaDefinition): Resolved {
  if (def.kind === 'fulltext') {
    const kind = def.entity === 'node' ? CatalogKind.Label : CatalogKind.Type;
    return {
      ...def,
      tokenId: -1,
      tokenIds: def.labelsOrTypes.map((t) => src.lookupId(kind, t) ?? -1),
      keyIds: def.properties.map((p) => src.lookupId(CatalogKind.Key, p) ?? -1),
    };
  }
  if (def.kind === 'vector') {
    return {
      ...def,
      tokenId: src.lookupId(CatalogKind.Label, def.label) ?? -1,
      keyIds: [src.lookupId(CatalogKind.Key, def.property) ?? -1],
    };
  }
  const kind = def.entity === 'node' ? CatalogKind.Label : CatalogKind.Type;
  return {
    ...def,
    tokenId: src.lookupId(kind, def.labelOrType) ?? -1,
    keyIds: def.properties.map((p) => src.lookupId(CatalogKind.Key, p) ?? -1),
  };
}

/** Reads the node id at the end of a `… oid(node)` key that starts with `prefixLength` bytes. */
function trailingOrdered(key: Uint8Array, at: number): number {
  const n = key[at]!;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + key[at + 1 + i]!;
  return v;
}

// ---- the writer side ---------------------------------------------------------------------

/** An entity as the writer holds it: label (or type) ids and properties by key id. */
export interface EntityState {
  readonly tokens: readonly number[];
  readonly props: ReadonlyMap<number, PropertyValue>;
}

/** What the maintainer needs from the writer (counted puts, catalog, loads, scans). */
export interface SchemaHost extends SchemaSource {
  putNew(key: Buffer, value: Buffer): void;
  removeCounted(key: Buffer, valueLength: number): void;
  idFor(kind: CatalogKind, name: string): number;
  nodeState(id: NodeId): EntityState | undefined;
  relState(id: RelId): EntityState | undefined;
  scanNodesByLabel(label: string): Iterable<NodeId>;
  scanRelationshipsByType(type: string): Iterable<RelId>;
  indexes(): IndexDefinition[];
  findIndex(label: string, property: string): IndexDefinition | undefined;
  createIndex(label: string, property: string, name: string): IndexDefinition;
  dropIndex(name: string): boolean;
}

type Entity = 'node' | 'relationship';

function describe(entity: Entity, id: number): string {
  return entity === 'node' ? `Node(${id})` : `Relationship(${id})`;
}

function showValue(v: PropertyValue): string {
  return typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v);
}

export class SchemaMaintainer {
  private defs: Resolved[];
  private readonly dirtyNodes = new Set<NodeId>();
  private readonly dirtyRels = new Set<RelId>();

  constructor(
    private readonly host: SchemaHost,
    defs: readonly Resolved[],
  ) {
    this.defs = defs.slice();
  }

  definitions(): readonly Resolved[] {
    return this.defs;
  }

  get hasDefinitions(): boolean {
    return this.defs.length > 0;
  }

  // ---- change tracking ---------------------------------------------------------------------

  /** A node changed from `before` to `after` (undefined: did not exist / deleted). */
  nodeChanged(id: NodeId, before: EntityState | undefined, after: EntityState | undefined): void {
    this.changed('node', id, before, after);
  }

  relationshipChanged(id: RelId, before: EntityState | undefined, after: EntityState | undefined): void {
    this.changed('relationship', id, before, after);
  }

  private changed(
    entity: Entity,
    id: number,
    before: EntityState | undefined,
    after: EntityState | undefined,
  ): void {
    for (const def of this.defs) {
      if (def.kind === 'fulltext') {
        if (def.entity === entity)
          this.updateFulltext(def as Resolved<FulltextIndexDefinition>, id, before, after);
        continue;
      }
      const applies = (s: EntityState | undefined): boolean =>
        s !== undefined && s.tokens.includes(def.tokenId);
      if (!applies(before) && !applies(after)) continue;
      if (def.kind === 'vector') {
        if (entity === 'node') this.updateVector(def as Resolved<VectorIndexDefinition>, id, before, after);
        continue;
      }
      if (def.entity !== entity) continue;
      if (after !== undefined) (entity === 'node' ? this.dirtyNodes : this.dirtyRels).add(id);
      if (def.constraintType === 'UNIQUE' || def.constraintType === 'NODE_KEY') {
        const oldKey = applies(before)
          ? this.uniqueKey(def as Resolved<ConstraintDefinition>, before!, id)
          : undefined;
        const newKey = applies(after)
          ? this.uniqueKey(def as Resolved<ConstraintDefinition>, after!, id)
          : undefined;
        if (oldKey !== undefined && (newKey === undefined || !oldKey.equals(newKey)))
          this.host.removeCounted(oldKey, 0);
        if (newKey !== undefined && (oldKey === undefined || !oldKey.equals(newKey)))
          this.host.putNew(newKey, EMPTY);
      }
    }
  }

  private values(def: Resolved, state: EntityState): PropertyValue[] | undefined {
    const out: PropertyValue[] = [];
    for (const k of def.keyIds) {
      const v = state.props.get(k);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private uniquePrefix(def: Resolved, values: readonly PropertyValue[]): ByteWriter {
    const hash = createHash('sha1').update(canonicalTuple(values)).digest().subarray(0, HASH_BYTES);
    return new ByteWriter(48).bytes(this.host.prefix).byte(Tag.UniqueEntry).varint(def.id).bytes(hash);
  }

  private uniqueKey(def: Resolved<ConstraintDefinition>, state: EntityState, id: number): Buffer | undefined {
    const values = this.values(def, state);
    return values === undefined ? undefined : this.uniquePrefix(def, values).ordered(id).copy();
  }

  private updateVector(
    def: Resolved<VectorIndexDefinition>,
    id: NodeId,
    before: EntityState | undefined,
    after: EntityState | undefined,
  ): void {
    const key = def.keyIds[0]!;
    const had = before !== undefined && before.tokens.includes(def.tokenId) && before.props.has(key);
    const oldValue = before?.props.get(key);
    const newValue =
      after !== undefined && after.tokens.includes(def.tokenId) ? after.props.get(key) : undefined;
    if (had && newValue === oldValue) return;
    if (newValue === undefined) {
      if (had) removeVector(this.host, def, id);
      return;
    }
    const v = toVector(
      newValue,
      def.dimensions,
      `Node(${id}) property '${def.property}' in vector index '${def.name}'`,
    );
    putVector(this.host, def, id, v);
  }

  private fulltextValues(
    def: Resolved<FulltextIndexDefinition>,
    s: EntityState | undefined,
  ): (PropertyValue | undefined)[] | undefined {
    if (s === undefined || !s.tokens.some((t) => def.tokenIds!.includes(t))) return undefined;
    return def.keyIds.map((k) => s.props.get(k));
  }

  private updateFulltext(
    def: Resolved<FulltextIndexDefinition>,
    id: number,
    before: EntityState | undefined,
    after: EntityState | undefined,
  ): void {
    const oldValues = this.fulltextValues(def, before);
    const newValues = this.fulltextValues(def, after);
    if (oldValues === undefined && newValues === undefined) return;
    if (oldValues !== undefined && newValues !== undefined && oldValues.every((v, i) => v === newValues[i]))
      return;
    let delta = this.fulltextDeltas.get(def.id);
    if (delta === undefined) this.fulltextDeltas.set(def.id, (delta = emptyDelta()));
    const oldDoc = oldValues === undefined ? undefined : documentOf(def, oldValues);
    if (oldDoc !== undefined) removeDocument(this.host, def, id, oldDoc, delta);
    const newDoc = newValues === undefined ? undefined : documentOf(def, newValues);
    if (newDoc !== undefined) putDocument(this.host, def, id, newDoc, delta);
  }

  /** Pending full-text statistics by definition id (fulltext-index.ts `FulltextDelta`). */
  private readonly fulltextDeltas = new Map<number, FulltextDelta>();

  /** Writes the pending full-text statistics; before a search and before the commit. */
  flushFulltext(): void {
    for (const [id, delta] of this.fulltextDeltas) {
      const def = this.defs.find((d) => d.id === id && d.kind === 'fulltext') as
        FulltextIndexDefinition | undefined;
      if (def !== undefined) flushStatistics(this.host, def, delta);
    }
    this.fulltextDeltas.clear();
  }

  /** Re-trains the lists of a vector index (db.index.vector.rebuild); false if unknown. */
  rebuildVectorIndex(name: string): boolean {
    const def = this.defs.find((d) => d.kind === 'vector' && d.name === name) as
      VectorIndexDefinition | undefined;
    if (def === undefined) return false;
    train(this.host, def);
    return true;
  }

  // ---- validation --------------------------------------------------------------------------

  /**
   * Checks every entity changed since the last call against the constraints; throws
   * CONSTRAINT_VIOLATION naming the first offender.
   */
  validate(): void {
    this.flushFulltext();
    if (this.dirtyNodes.size === 0 && this.dirtyRels.size === 0) return;
    const constraints = this.defs.filter((d): d is Resolved<ConstraintDefinition> => d.kind === 'constraint');
    for (const id of this.dirtyNodes) {
      const s = this.host.nodeState(id);
      if (s !== undefined) this.check('node', id, s, constraints);
    }
    for (const id of this.dirtyRels) {
      const s = this.host.relState(id);
      if (s !== undefined) this.check('relationship', id, s, constraints);
    }
    this.dirtyNodes.clear();
    this.dirtyRels.clear();
  }

  private check(
    entity: Entity,
    id: number,
    state: EntityState,
    constraints: readonly Resolved<ConstraintDefinition>[],
    creating?: string,
  ): void {
    for (const def of constraints) {
      if (def.entity !== entity || !state.tokens.includes(def.tokenId)) continue;
      const fail = (message: string): never => {
        const text =
          creating === undefined ? message : `Unable to create constraint '${creating}': ${message}`;
        throw new NexusError('CONSTRAINT_VIOLATION', text, {
          details: {
            constraint: def.name,
            entity,
            id,
            neo4jCode: 'Neo.ClientError.Schema.ConstraintValidationFailed',
          },
        });
      };
      const what = entity === 'node' ? 'label' : 'type';
      switch (def.constraintType) {
        case 'NOT_NULL':
        case 'NODE_KEY':
          def.keyIds.forEach((k, i) => {
            if (!state.props.has(k)) {
              fail(
                `${describe(entity, id)} with ${what} \`${def.labelOrType}\` must have the property \`${def.properties[i]}\``,
              );
            }
          });
          break;
        case 'PROPERTY_TYPE': {
          const v = state.props.get(def.keyIds[0]!);
          if (v !== undefined && !valueHasType(v, def.propertyTypes ?? [])) {
            fail(
              `${describe(entity, id)} with ${what} \`${def.labelOrType}\` has property \`${def.properties[0]}\` of type ${propertyTypeOf(v)}, it must be of type ${(def.propertyTypes ?? []).join(' | ')}`,
            );
          }
          break;
        }
        case 'UNIQUE':
          break;
      }
      if (def.constraintType === 'UNIQUE' || def.constraintType === 'NODE_KEY') {
        const other = this.duplicateOf(def, entity, id, state);
        if (other !== undefined) {
          const props = def.properties.map(
            (p, i) => `\`${p}\` = ${showValue(state.props.get(def.keyIds[i]!)!)}`,
          );
          fail(
            `${describe(entity, other)} already exists with ${what} \`${def.labelOrType}\` and ${props.length > 1 ? 'properties' : 'property'} ${props.join(', ')} (conflicts with ${describe(entity, id)})`,
          );
        }
      }
    }
  }

  /** Another entity with the same values under a unique constraint, if any. */
  private duplicateOf(
    def: Resolved<ConstraintDefinition>,
    entity: Entity,
    id: number,
    state: EntityState,
  ): number | undefined {
    const values = this.values(def, state);
    if (values === undefined) return undefined;
    const canonical = canonicalTuple(values);
    const start = this.uniquePrefix(def, values).copy();
    for (const key of this.host.data.getKeys(rangeOf(this.host, start))) {
      const other = trailingOrdered(key as Buffer, start.length);
      if (other === id) continue;
      const s = entity === 'node' ? this.host.nodeState(other) : this.host.relState(other);
      if (s === undefined || !s.tokens.includes(def.tokenId)) continue;
      const ov = this.values(def, s);
      if (ov !== undefined && canonicalTuple(ov) === canonical) return other;
    }
    return undefined;
  }

  // ---- definitions -------------------------------------------------------------------------

  private checkName(name: string): void {
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > MAX_NAME_BYTES) {
      throw new NexusError('INVALID_PARAMETER', `Schema names must be 1 to ${MAX_NAME_BYTES} UTF-8 bytes`);
    }
    assertWellFormedName('Schema object', name);
    if (this.defs.some((d) => d.name === name) || this.host.indexes().some((i) => i.name === name)) {
      throw new NexusError('CONFLICT', `An index or constraint named '${name}' already exists`, {
        details: { name },
      });
    }
  }

  private nextId(): number {
    return this.defs.reduce((m, d) => Math.max(m, d.id), 0) + 1;
  }

  private store(def: SchemaDefinition): Resolved {
    this.host.putNew(
      new ByteWriter(64).bytes(this.host.prefix).byte(Tag.SchemaDefinition).utf8(def.name).copy(),
      encodeDefinition(def),
    );
    const resolved = resolve(this.host, def);
    this.defs.push(resolved);
    return resolved;
  }

  createConstraint(spec: ConstraintSpec): ConstraintDefinition {
    const name = spec.name;
    this.checkName(name);
    if (spec.properties.length === 0)
      throw new NexusError('INVALID_PARAMETER', 'A constraint needs at least one property');
    const same = this.defs.find(
      (d) =>
        d.kind === 'constraint' &&
        d.entity === spec.entity &&
        d.constraintType === spec.constraintType &&
        d.labelOrType === spec.labelOrType &&
        d.properties.join('\u0000') === spec.properties.join('\u0000'),
    );
    if (same !== undefined) {
      throw new NexusError('CONFLICT', `An equivalent constraint already exists: '${same.name}'`, {
        details: { name: same.name },
      });
    }
    const tokenKind = spec.entity === 'node' ? CatalogKind.Label : CatalogKind.Type;
    this.host.idFor(tokenKind, spec.labelOrType);
    for (const p of spec.properties) this.host.idFor(CatalogKind.Key, p);
    let ownedIndex: string | undefined;
    const unique = spec.constraintType === 'UNIQUE' || spec.constraintType === 'NODE_KEY';
    if (unique && spec.entity === 'node' && spec.properties.length === 1) {
      // The backing RANGE index: MERGE and MATCH on the key become index seeks.
      const existing = this.host.findIndex(spec.labelOrType, spec.properties[0]!);
      if (existing !== undefined) {
        throw new NexusError(
          'CONFLICT',
          `There already exists an index '${existing.name}' on :${spec.labelOrType}(${spec.properties[0]}); drop it before creating constraint '${name}'`,
          { details: { name: existing.name } },
        );
      }
      this.host.createIndex(spec.labelOrType, spec.properties[0]!, name);
      ownedIndex = name;
    }
    const def: ConstraintDefinition = {
      kind: 'constraint',
      ...spec,
      id: this.nextId(),
      ...(ownedIndex !== undefined ? { ownedIndex } : {}),
    };
    const resolved = this.store(def) as Resolved<ConstraintDefinition>;
    // Populate the unique entries, then check every existing entity (naming an offender).
    const ids = [
      ...(spec.entity === 'node'
        ? this.host.scanNodesByLabel(spec.labelOrType)
        : this.host.scanRelationshipsByType(spec.labelOrType)),
    ];
    const load = (id: number): EntityState | undefined =>
      spec.entity === 'node' ? this.host.nodeState(id) : this.host.relState(id);
    if (unique) {
      for (const id of ids) {
        const key = this.uniqueKey(resolved, load(id)!, id);
        if (key !== undefined) this.host.putNew(key, EMPTY);
      }
    }
    for (const id of ids) this.check(spec.entity, id, load(id)!, [resolved], name);
    return def;
  }

  createVectorIndex(spec: VectorIndexSpec): VectorIndexDefinition {
    this.checkName(spec.name);
    if (
      !Number.isInteger(spec.dimensions) ||
      spec.dimensions < 1 ||
      spec.dimensions > MAX_VECTOR_DIMENSIONS
    ) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `vector.dimensions must be an integer from 1 to ${MAX_VECTOR_DIMENSIONS}`,
      );
    }
    if (spec.similarity !== 'cosine' && spec.similarity !== 'euclidean') {
      throw new NexusError('INVALID_PARAMETER', `vector.similarity_function must be 'cosine' or 'euclidean'`);
    }
    const same = this.defs.find(
      (d) => d.kind === 'vector' && d.label === spec.label && d.property === spec.property,
    );
    if (same !== undefined) {
      throw new NexusError(
        'CONFLICT',
        `A vector index on :${spec.label}(${spec.property}) already exists: '${same.name}'`,
        {
          details: { name: same.name },
        },
      );
    }
    this.host.idFor(CatalogKind.Label, spec.label);
    this.host.idFor(CatalogKind.Key, spec.property);
    const def: VectorIndexDefinition = { kind: 'vector', ...spec, id: this.nextId() };
    const resolved = this.store(def) as Resolved<VectorIndexDefinition>;
    for (const id of [...this.host.scanNodesByLabel(spec.label)]) {
      this.updateVector(resolved, id, undefined, this.host.nodeState(id));
    }
    return def;
  }

  createFulltextIndex(spec: FulltextIndexSpec): FulltextIndexDefinition {
    this.checkName(spec.name);
    if (!FULLTEXT_ANALYZERS.includes(spec.analyzer)) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `fulltext.analyzer must be one of ${FULLTEXT_ANALYZERS.map((a) => `'${a}'`).join(', ')}`,
      );
    }
    if (spec.labelsOrTypes.length === 0 || spec.properties.length === 0) {
      throw new NexusError(
        'INVALID_PARAMETER',
        'A full-text index needs at least one label or type and one property',
      );
    }
    const kind = spec.entity === 'node' ? CatalogKind.Label : CatalogKind.Type;
    for (const t of spec.labelsOrTypes) this.host.idFor(kind, t);
    for (const p of spec.properties) this.host.idFor(CatalogKind.Key, p);
    const def: FulltextIndexDefinition = { kind: 'fulltext', ...spec, id: this.nextId() };
    const resolved = this.store(def) as Resolved<FulltextIndexDefinition>;
    const seen = new Set<number>();
    for (const t of spec.labelsOrTypes) {
      const ids =
        spec.entity === 'node' ? this.host.scanNodesByLabel(t) : this.host.scanRelationshipsByType(t);
      for (const id of [...ids]) {
        if (seen.has(id)) continue;
        seen.add(id);
        const state = spec.entity === 'node' ? this.host.nodeState(id) : this.host.relState(id);
        this.updateFulltext(resolved, id, undefined, state);
      }
    }
    return def;
  }

  /** Drops a constraint or vector index by name; false when none has that name. */
  drop(name: string, kind: 'constraint' | 'index'): boolean {
    const at = this.defs.findIndex(
      (d) => d.name === name && (kind === 'constraint' ? d.kind === 'constraint' : d.kind !== 'constraint'),
    );
    if (at < 0) return false;
    const def = this.defs[at]!;
    this.defs.splice(at, 1);
    const defKey = new ByteWriter(64).bytes(this.host.prefix).byte(Tag.SchemaDefinition).utf8(name).copy();
    this.host.removeCounted(defKey, this.host.data.getBinary(defKey)?.length ?? 0);
    if (def.kind === 'vector') {
      dropVectors(this.host, def);
      return true;
    }
    if (def.kind === 'fulltext') {
      this.fulltextDeltas.delete(def.id);
      dropFulltext(this.host, def);
      return true;
    }
    const start = new ByteWriter(16).bytes(this.host.prefix).byte(Tag.UniqueEntry).varint(def.id).copy();
    const entries: [Buffer, number][] = [];
    for (const { key, value } of this.host.data.getRange(rangeOf(this.host, start))) {
      entries.push([Buffer.from(key as Buffer), (value as Buffer).length]);
    }
    for (const [k, len] of entries) this.host.removeCounted(k, len);
    if (def.kind === 'constraint' && def.ownedIndex !== undefined) this.host.dropIndex(def.ownedIndex);
    return true;
  }

  /** The constraint owning a RANGE index, if any (such an index is dropped with it). */
  ownerOfIndex(indexName: string): string | undefined {
    return this.defs.find((d) => d.kind === 'constraint' && d.ownedIndex === indexName)?.name;
  }
}

/** The stored form of a resolved definition (without the resolved ids). */
export function stripResolved(def: Resolved): SchemaDefinition {
  const { tokenId: _t, keyIds: _k, tokenIds: _ts, ...rest } = def;
  return rest as SchemaDefinition;
}
