/**
 * Procedures over the schema features: `db.index.vector.queryNodes` (k nearest nodes of a
 * vector index, with Neo4j's score), `db.index.fulltext.queryNodes` / `queryRelationships`
 * (BM25-ranked full-text matches) and `db.awaitIndexes` (indexes are populated inside
 * the transaction that creates them, so they are always online). Registered as built-ins
 * of the procedure registry; they read the caller's own namespace transaction.
 */
import { NexusError } from '../../errors.js';
import type { GraphReader } from '../../storage/types.js';
import { Node, Relationship, type Value } from '../values.js';
import type { Procedure } from './procedure-registry.js';

/** The vector argument of a query: a list of numbers. */
export function vectorArgument(v: Value, what: string): number[] {
  if (!Array.isArray(v)) throw new NexusError('INVALID_PARAMETER', `${what} must be a list of numbers`);
  return (v as readonly Value[]).map((x, i) => {
    if (typeof x === 'bigint') return Number(x);
    if (typeof x === 'number') return x;
    throw new NexusError('INVALID_PARAMETER', `${what}: element ${i} is not a number`);
  });
}

function integerArgument(v: Value, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new NexusError('INVALID_PARAMETER', `${what} must be a positive integer`);
  return n;
}

function vectorSearch(
  tx: GraphReader,
  name: Value,
  k: Value,
  vector: Value,
): { node: number; score: number }[] {
  if (typeof name !== 'string') throw new NexusError('INVALID_PARAMETER', 'The index name must be a string');
  if (!tx.vectorSearch) throw new NexusError('CYPHER_UNSUPPORTED', 'This store has no vector indexes');
  return tx.vectorSearch(
    name,
    integerArgument(k, 'numberOfNearestNeighbours'),
    vectorArgument(vector, 'The query vector'),
  );
}

/** `{limit, skip}` of a full-text query (other keys, e.g. Neo4j's `analyzer`, are ignored). */
function fulltextOptions(v: Value | undefined): { skip?: number; limit?: number } {
  if (v === undefined || v === null) return {};
  if (!(v instanceof Map))
    throw new NexusError('INVALID_PARAMETER', 'The options must be a map {limit, skip}');
  const out: { skip?: number; limit?: number } = {};
  for (const key of ['skip', 'limit'] as const) {
    const x = (v as ReadonlyMap<string, Value>).get(key);
    if (x === undefined || x === null) continue;
    const n = typeof x === 'bigint' ? Number(x) : typeof x === 'number' && Number.isInteger(x) ? x : NaN;
    if (!Number.isSafeInteger(n) || n < 0)
      throw new NexusError('INVALID_PARAMETER', `options.${key} must be a non-negative integer`);
    out[key] = n;
  }
  return out;
}

function fulltextSearch(
  tx: GraphReader,
  entity: 'node' | 'relationship',
  args: readonly Value[],
): { id: number; score: number }[] {
  const [name, query] = args;
  if (typeof name !== 'string') throw new NexusError('INVALID_PARAMETER', 'The index name must be a string');
  if (typeof query !== 'string')
    throw new NexusError('CYPHER_ARGUMENT_ERROR', 'The full-text query must be a string');
  if (!tx.fulltextSearch) throw new NexusError('CYPHER_UNSUPPORTED', 'This store has no full-text indexes');
  return tx.fulltextSearch(name, entity, query, fulltextOptions(args[2]));
}

const FULLTEXT_INPUTS = [
  { name: 'indexName', type: 'STRING' },
  { name: 'queryString', type: 'STRING' },
  { name: 'options', type: 'MAP', optional: true },
];

export const SCHEMA_PROCEDURES: readonly Procedure[] = [
  {
    name: 'db.index.fulltext.queryNodes',
    inputs: FULLTEXT_INPUTS,
    outputs: [
      { name: 'node', type: 'NODE' },
      { name: 'score', type: 'FLOAT' },
    ],
    *invoke(args, tx) {
      for (const hit of fulltextSearch(tx, 'node', args)) {
        const rec = tx.getNode(hit.id);
        if (rec !== undefined) yield [new Node(rec.id, rec.labels, rec.properties), hit.score];
      }
    },
  },
  {
    name: 'db.index.fulltext.queryRelationships',
    inputs: FULLTEXT_INPUTS,
    outputs: [
      { name: 'relationship', type: 'RELATIONSHIP' },
      { name: 'score', type: 'FLOAT' },
    ],
    *invoke(args, tx) {
      for (const hit of fulltextSearch(tx, 'relationship', args)) {
        const rec = tx.getRelationship(hit.id);
        if (rec !== undefined) {
          yield [new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties), hit.score];
        }
      }
    },
  },
  {
    name: 'db.index.vector.queryNodes',
    inputs: [
      { name: 'indexName', type: 'STRING' },
      { name: 'numberOfNearestNeighbours', type: 'INTEGER' },
      { name: 'query', type: 'ANY' },
    ],
    outputs: [
      { name: 'node', type: 'NODE' },
      { name: 'score', type: 'FLOAT' },
    ],
    *invoke(args, tx) {
      for (const hit of vectorSearch(tx, args[0] ?? null, args[1] ?? null, args[2] ?? null)) {
        const rec = tx.getNode(hit.node);
        if (rec !== undefined) yield [new Node(rec.id, rec.labels, rec.properties), hit.score];
      }
    },
  },
  {
    name: 'db.awaitIndexes',
    inputs: [],
    outputs: [],
    invoke: () => [],
  },
];
