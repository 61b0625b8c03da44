/**
 * Write access to one namespace inside the current LMDB write transaction. Counters
 * (node / relationship counts, byte total, id allocators, per-name usage counts) are
 * kept in memory for the transaction and written once in `finish()`; every put and
 * remove of a counted entry adjusts the byte total by its exact key + value length.
 * New catalog ids stay private to this transaction until the store publishes them after
 * the commit, so a rollback never leaves a stale id in the shared cache.
 */
import { NexusError } from '../errors.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { isIndexable, writeIndexValue } from './index-value-codec.js';
import { CatalogKind, DIR_IN, DIR_OUT, MAX_NAME_BYTES, MetaKey, Tag, prefixEnd } from './key-layout.js';
import {
  NamespaceReader,
  isValidId,
  keyScratch,
  type DataDb,
  type ResolvedIndex,
} from './namespace-reader.js';
import {
  COUNTERS_SIZE,
  decodeCounters,
  encodeCounters,
  type NamespaceCounters,
  type NamespaceState,
} from './namespace-state.js';
import {
  assertPropertyValue,
  assertWellFormedName,
  readPropertiesById,
  writeProperties,
} from './property-codec.js';
import type {
  ConstraintDefinition,
  ConstraintSpec,
  FulltextIndexDefinition,
  FulltextIndexSpec,
  VectorIndexDefinition,
  VectorIndexSpec,
} from './schema-definitions.js';
import type { FulltextHit } from './fulltext-index.js';
import { SchemaMaintainer, type EntityState, type Resolved, type SchemaHost } from './schema-store.js';
import type { GraphWriter, IndexDefinition, NodeId, PropertyMap, PropertyValue, RelId } from './types.js';

const EMPTY = Buffer.alloc(0);
export { MAX_NAME_BYTES };
/** Scratch buffer for values (keys use `keyScratch`). */
const valueScratch = new ByteWriter(4096);

interface LoadedNode {
  labelIds: number[];
  props: Map<number, PropertyValue>;
  valueLength: number;
}

interface LoadedRel {
  typeId: number;
  start: NodeId;
  end: NodeId;
  props: Map<number, PropertyValue>;
  valueLength: number;
}

/** What a catalog name is called in error messages. */
const CATALOG_WHAT: Record<CatalogKind, string> = {
  [CatalogKind.Label]: 'Label',
  [CatalogKind.Type]: 'Relationship type',
  [CatalogKind.Key]: 'Property',
};

function usageKey(kind: CatalogKind, id: number): number {
  return id * 4 + (kind === CatalogKind.Label ? 0 : kind === CatalogKind.Type ? 1 : 2);
}

function kindOfUsageKey(k: number): CatalogKind {
  const r = k % 4;
  return r === 0 ? CatalogKind.Label : r === 1 ? CatalogKind.Type : CatalogKind.Key;
}

export class NamespaceWriter extends NamespaceReader implements GraphWriter {
  readonly counters: NamespaceCounters;
  readonly startBytes: number;
  /** Catalog entries created in this transaction, published after commit. */
  readonly pending = {
    [CatalogKind.Label]: new Map<string, number>(),
    [CatalogKind.Type]: new Map<string, number>(),
    [CatalogKind.Key]: new Map<string, number>(),
  } as Record<CatalogKind, Map<string, number>>;
  private readonly pendingNames = new Map<number, string>();
  /** Absolute usage counts touched in this transaction (usageKey → count). */
  private readonly usageOverlay = new Map<number, number>();
  private defs: ResolvedIndex[] | undefined;
  /** An index was created or dropped: the index-definition version is bumped in finish(). */
  private indexesChanged = false;
  /** Constraints and vector indexes of this transaction (made on first write). */
  private schemaKeeper: SchemaMaintainer | undefined;

  constructor(data: DataDb, state: NamespaceState, prefix: Buffer) {
    super(data, state, undefined, prefix);
    this.counters = decodeCounters(this.getFast(this.key(Tag.Meta).byte(MetaKey.Stats).view()));
    this.startBytes = this.counters.bytes;
  }

  // ---- catalog -------------------------------------------------------------------------

  protected override pendingId(kind: CatalogKind, name: string): number | undefined {
    return this.pending[kind].get(name);
  }

  protected override pendingName(kind: CatalogKind, id: number): string | undefined {
    return this.pendingNames.get(usageKey(kind, id));
  }

  /** Id of a catalog name, allocating (and writing) a new one if needed. */
  private idFor(kind: CatalogKind, name: string): number {
    // Before the lookup: a lone surrogate encodes like U+FFFD and would find that name's id.
    if (typeof name === 'string') assertWellFormedName(CATALOG_WHAT[kind], name);
    const existing = this.lookupId(kind, name);
    if (existing !== undefined) return existing;
    if (typeof name !== 'string' || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `Names must be strings of at most ${MAX_NAME_BYTES} UTF-8 bytes`,
      );
    }
    const c = this.counters;
    const id =
      kind === CatalogKind.Label ? c.nextLabel++ : kind === CatalogKind.Type ? c.nextType++ : c.nextKey++;
    const idBytes = valueScratch.reset().varint(id).copy();
    this.putNew(this.key(Tag.CatalogByName).byte(kind).utf8(name).view(), idBytes);
    this.putNew(this.key(Tag.CatalogById).byte(kind).varint(id).view(), Buffer.from(name, 'utf8'));
    this.pending[kind].set(name, id);
    this.pendingNames.set(usageKey(kind, id), name);
    return id;
  }

  protected override usage(kind: CatalogKind, id: number): number {
    return this.usageOverlay.get(usageKey(kind, id)) ?? super.usage(kind, id);
  }

  private addUsage(kind: CatalogKind, id: number, delta: number): void {
    this.usageOverlay.set(usageKey(kind, id), this.usage(kind, id) + delta);
  }

  // ---- counted puts and removes ----------------------------------------------------------

  private putNew(key: Buffer, value: Buffer): void {
    this.data.putSync(key, value);
    this.counters.bytes += key.length + value.length;
  }

  private putReplace(key: Buffer, value: Buffer, oldValueLength: number): void {
    this.data.putSync(key, value);
    this.counters.bytes += value.length - oldValueLength;
  }

  private removeCounted(key: Buffer, valueLength: number): void {
    this.data.removeSync(key);
    this.counters.bytes -= key.length + valueLength;
  }

  // ---- input validation ------------------------------------------------------------------

  private static checkProps(properties: PropertyMap): void {
    for (const [k, v] of properties) {
      if (v === null || v === undefined) continue;
      assertPropertyValue(k, v);
    }
  }

  private static checkNames(what: string, names: readonly string[]): void {
    for (const n of names) {
      if (typeof n !== 'string' || n.length === 0) {
        throw new NexusError('INVALID_PARAMETER', `${what} names must be non-empty strings`);
      }
    }
  }

  private propsById(properties: PropertyMap): Map<number, PropertyValue> {
    const out = new Map<number, PropertyValue>();
    for (const [k, v] of properties) {
      if (v === null || v === undefined) continue;
      out.set(this.idFor(CatalogKind.Key, k), v);
    }
    return out;
  }

  // ---- nodes ---------------------------------------------------------------------------

  private nodeKey(id: NodeId): Buffer {
    return this.key(Tag.Node).ordered(id).view();
  }

  private loadNode(id: NodeId): LoadedNode {
    const buf = isValidId(id) ? this.getFast(this.nodeKey(id)) : undefined;
    if (buf === undefined)
      throw new NexusError('NOT_FOUND', `Node ${id} does not exist`, { details: { id } });
    const r = new ByteReader(buf);
    const n = r.varint();
    const labelIds = new Array<number>(n);
    for (let i = 0; i < n; i++) labelIds[i] = r.varint();
    const props = readPropertiesById(r);
    return { labelIds, props, valueLength: buf.length };
  }

  private encodeNode(labelIds: readonly number[], props: ReadonlyMap<number, PropertyValue>): Buffer {
    const w = valueScratch.reset().varint(labelIds.length);
    for (const l of labelIds) w.varint(l);
    writeProperties(w, props);
    return w.view();
  }

  private writeNode(id: NodeId, node: LoadedNode): void {
    this.putReplace(this.nodeKey(id), this.encodeNode(node.labelIds, node.props), node.valueLength);
  }

  createNode(labels: readonly string[], properties: PropertyMap): NodeId {
    const id = Math.max(this.counters.nextNode, this.state.nodeFloor);
    this.insertNode(id, labels, properties);
    return id;
  }

  createNodeWithId(id: NodeId, labels: readonly string[], properties: PropertyMap): void {
    if (!isValidId(id) || this.getFast(this.nodeKey(id)) !== undefined) {
      throw new NexusError('CONFLICT', `Node id ${id} is already in use`, { details: { id } });
    }
    this.insertNode(id, labels, properties);
  }

  private insertNode(id: NodeId, labels: readonly string[], properties: PropertyMap): void {
    NamespaceWriter.checkNames('Label', labels);
    NamespaceWriter.checkProps(properties);
    const labelIds: number[] = [];
    for (const l of labels) {
      const id = this.idFor(CatalogKind.Label, l);
      if (!labelIds.includes(id)) labelIds.push(id);
    }
    const props = this.propsById(properties);
    this.counters.nextNode = Math.max(this.counters.nextNode, id + 1);
    this.putNew(this.nodeKey(id), this.encodeNode(labelIds, props));
    for (const l of labelIds) {
      this.putNew(this.key(Tag.LabelIndex).varint(l).ordered(id).view(), EMPTY);
      this.addUsage(CatalogKind.Label, l, 1);
    }
    for (const k of props.keys()) this.addUsage(CatalogKind.Key, k, 1);
    if (this.indexDefs().length > 0) this.updateIndexEntries(id, [], new Map(), labelIds, props);
    this.schemaNode(id, undefined, labelIds, props);
    this.counters.nodes++;
  }

  setNodeProperty(id: NodeId, key: string, value: PropertyValue | null): void {
    if (value !== null) assertPropertyValue(key, value);
    const node = this.loadNode(id);
    this.applyProperty(node.props, key, value, (oldProps) => this.afterNodePropsChange(id, node, oldProps));
  }

  replaceNodeProperties(id: NodeId, properties: PropertyMap): void {
    NamespaceWriter.checkProps(properties);
    const node = this.loadNode(id);
    const oldProps = new Map(node.props);
    node.props = this.replaceProps(node.props, properties);
    this.afterNodePropsChange(id, node, oldProps);
  }

  private afterNodePropsChange(id: NodeId, node: LoadedNode, oldProps: Map<number, PropertyValue>): void {
    this.writeNode(id, node);
    this.updateIndexEntries(id, node.labelIds, oldProps, node.labelIds, node.props);
    this.schemaNode(id, { tokens: node.labelIds, props: oldProps }, node.labelIds, node.props);
  }

  /** Sets or removes one property in `props`, keeping usage counts; calls `commit` if changed. */
  private applyProperty(
    props: Map<number, PropertyValue>,
    key: string,
    value: PropertyValue | null,
    commit: (oldProps: Map<number, PropertyValue>) => void,
  ): void {
    if (value === null || value === undefined) {
      const keyId = this.lookupId(CatalogKind.Key, key);
      if (keyId === undefined || !props.has(keyId)) return;
      const oldProps = new Map(props);
      props.delete(keyId);
      this.addUsage(CatalogKind.Key, keyId, -1);
      commit(oldProps);
      return;
    }
    const keyId = this.idFor(CatalogKind.Key, key);
    const oldProps = new Map(props);
    if (!props.has(keyId)) this.addUsage(CatalogKind.Key, keyId, 1);
    props.set(keyId, value);
    commit(oldProps);
  }

  /** The new property map for a full replacement, with usage counts adjusted. */
  private replaceProps(old: Map<number, PropertyValue>, properties: PropertyMap): Map<number, PropertyValue> {
    const next = this.propsById(properties);
    for (const k of old.keys()) if (!next.has(k)) this.addUsage(CatalogKind.Key, k, -1);
    for (const k of next.keys()) if (!old.has(k)) this.addUsage(CatalogKind.Key, k, 1);
    return next;
  }

  addNodeLabels(id: NodeId, labels: readonly string[]): void {
    NamespaceWriter.checkNames('Label', labels);
    const node = this.loadNode(id);
    const before = node.labelIds.slice();
    for (const l of labels) {
      const labelId = this.idFor(CatalogKind.Label, l);
      if (node.labelIds.includes(labelId)) continue;
      node.labelIds.push(labelId);
      this.putNew(this.key(Tag.LabelIndex).varint(labelId).ordered(id).view(), EMPTY);
      this.addUsage(CatalogKind.Label, labelId, 1);
    }
    if (node.labelIds.length === before.length) return;
    this.writeNode(id, node);
    this.updateIndexEntries(id, before, node.props, node.labelIds, node.props);
    this.schemaNode(id, { tokens: before, props: node.props }, node.labelIds, node.props);
  }

  removeNodeLabels(id: NodeId, labels: readonly string[]): void {
    const node = this.loadNode(id);
    const before = node.labelIds.slice();
    for (const l of labels) {
      const labelId = this.lookupId(CatalogKind.Label, l);
      const at = labelId === undefined ? -1 : node.labelIds.indexOf(labelId);
      if (at < 0) continue;
      node.labelIds.splice(at, 1);
      this.removeCounted(this.key(Tag.LabelIndex).varint(labelId!).ordered(id).view(), 0);
      this.addUsage(CatalogKind.Label, labelId!, -1);
    }
    if (node.labelIds.length === before.length) return;
    this.writeNode(id, node);
    this.updateIndexEntries(id, before, node.props, node.labelIds, node.props);
    this.schemaNode(id, { tokens: before, props: node.props }, node.labelIds, node.props);
  }

  deleteNode(id: NodeId): void {
    const node = this.loadNode(id);
    if (this.hasRelationships(id)) {
      throw new NexusError('CONSTRAINT_VIOLATION', `Node ${id} still has relationships; delete them first`, {
        details: { id },
      });
    }
    this.updateIndexEntries(id, node.labelIds, node.props, [], new Map());
    this.schemaNode(id, { tokens: node.labelIds, props: node.props }, undefined, undefined);
    for (const l of node.labelIds) {
      this.removeCounted(this.key(Tag.LabelIndex).varint(l).ordered(id).view(), 0);
      this.addUsage(CatalogKind.Label, l, -1);
    }
    for (const k of node.props.keys()) this.addUsage(CatalogKind.Key, k, -1);
    this.removeCounted(this.nodeKey(id), node.valueLength);
    this.counters.nodes--;
  }

  // ---- relationships ---------------------------------------------------------------------

  private relKey(id: RelId): Buffer {
    return this.key(Tag.Relationship).ordered(id).view();
  }

  private loadRel(id: RelId): LoadedRel {
    const buf = isValidId(id) ? this.getFast(this.relKey(id)) : undefined;
    if (buf === undefined) {
      throw new NexusError('NOT_FOUND', `Relationship ${id} does not exist`, { details: { id } });
    }
    const r = new ByteReader(buf);
    const typeId = r.varint();
    const start = r.varint();
    const end = r.varint();
    return { typeId, start, end, props: readPropertiesById(r), valueLength: buf.length };
  }

  private encodeRel(rel: Omit<LoadedRel, 'valueLength'>): Buffer {
    const w = valueScratch.reset().varint(rel.typeId).varint(rel.start).varint(rel.end);
    writeProperties(w, rel.props);
    return w.view();
  }

  private adjacencyKey(node: NodeId, dir: number, typeId: number, rel: RelId): Buffer {
    return this.key(Tag.Adjacency).ordered(node).byte(dir).varint(typeId).ordered(rel).view();
  }

  private requireNode(id: NodeId): void {
    if (!isValidId(id) || this.getFast(this.nodeKey(id)) === undefined) {
      throw new NexusError('NOT_FOUND', `Node ${id} does not exist`, { details: { id } });
    }
  }

  createRelationship(type: string, start: NodeId, end: NodeId, properties: PropertyMap): RelId {
    const id = Math.max(this.counters.nextRel, this.state.relFloor);
    this.insertRelationship(id, type, start, end, properties);
    return id;
  }

  createRelationshipWithId(
    id: RelId,
    type: string,
    start: NodeId,
    end: NodeId,
    properties: PropertyMap,
  ): void {
    if (!isValidId(id) || this.getFast(this.relKey(id)) !== undefined) {
      throw new NexusError('CONFLICT', `Relationship id ${id} is already in use`, { details: { id } });
    }
    this.insertRelationship(id, type, start, end, properties);
  }

  private insertRelationship(
    id: RelId,
    type: string,
    start: NodeId,
    end: NodeId,
    properties: PropertyMap,
  ): void {
    NamespaceWriter.checkNames('Relationship type', [type]);
    NamespaceWriter.checkProps(properties);
    this.requireNode(start);
    this.requireNode(end);
    const typeId = this.idFor(CatalogKind.Type, type);
    const props = this.propsById(properties);
    this.counters.nextRel = Math.max(this.counters.nextRel, id + 1);
    this.putNew(this.relKey(id), this.encodeRel({ typeId, start, end, props }));
    this.putNew(this.adjacencyKey(start, DIR_OUT, typeId, id), valueScratch.reset().varint(end).view());
    this.putNew(this.adjacencyKey(end, DIR_IN, typeId, id), valueScratch.reset().varint(start).view());
    this.putNew(this.key(Tag.TypeIndex).varint(typeId).ordered(id).view(), EMPTY);
    this.schemaRel(id, undefined, { tokens: [typeId], props });
    this.addUsage(CatalogKind.Type, typeId, 1);
    for (const k of props.keys()) this.addUsage(CatalogKind.Key, k, 1);
    this.counters.relationships++;
  }

  setRelationshipProperty(id: RelId, key: string, value: PropertyValue | null): void {
    if (value !== null) assertPropertyValue(key, value);
    const rel = this.loadRel(id);
    this.applyProperty(rel.props, key, value, (oldProps) => {
      this.putReplace(this.relKey(id), this.encodeRel(rel), rel.valueLength);
      this.schemaRel(
        id,
        { tokens: [rel.typeId], props: oldProps },
        { tokens: [rel.typeId], props: rel.props },
      );
    });
  }

  replaceRelationshipProperties(id: RelId, properties: PropertyMap): void {
    NamespaceWriter.checkProps(properties);
    const rel = this.loadRel(id);
    const oldProps = rel.props;
    rel.props = this.replaceProps(rel.props, properties);
    this.putReplace(this.relKey(id), this.encodeRel(rel), rel.valueLength);
    this.schemaRel(id, { tokens: [rel.typeId], props: oldProps }, { tokens: [rel.typeId], props: rel.props });
  }

  deleteRelationship(id: RelId): void {
    const rel = this.loadRel(id);
    this.removeCounted(this.adjacencyKey(rel.start, DIR_OUT, rel.typeId, id), varintLength(rel.end));
    this.removeCounted(this.adjacencyKey(rel.end, DIR_IN, rel.typeId, id), varintLength(rel.start));
    this.removeCounted(this.key(Tag.TypeIndex).varint(rel.typeId).ordered(id).view(), 0);
    this.schemaRel(id, { tokens: [rel.typeId], props: rel.props }, undefined);
    this.addUsage(CatalogKind.Type, rel.typeId, -1);
    for (const k of rel.props.keys()) this.addUsage(CatalogKind.Key, k, -1);
    this.removeCounted(this.relKey(id), rel.valueLength);
    this.counters.relationships--;
  }

  // ---- property indexes ------------------------------------------------------------------

  protected override indexDefs(): readonly ResolvedIndex[] {
    // Loaded once per transaction; createIndex / dropIndex keep the copy current.
    this.defs ??= super.indexDefs().slice();
    return this.defs;
  }

  private indexEntryKey(def: ResolvedIndex, value: PropertyValue, node: NodeId): Buffer | undefined {
    if (!isIndexable(value)) return undefined;
    const w = keyScratch
      .reset()
      .bytes(this.prefix!)
      .byte(Tag.IndexEntry)
      .varint(def.labelId)
      .varint(def.keyId);
    writeIndexValue(w, value);
    return w.ordered(node).copy();
  }

  private indexKeys(
    node: NodeId,
    labelIds: readonly number[],
    props: ReadonlyMap<number, PropertyValue>,
  ): Buffer[] {
    const out: Buffer[] = [];
    for (const def of this.indexDefs()) {
      if (!labelIds.includes(def.labelId)) continue;
      const v = props.get(def.keyId);
      if (v === undefined) continue;
      const k = this.indexEntryKey(def, v, node);
      if (k !== undefined) out.push(k);
    }
    return out;
  }

  /** Brings the node's property-index entries from the old to the new state. */
  private updateIndexEntries(
    node: NodeId,
    oldLabels: readonly number[],
    oldProps: ReadonlyMap<number, PropertyValue>,
    newLabels: readonly number[],
    newProps: ReadonlyMap<number, PropertyValue>,
  ): void {
    if (this.indexDefs().length === 0) return;
    const before = this.indexKeys(node, oldLabels, oldProps);
    const after = this.indexKeys(node, newLabels, newProps);
    for (const k of before) if (!after.some((a) => a.equals(k))) this.removeCounted(k, 0);
    for (const k of after) if (!before.some((b) => b.equals(k))) this.putNew(k, EMPTY);
  }

  createIndex(label: string, property: string, name?: string): IndexDefinition {
    NamespaceWriter.checkNames('Label', [label]);
    NamespaceWriter.checkNames('Property', [property]);
    const indexName = name ?? `index_${label}_${property}`;
    if (
      typeof indexName !== 'string' ||
      indexName.length === 0 ||
      Buffer.byteLength(indexName) > MAX_NAME_BYTES
    ) {
      throw new NexusError('INVALID_PARAMETER', `Index names must be 1 to ${MAX_NAME_BYTES} UTF-8 bytes`);
    }
    assertWellFormedName('Index', indexName);
    const defs = this.indexDefs();
    if (defs.some((d) => d.label === label && d.property === property)) {
      throw new NexusError('CONFLICT', `An index on :${label}(${property}) already exists`, {
        details: { label, property },
      });
    }
    if (
      defs.some((d) => d.name === indexName) ||
      this.schema()
        .definitions()
        .some((d) => d.name === indexName)
    ) {
      throw new NexusError('CONFLICT', `An index named '${indexName}' already exists`, {
        details: { name: indexName },
      });
    }
    const labelId = this.idFor(CatalogKind.Label, label);
    const keyId = this.idFor(CatalogKind.Key, property);
    this.putNew(
      this.key(Tag.IndexDefinition).utf8(indexName).copy(),
      valueScratch.reset().varint(labelId).varint(keyId).view(),
    );
    const def: ResolvedIndex = { name: indexName, label, property, labelId, keyId };
    this.defs!.push(def);
    this.indexesChanged = true;
    // Collect first: writing while a cursor walks the same transaction is avoided.
    const nodes = [...this.scanNodesByLabel(label)];
    for (const id of nodes) {
      const v = this.loadNode(id).props.get(keyId);
      if (v === undefined) continue;
      const k = this.indexEntryKey(def, v, id);
      if (k !== undefined) this.putNew(k, EMPTY);
    }
    return { name: indexName, label, property };
  }

  dropIndex(name: string): boolean {
    const keeper = this.schema();
    if (keeper.drop(name, 'index')) {
      this.indexesChanged = true;
      return true;
    }
    const owner = this.dropIndexOwner ?? keeper.ownerOfIndex(name);
    if (owner !== undefined && owner !== this.dropIndexOwner) {
      throw new NexusError(
        'CONFLICT',
        `Index '${name}' belongs to constraint '${owner}'; drop the constraint instead`,
        { details: { name, constraint: owner } },
      );
    }
    const defs = this.indexDefs();
    const at = defs.findIndex((d) => d.name === name);
    if (at < 0) return false;
    const def = defs[at]!;
    this.defs!.splice(at, 1);
    this.indexesChanged = true;
    const defKey = this.key(Tag.IndexDefinition).utf8(name).copy();
    const defValue = this.gets.getBinary(defKey)!;
    this.removeCounted(defKey, defValue.length);
    const start = keyScratch
      .reset()
      .bytes(this.prefix!)
      .byte(Tag.IndexEntry)
      .varint(def.labelId)
      .varint(def.keyId)
      .copy();
    const keys = [...this.data.getKeys({ start, end: prefixEnd(start) })] as Buffer[];
    for (const k of keys) this.removeCounted(Buffer.from(k), 0);
    return true;
  }

  // ---- constraints and vector indexes (schema-store.ts) ----------------------------------

  /** Set while a constraint drops the RANGE index it owns. */
  private dropIndexOwner: string | undefined;

  private schema(): SchemaMaintainer {
    if (this.schemaKeeper === undefined) {
      const host: SchemaHost = {
        data: this.data,
        prefix: this.prefix!,
        lookupId: (kind, name) => this.lookupId(kind, name),
        putNew: (key, value) => this.putNew(key, value),
        removeCounted: (key, len) => this.removeCounted(key, len),
        idFor: (kind, name) => this.idFor(kind, name),
        nodeState: (id) => this.entityState(this.nodeKey(id), false),
        relState: (id) => this.entityState(this.relKey(id), true),
        scanNodesByLabel: (label) => this.scanNodesByLabel(label),
        scanRelationshipsByType: (type) => this.scanRelationshipsByType(type),
        indexes: () => this.indexes(),
        findIndex: (label, property) => this.findIndex(label, property),
        createIndex: (label, property, name) => this.createIndex(label, property, name),
        dropIndex: (name) => {
          this.dropIndexOwner = name;
          try {
            return this.dropIndex(name);
          } finally {
            this.dropIndexOwner = undefined;
          }
        },
      };
      this.schemaKeeper = new SchemaMaintainer(host, super.schemaDefs());
    }
    return this.schemaKeeper;
  }

  protected override schemaDefs(): readonly Resolved[] {
    return this.schema().definitions();
  }

  private entityState(key: Buffer, rel: boolean): EntityState | undefined {
    const buf = this.getFast(key);
    if (buf === undefined) return undefined;
    const r = new ByteReader(buf);
    if (rel) {
      const typeId = r.varint();
      r.varint();
      r.varint();
      return { tokens: [typeId], props: readPropertiesById(r) };
    }
    const n = r.varint();
    const tokens = new Array<number>(n);
    for (let i = 0; i < n; i++) tokens[i] = r.varint();
    return { tokens, props: readPropertiesById(r) };
  }

  private schemaNode(
    id: NodeId,
    before: EntityState | undefined,
    labels: readonly number[] | undefined,
    props: ReadonlyMap<number, PropertyValue> | undefined,
  ): void {
    const keeper = this.schema();
    if (!keeper.hasDefinitions) return;
    keeper.nodeChanged(
      id,
      before,
      labels === undefined ? undefined : { tokens: labels.slice(), props: new Map(props) },
    );
  }

  private schemaRel(id: RelId, before: EntityState | undefined, after: EntityState | undefined): void {
    const keeper = this.schema();
    if (keeper.hasDefinitions) keeper.relationshipChanged(id, before, after);
  }

  /**
   * Checks the entities changed since the last check against the constraints; throws
   * CONSTRAINT_VIOLATION. `finish()` calls it; a multi-statement transaction may call it
   * after each statement.
   */
  checkConstraints(): void {
    this.schemaKeeper?.validate();
  }

  createConstraint(spec: ConstraintSpec): ConstraintDefinition {
    const def = this.schema().createConstraint(spec);
    this.indexesChanged = true;
    return def;
  }

  dropConstraint(name: string): boolean {
    const dropped = this.schema().drop(name, 'constraint');
    if (dropped) this.indexesChanged = true;
    return dropped;
  }

  createVectorIndex(spec: VectorIndexSpec): VectorIndexDefinition {
    const def = this.schema().createVectorIndex(spec);
    this.indexesChanged = true;
    return def;
  }

  createFulltextIndex(spec: FulltextIndexSpec): FulltextIndexDefinition {
    const def = this.schema().createFulltextIndex(spec);
    this.indexesChanged = true;
    return def;
  }

  override fulltextSearch(
    name: string,
    entity: 'node' | 'relationship',
    query: string,
    options?: { skip?: number; limit?: number },
  ): FulltextHit[] {
    this.schemaKeeper?.flushFulltext();
    return super.fulltextSearch(name, entity, query, options);
  }

  rebuildVectorIndex(name: string): boolean {
    return this.schema().rebuildVectorIndex(name);
  }

  // ---- stats and commit ------------------------------------------------------------------

  override stats(): { nodes: number; relationships: number; bytes: number } {
    const c = this.counters;
    return { nodes: c.nodes, relationships: c.relationships, bytes: c.bytes };
  }

  /**
   * Writes the counters and usage counts (uncounted bookkeeping entries) and enforces
   * the quota. Called at the end of the transaction, before the commit.
   */
  finish(maxBytes: number | undefined): void {
    this.checkConstraints();
    const c = this.counters;
    if (maxBytes !== undefined && c.bytes > maxBytes && c.bytes > this.startBytes) {
      throw new NexusError(
        'STORAGE_QUOTA_EXCEEDED',
        `The write would use ${c.bytes} bytes, over the quota of ${maxBytes} bytes`,
        { details: { bytes: c.bytes, maxBytes, before: this.startBytes } },
      );
    }
    for (const [k, count] of this.usageOverlay) {
      const kind = kindOfUsageKey(k);
      const id = Math.floor(k / 4);
      const key = this.key(Tag.Meta).byte(MetaKey.Usage).byte(kind).varint(id).view();
      if (count > 0) {
        const v = Buffer.allocUnsafe(8);
        v.writeDoubleBE(count, 0);
        this.data.putSync(key, v);
      } else {
        this.data.removeSync(key);
      }
    }
    if (this.indexesChanged) {
      // Readers reuse parsed definitions per version (see NamespaceReader.indexDefs).
      const versionKey = this.key(Tag.Meta).byte(MetaKey.IndexVersion).copy();
      const old = this.gets.getBinary(versionKey);
      const v = Buffer.allocUnsafe(8);
      v.writeDoubleBE((old === undefined ? 0 : old.readDoubleBE(0)) + 1, 0);
      this.data.putSync(versionKey, v);
    }
    const stats = Buffer.allocUnsafe(COUNTERS_SIZE);
    encodeCounters(c, stats);
    this.data.putSync(this.key(Tag.Meta).byte(MetaKey.Stats).view(), stats);
  }

  /** Catalog entries to publish to the shared cache after the commit. */
  publish(): void {
    for (const kind of [CatalogKind.Label, CatalogKind.Type, CatalogKind.Key]) {
      const cache = this.state.catalog(kind);
      for (const [name, id] of this.pending[kind]) cache.set(name, id);
    }
  }
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}
