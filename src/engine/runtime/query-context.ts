/**
 * Per-execution state of one query: the namespace-bound transaction, parameters, stats,
 * limits (deadline and intermediate-row cap) and the `GraphAccess` that functions use to
 * read current graph state. One instance lives exactly as long as one `execute` call.
 */
import { CypherError } from '../../cypher/errors.js';
import { NexusError } from '../../errors.js';
import type { GraphReader, GraphWriter, NodeRecord, RelationshipRecord } from '../../storage/types.js';
import type { FunctionContext, GraphAccess } from '../functions/function-context.js';
import { Node, Relationship, type QueryStats, type Value } from '../values.js';
import { DEFAULT_MAX_QUERY_MEMORY_BYTES, MemoryBudget } from './memory-budget.js';
import type { ProcedureRegistry } from './procedure-registry.js';

/** Marker that operators pass upwards so the driver can check limits and yield the event loop. */
export const PAUSE: unique symbol = Symbol('pause');
export type Pause = typeof PAUSE;

/** A row: variable name → value. Rows are treated as immutable once emitted. */
export type Row = Record<string, Value>;

export type RowStream = Iterable<Row | Pause>;

/**
 * How many units of work between two PAUSE markers from leaf operators (a power of two:
 * used as a mask). Small enough that a read slice (2 ms, see nexus.ts) can end on time
 * even on a slow, loaded machine: 512 node reads took 5 ms and more there, which is what
 * a neighbour's point read then waited.
 */
export const PAUSE_EVERY = 128;

/**
 * Stub entities carry only identity: matching creates them when no label or property
 * is needed (e.g. the far node of an expansion), and the executor reads the record
 * lazily, so a 2-hop count does not decode every node it walks through.
 */
export const STUB_LABELS: readonly string[] = Object.freeze([]);
export const STUB_PROPS: ReadonlyMap<string, Value> = new Map();

export function isStub(v: Node | Relationship): boolean {
  return v.properties === STUB_PROPS;
}

// The maps and the function context below are made on first use: many statements
// (`RETURN 1`, UNWIND over parameters) need none of them, and this runs per query.
export class QueryContext implements GraphAccess {
  private held = 0;
  /** Work units done, for PAUSE emission by leaf loops. */
  work = 0;
  /** Estimated bytes the query builds and holds (see memory-budget.ts). */
  readonly memory: MemoryBudget;
  /** The statement's clock: every temporal "now" in one statement is the same instant. */
  private readonly startedAt = Date.now();
  private fnContext: FunctionContext | undefined;
  private memoMap: Map<object, unknown> | undefined;

  constructor(
    readonly tx: GraphReader,
    readonly writer: GraphWriter | undefined,
    readonly params: ReadonlyMap<string, Value>,
    readonly stats: QueryStats,
    readonly procedures: ProcedureRegistry,
    private readonly deadline: number,
    private readonly maxRows: number,
    /** PROFILE only: rows produced per plan operator. */
    readonly profile?: Map<object, number>,
    maxMemoryBytes: number = DEFAULT_MAX_QUERY_MEMORY_BYTES,
  ) {
    this.memory = new MemoryBudget(maxMemoryBytes);
  }

  get fn(): FunctionContext {
    if (this.fnContext === undefined) {
      const memory = this.memory;
      this.fnContext = {
        graph: this,
        now: this.startedAt,
        random: Math.random,
        checkDeadline: () => this.checkDeadline(),
        checkMemory: (bytes) => memory.check(bytes),
      };
    }
    return this.fnContext;
  }

  /** Per-execution memo for operators (e.g. the chosen start of a pattern). */
  get memo(): Map<object, unknown> {
    return (this.memoMap ??= new Map());
  }

  /** Called at PAUSE points and by long loops: enforces the timeout. */
  checkDeadline(): void {
    if (this.deadline > 0 && Date.now() > this.deadline) {
      throw new NexusError('QUERY_TIMEOUT', 'The query exceeded its timeout and was stopped');
    }
  }

  /** Accounts for rows an operator holds in memory (sort buffers, aggregation groups, ...). */
  hold(count: number): void {
    this.held += count;
    if (this.held > this.maxRows) {
      throw new NexusError(
        'QUERY_MEMORY_LIMIT',
        `The query holds more than ${this.maxRows} intermediate rows; add a LIMIT or narrow the pattern`,
      );
    }
  }

  release(count: number): void {
    this.held -= count;
  }

  get writable(): GraphWriter {
    if (!this.writer) throw new NexusError('INTERNAL_ERROR', 'write attempted in a read transaction');
    return this.writer;
  }

  // --- entity construction -------------------------------------------------------------

  nodeFromRecord(rec: NodeRecord): Node {
    return new Node(rec.id, rec.labels, rec.properties);
  }

  /** A node by id, or undefined if it does not exist (or was deleted). */
  node(id: number): Node | undefined {
    const rec = this.tx.getNode(id);
    return rec ? new Node(rec.id, rec.labels, rec.properties) : undefined;
  }

  relFromRecord(rec: RelationshipRecord): Relationship {
    return new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties);
  }

  rel(id: number): Relationship | undefined {
    const rec = this.tx.getRelationship(id);
    return rec ? this.relFromRecord(rec) : undefined;
  }

  /** A relationship object from an adjacency entry, without reading the record. */
  relStub(id: number, type: string, start: number, end: number): Relationship {
    return new Relationship(id, type, start, end, STUB_PROPS);
  }

  // --- GraphAccess ---------------------------------------------------------------------

  /** A full node (labels and properties) from the current state, or undefined if absent. */
  stubNode(id: number): Node {
    return new Node(id, STUB_LABELS, STUB_PROPS);
  }

  /** Read queries only (the snapshot never changes): records of stub nodes already read. */
  private nodeCache: Map<number, NodeRecord> | undefined;

  private nodeRecord(node: Node): NodeRecord {
    if (this.writer === undefined) {
      const cache = (this.nodeCache ??= new Map());
      let rec = cache.get(node.id);
      if (rec === undefined) {
        rec = this.tx.getNode(node.id);
        if (rec) {
          if (cache.size >= 4096) cache.clear();
          cache.set(node.id, rec);
        }
      }
      if (rec) return rec;
    }
    const rec = this.tx.getNode(node.id);
    if (!rec) {
      throw new CypherError('EntityNotFound', 'DeletedEntityAccess', `Node ${node.id} has been deleted`);
    }
    return rec;
  }

  private relCache: Map<number, RelationshipRecord> | undefined;

  private relRecord(rel: Relationship): RelationshipRecord {
    if (this.writer === undefined) {
      const cache = (this.relCache ??= new Map());
      let rec = cache.get(rel.id);
      if (rec === undefined) {
        rec = this.tx.getRelationship(rel.id);
        if (rec) {
          if (cache.size >= 4096) cache.clear();
          cache.set(rel.id, rec);
        }
      }
      if (rec) return rec;
    }
    const rec = this.tx.getRelationship(rel.id);
    if (!rec) {
      throw new CypherError(
        'EntityNotFound',
        'DeletedEntityAccess',
        `Relationship ${rel.id} has been deleted`,
      );
    }
    return rec;
  }

  // In a read query nothing changes, so a full entity's own data is current; in a
  // write query (or for a stub) the transaction is the source of truth.

  nodeLabels(node: Node): readonly string[] {
    if (this.writer === undefined && node.properties !== STUB_PROPS) return node.labels;
    return this.nodeRecord(node).labels;
  }

  nodeProperties(node: Node): ReadonlyMap<string, Value> {
    if (this.writer === undefined && node.properties !== STUB_PROPS) return node.properties;
    return this.nodeRecord(node).properties;
  }

  relationshipProperties(rel: Relationship): ReadonlyMap<string, Value> {
    if (this.writer === undefined && rel.properties !== STUB_PROPS) return rel.properties;
    return this.relRecord(rel).properties;
  }

  startNode(rel: Relationship): Node {
    return this.node(rel.start) ?? this.stubNode(rel.start);
  }

  endNode(rel: Relationship): Node {
    return this.node(rel.end) ?? this.stubNode(rel.end);
  }

  nodeProperty(node: Node, key: string): Value {
    if (node.properties === STUB_PROPS || this.writer !== undefined) {
      // A stub (e.g. from a label scan) whose record is not cached: read just this
      // property from storage instead of decoding (and caching) the whole record.
      const cached = this.writer === undefined ? this.nodeCache?.get(node.id) : undefined;
      if (cached === undefined && this.tx.nodeProperty !== undefined) {
        const v = this.tx.nodeProperty(node.id, key);
        if (v === undefined) {
          throw new CypherError('EntityNotFound', 'DeletedEntityAccess', `Node ${node.id} has been deleted`);
        }
        return v;
      }
    }
    const v = this.nodeProperties(node).get(key);
    return v === undefined ? null : v;
  }

  relProperty(rel: Relationship, key: string): Value {
    const v = this.relationshipProperties(rel).get(key);
    return v === undefined ? null : v;
  }
}
