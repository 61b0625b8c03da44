/**
 * A tiny in-memory stand-in for `NexusDatabase`, so the TCK runner can be tested
 * without the engine: queries are answered by a script (a function of the query text),
 * and the graph it mutates is exposed through a minimal storage read handle.
 */
import type { NexusDatabase, ProcedureDefinition } from '../../src/engine/api.js';
import { emptyStats, type QueryResult, type Value } from '../../src/engine/values.js';
import type {
  GraphReader,
  NamespaceHandle,
  NamespaceStats,
  NodeRecord,
  PropertyValue,
  RelationshipRecord,
} from '../../src/storage/types.js';

export interface FakeGraph {
  nodes: Map<number, { labels: string[]; properties: Map<string, PropertyValue> }>;
  rels: Map<number, { type: string; start: number; end: number; properties: Map<string, PropertyValue> }>;
  nextId: number;
}

export type FakeScript = (
  query: string,
  params: Record<string, Value>,
  graph: FakeGraph,
  db: FakeDatabase,
) => QueryResult | Promise<QueryResult>;

export function result(columns: string[], rows: Value[][] = []): QueryResult {
  return { columns, rows, stats: emptyStats(), isWrite: false };
}

function unsupported(): never {
  throw new Error('not supported by the fake');
}

class FakeReader implements GraphReader {
  constructor(private readonly g: FakeGraph) {}
  getNode(id: number): NodeRecord | undefined {
    const n = this.g.nodes.get(id);
    return n && { id, labels: n.labels, properties: n.properties };
  }
  getRelationship(id: number): RelationshipRecord | undefined {
    const r = this.g.rels.get(id);
    return r && { id, type: r.type, start: r.start, end: r.end, properties: r.properties };
  }
  scanNodes(): Iterable<number> {
    return [...this.g.nodes.keys()].sort((a, b) => a - b);
  }
  scanRelationships(): Iterable<number> {
    return [...this.g.rels.keys()].sort((a, b) => a - b);
  }
  scanNodesByLabel = unsupported;
  expand = unsupported;
  degree = unsupported;
  countNodesByLabel = unsupported;
  labels = unsupported;
  relationshipTypes = unsupported;
  propertyKeys = unsupported;
  indexes = unsupported;
  indexSeek = unsupported;
  indexRange = unsupported;
  findIndex = unsupported;
  stats(): NamespaceStats {
    return { nodes: this.g.nodes.size, relationships: this.g.rels.size, bytes: 0 };
  }
}

export class FakeDatabase implements NexusDatabase {
  readonly graph: FakeGraph = { nodes: new Map(), rels: new Map(), nextId: 0 };
  readonly procedures: ProcedureDefinition[] = [];
  readonly queries: string[] = [];
  closed = false;

  constructor(
    readonly path: string,
    private readonly script: FakeScript,
  ) {}

  async execute(query: string, params: Record<string, Value> = {}): Promise<QueryResult> {
    this.queries.push(query);
    return this.script(query, params, this.graph, this);
  }

  namespace(name: string): NamespaceHandle {
    const reader = new FakeReader(this.graph);
    return {
      namespace: name,
      read: <T>(fn: (tx: GraphReader) => T): T => fn(reader),
      beginRead: unsupported,
      write: unsupported,
      stats: () => reader.stats(),
    };
  }

  stats(): NamespaceStats {
    return new FakeReader(this.graph).stats();
  }

  registerProcedure(definition: ProcedureDefinition): void {
    this.procedures.push(definition);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
