/**
 * Procedures over the schema features: `db.index.vector.queryNodes` (k nearest nodes of a
 * vector index, with Neo4j's score) and `db.awaitIndexes` (indexes are populated inside
 * the transaction that creates them, so they are always online). Registered as built-ins
 * of the procedure registry; they read the caller's own namespace transaction.
 */
import { NexusError } from '../../errors.js';
import type { GraphReader } from '../../storage/types.js';
import { Node, type Value } from '../values.js';
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

export const SCHEMA_PROCEDURES: readonly Procedure[] = [
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
