/**
 * What a Cypher function or operator may ask of the running query. The executor
 * implements `GraphAccess` over its namespace-bound transaction; functions never read
 * `Node.labels` / `.properties` directly, because at runtime those may be stale after a
 * SET in the same query — only `id` (and a relationship's type/start/end) are stable.
 */
import type { Node, Relationship, Value } from '../values.js';

export interface GraphAccess {
  /** Current labels; throws CypherError EntityNotFound/DeletedEntityAccess for a deleted node. */
  nodeLabels(node: Node): readonly string[];
  nodeProperties(node: Node): ReadonlyMap<string, Value>;
  relationshipProperties(rel: Relationship): ReadonlyMap<string, Value>;
  /** The node objects at either end of a relationship. */
  startNode(rel: Relationship): Node;
  endNode(rel: Relationship): Node;
}

export interface FunctionContext {
  readonly graph: GraphAccess;
  /** Fixed for the whole query (timestamp(), datetime() consistency). */
  readonly now: number;
  readonly random: () => number;
  /**
   * Throws QUERY_TIMEOUT once the query is past its deadline. Functions that build large
   * values in one call (range()) call it periodically; absent outside a running query.
   */
  readonly checkDeadline?: () => void;
  /**
   * Throws QUERY_MEMORY_LIMIT unless a value of about `bytes` fits in the query's memory
   * budget. Functions that build large values (range(), string functions) call it before
   * allocating; absent outside a running query.
   */
  readonly checkMemory?: (bytes: number) => void;
}
