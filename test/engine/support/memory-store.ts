/**
 * A small in-memory implementation of the storage contract for engine unit tests:
 * copy-on-write snapshots give the same all-or-nothing write and snapshot-read
 * behaviour as the LMDB store, so planner/executor tests do not depend on disk.
 */
import { NexusError } from '../../../src/errors.js';
import type {
  AdjacencyEntry,
  Direction,
  GraphWriter,
  IndexDefinition,
  NamespaceHandle,
  NamespaceStats,
  NodeRecord,
  PropertyMap,
  PropertyScalar,
  PropertyValue,
  RangeBound,
  ReadTransaction,
  RelationshipRecord,
} from '../../../src/storage/types.js';

interface State {
  nodes: Map<number, NodeRecord>;
  rels: Map<number, RelationshipRecord>;
  indexes: IndexDefinition[];
  nextNode: number;
  nextRel: number;
}

function clone(s: State): State {
  return {
    nodes: new Map(s.nodes),
    rels: new Map(s.rels),
    indexes: [...s.indexes],
    nextNode: s.nextNode,
    nextRel: s.nextRel,
  };
}

function cmp(a: PropertyScalar, b: PropertyScalar): number | undefined {
  const na = typeof a === 'bigint' || typeof a === 'number';
  const nb = typeof b === 'bigint' || typeof b === 'number';
  if (na && nb) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

class Tx implements GraphWriter, ReadTransaction {
  constructor(public s: State) {}
  close(): void {}
  getNode(id: number) {
    return this.s.nodes.get(id);
  }
  getRelationship(id: number) {
    return this.s.rels.get(id);
  }
  scanNodes() {
    return [...this.s.nodes.keys()].sort((a, b) => a - b);
  }
  scanNodesByLabel(label: string) {
    return this.scanNodes().filter((id) => this.s.nodes.get(id)!.labels.includes(label));
  }
  scanRelationships() {
    return [...this.s.rels.keys()].sort((a, b) => a - b);
  }
  expand(node: number, direction: Direction, types?: readonly string[]): AdjacencyEntry[] {
    const out: AdjacencyEntry[] = [];
    for (const r of this.s.rels.values()) {
      if (types && types.length > 0 && !types.includes(r.type)) continue;
      if (r.start === node && direction !== 'in')
        out.push({ rel: r.id, type: r.type, other: r.end, direction: 'out' });
      else if (r.end === node && direction !== 'out')
        out.push({ rel: r.id, type: r.type, other: r.start, direction: 'in' });
    }
    return out;
  }
  degree(node: number, direction: Direction, types?: readonly string[]) {
    return this.expand(node, direction, types).length;
  }
  countNodesByLabel(label: string) {
    return this.scanNodesByLabel(label).length;
  }
  labels() {
    return [...new Set([...this.s.nodes.values()].flatMap((n) => n.labels))];
  }
  relationshipTypes() {
    return [...new Set([...this.s.rels.values()].map((r) => r.type))];
  }
  propertyKeys() {
    return [
      ...new Set(
        [...this.s.nodes.values(), ...this.s.rels.values()].flatMap((e) => [...e.properties.keys()]),
      ),
    ];
  }
  indexes() {
    return [...this.s.indexes];
  }
  findIndex(label: string, property: string) {
    return this.s.indexes.find((i) => i.label === label && i.property === property);
  }
  indexSeek(label: string, property: string, value: PropertyScalar) {
    if (!this.findIndex(label, property)) throw new NexusError('NOT_FOUND', 'no index');
    return this.scanNodesByLabel(label).filter((id) => {
      const v = this.s.nodes.get(id)!.properties.get(property);
      return v !== undefined && !Array.isArray(v) && cmp(v as PropertyScalar, value) === 0;
    });
  }
  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound) {
    return this.scanNodesByLabel(label).filter((id) => {
      const v = this.s.nodes.get(id)!.properties.get(property);
      if (v === undefined || Array.isArray(v)) return false;
      const x = v as PropertyScalar;
      if (lower) {
        const c = cmp(x, lower.value);
        if (c === undefined || c < 0 || (c === 0 && !lower.inclusive)) return false;
      }
      if (upper) {
        const c = cmp(x, upper.value);
        if (c === undefined || c > 0 || (c === 0 && !upper.inclusive)) return false;
      }
      return true;
    });
  }
  stats(): NamespaceStats {
    return { nodes: this.s.nodes.size, relationships: this.s.rels.size, bytes: 0 };
  }
  createNode(labels: readonly string[], properties: PropertyMap) {
    const id = this.s.nextNode++;
    this.s.nodes.set(id, { id, labels: [...new Set(labels)], properties: new Map(properties) });
    return id;
  }
  private node(id: number) {
    const n = this.s.nodes.get(id);
    if (!n) throw new NexusError('NOT_FOUND', `node ${id}`);
    return n;
  }
  private rel(id: number) {
    const r = this.s.rels.get(id);
    if (!r) throw new NexusError('NOT_FOUND', `rel ${id}`);
    return r;
  }
  setNodeProperty(id: number, key: string, value: PropertyValue | null) {
    const n = this.node(id);
    const p = new Map(n.properties);
    if (value === null) p.delete(key);
    else p.set(key, value);
    this.s.nodes.set(id, { ...n, properties: p });
  }
  replaceNodeProperties(id: number, properties: PropertyMap) {
    this.s.nodes.set(id, { ...this.node(id), properties: new Map(properties) });
  }
  addNodeLabels(id: number, labels: readonly string[]) {
    const n = this.node(id);
    this.s.nodes.set(id, { ...n, labels: [...new Set([...n.labels, ...labels])] });
  }
  removeNodeLabels(id: number, labels: readonly string[]) {
    const n = this.node(id);
    this.s.nodes.set(id, { ...n, labels: n.labels.filter((l) => !labels.includes(l)) });
  }
  deleteNode(id: number) {
    this.node(id);
    if (this.degree(id, 'both') > 0) throw new NexusError('CONSTRAINT_VIOLATION', 'has relationships');
    this.s.nodes.delete(id);
  }
  createRelationship(type: string, start: number, end: number, properties: PropertyMap) {
    this.node(start);
    this.node(end);
    const id = this.s.nextRel++;
    this.s.rels.set(id, { id, type, start, end, properties: new Map(properties) });
    return id;
  }
  setRelationshipProperty(id: number, key: string, value: PropertyValue | null) {
    const r = this.rel(id);
    const p = new Map(r.properties);
    if (value === null) p.delete(key);
    else p.set(key, value);
    this.s.rels.set(id, { ...r, properties: p });
  }
  replaceRelationshipProperties(id: number, properties: PropertyMap) {
    this.s.rels.set(id, { ...this.rel(id), properties: new Map(properties) });
  }
  deleteRelationship(id: number) {
    this.rel(id);
    this.s.rels.delete(id);
  }
  createIndex(label: string, property: string, name?: string) {
    if (this.findIndex(label, property)) throw new NexusError('CONFLICT', 'index exists');
    const def = { name: name ?? `index_${label}_${property}`, label, property };
    this.s.indexes.push(def);
    return def;
  }
  dropIndex(name: string) {
    const i = this.s.indexes.findIndex((d) => d.name === name);
    if (i < 0) return false;
    this.s.indexes.splice(i, 1);
    return true;
  }
}

class MemoryNamespace implements NamespaceHandle {
  state: State = { nodes: new Map(), rels: new Map(), indexes: [], nextNode: 0, nextRel: 0 };
  constructor(readonly namespace: string) {}
  read<T>(fn: (tx: Tx) => T): T {
    return fn(new Tx(this.state));
  }
  beginRead(): ReadTransaction {
    return new Tx(this.state);
  }
  async write<T>(fn: (tx: GraphWriter) => T): Promise<T> {
    const tx = new Tx(clone(this.state));
    const result = fn(tx);
    this.state = tx.s;
    return result;
  }
  stats(): NamespaceStats {
    return new Tx(this.state).stats();
  }
}

export class MemoryStore {
  private readonly spaces = new Map<string, MemoryNamespace>();
  namespace(name: string): NamespaceHandle {
    let ns = this.spaces.get(name);
    if (!ns) {
      ns = new MemoryNamespace(name);
      this.spaces.set(name, ns);
    }
    return ns;
  }
  async close(): Promise<void> {}
}
