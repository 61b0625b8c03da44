/**
 * The MCP tools: names (= function names of the auth layer), zod input schemas,
 * descriptions written for an assistant, and handlers. Handlers know nothing about HTTP:
 * they get a `ToolEnv` bound to one caller, and every data access goes through that
 * caller's namespace.
 */
import { z } from 'zod';
import { NexusError, isNexusError } from '../errors.js';
import type { NexusDatabase } from '../engine/api.js';
import type { QueryResult, QueryStats, Value } from '../engine/values.js';
import {
  jsonToParams,
  serializeNodeRecord,
  serializeQueryResult,
  serializeRelationshipRecord,
  serializeValue,
} from '../engine/json-values.js';
import { jsonToCheckedPropertyMap } from '../engine/property-json.js';
import type { UsageEvent } from '../cluster/types.js';
import type { GraphReader, GraphWriter, NodeId, PropertyMap } from '../storage/types.js';
import type { Permission, UserContext } from '../auth/types.js';
import { hasPermission, requirePermission } from '../auth/permissions.js';
import type { FunctionName } from '../auth/functions.js';

/** Everything a tool call may use, bound to one authenticated caller. */
export interface ToolEnv {
  readonly db: NexusDatabase;
  readonly ctx: UserContext;
  /** Cluster mode: the tenant's storage quota for writes. */
  readonly maxStorageBytes?: number;
  readonly queryTimeoutMs?: number;
  /** Cluster mode: the tenant's usage deltas of this call. */
  recordUsage?(event: UsageEvent): void;
  /**
   * Runs a statement through the server's request core (limits, read-only keys, quota and
   * usage as on every other door). Absent in bare test apps: the database is called directly.
   */
  runCypher?(query: string, params: Record<string, Value>): Promise<QueryResult>;
  /** Cluster mode: asks the control plane before a bulk import (throws STORAGE_QUOTA_EXCEEDED). */
  checkImport?(estimatedBytes: number): Promise<void>;
  /** execute_cypher returns at most this many rows (default MCP_MAX_ROWS). */
  readonly maxResultRows?: number;
  /** execute_cypher's result text stays under this many bytes (default MCP_MAX_RESULT_BYTES). */
  readonly maxResultBytes?: number;
}

/**
 * An assistant's context window is small: execute_cypher returns at most this many rows and
 * about this many bytes, and says so (with a LIMIT hint) when it cut the result.
 */
export const MCP_MAX_ROWS = 1000;
export const MCP_MAX_RESULT_BYTES = 256 * 1024;
/** get_schema samples at most this many nodes per label and relationships in total. */
export const SCHEMA_SAMPLE = 1000;

export interface ToolDefinition {
  readonly name: FunctionName;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: z.ZodObject;
  readonly permission: Permission;
  readonly readOnly: boolean;
  /** Returns the JSON text of the result. */
  run(env: ToolEnv, args: Record<string, unknown>): Promise<string>;
}

// --- schemas -----------------------------------------------------------------------

const nodeId = z
  .number()
  .int()
  .nonnegative()
  .describe('Numeric node id, as returned by create_node or a query');
const relType = z.string().min(1).describe('Relationship type, e.g. "KNOWS"');
const label = z.string().min(1);
/**
 * A JSON object passed through as the client sent it. Not `z.record`: zod rebuilds a record
 * into a fresh object and silently drops a `__proto__` key, so a parameter or property of
 * that name would vanish. The consumers (jsonToParams, jsonToProperties) copy own keys only.
 */
const jsonObject = () =>
  z
    .unknown()
    .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object')
    .meta({ type: 'object', additionalProperties: {} });

const properties = jsonObject().describe(
  'Property map. Values: string, boolean, number or a list of those. Whole numbers are stored as INTEGER, ' +
    'others as FLOAT; {"$int":"…"} writes an integer beyond 2^53 and {"$float":"1.0"} an integral FLOAT.',
);

const executeCypherInput = z.strictObject({
  query: z.string().min(1).describe('A Cypher query, e.g. MATCH (n:Person) RETURN n.name LIMIT 10'),
  params: jsonObject()
    .optional()
    .describe(
      'Query parameters referenced as $name in the query (use parameters instead of string concatenation)',
    ),
});

const createNodeInput = z.strictObject({
  labels: z.array(label).describe('Labels of the new node, e.g. ["Person"]; may be empty'),
  properties: properties.optional(),
});

const createRelationshipInput = z.strictObject({
  src: nodeId.describe('Id of the start node'),
  dst: nodeId.describe('Id of the end node'),
  type: relType,
  properties: properties.optional(),
});

const getNodeInput = z.strictObject({ id: nodeId });

const deleteNodeInput = z.strictObject({
  id: nodeId,
  detach: z
    .boolean()
    .optional()
    .describe(
      'Also delete the relationships of the node. Without it, a node that has relationships is not deleted.',
    ),
});

const noInput = z.strictObject({});

const ingestInput = z.strictObject({
  nodes: z
    .array(
      z.strictObject({
        ref: z
          .string()
          .min(1)
          .optional()
          .describe('A name for this node that relationships of the batch can use'),
        labels: z.array(label),
        properties: properties.optional(),
      }),
    )
    .default([]),
  relationships: z
    .array(
      z.strictObject({
        src: z
          .union([nodeId, z.string().min(1)])
          .describe('An existing node id, or the ref of a node in this batch'),
        dst: z
          .union([nodeId, z.string().min(1)])
          .describe('An existing node id, or the ref of a node in this batch'),
        type: relType,
        properties: properties.optional(),
      }),
    )
    .default([]),
});

// --- helpers ----------------------------------------------------------------------

function writeOptions(env: ToolEnv): { maxBytes?: number } {
  return env.maxStorageBytes === undefined ? {} : { maxBytes: env.maxStorageBytes };
}

function nodeNotFound(id: number): NexusError {
  return new NexusError('NOT_FOUND', `Node ${id} not found`, { details: { id } });
}

function props(value: unknown, path: string): PropertyMap {
  return jsonToCheckedPropertyMap(value ?? {}, path);
}

function usageFromStats(stats: QueryStats, isWrite: boolean): UsageEvent {
  return {
    readQueries: isWrite ? 0 : 1,
    writeQueries: isWrite ? 1 : 0,
    nodesCreated: stats.nodesCreated,
    nodesDeleted: stats.nodesDeleted,
    relationshipsCreated: stats.relationshipsCreated,
    relationshipsDeleted: stats.relationshipsDeleted,
  };
}

/**
 * The query result as execute_cypher returns it, cut to `maxRows` rows and about `maxBytes`
 * bytes; a cut result says so in `truncated`, `total_rows` and a `note` with a LIMIT hint.
 */
export function boundedQueryResult(
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  elapsedMs: number,
  stats: QueryStats,
  limits: { maxRows: number; maxBytes: number },
): string {
  let kept = Math.min(rows.length, limits.maxRows);
  let bytes = 0;
  for (let r = 0; r < kept; r++) {
    let rowBytes = 2;
    for (const v of rows[r]!) rowBytes += Buffer.byteLength(serializeValue(v)) + 1;
    if (bytes + rowBytes > limits.maxBytes) {
      kept = r;
      break;
    }
    bytes += rowBytes;
  }
  const full = serializeQueryResult(
    columns,
    kept === rows.length ? rows : rows.slice(0, kept),
    elapsedMs,
    stats,
  );
  if (kept === rows.length) return full;
  const reason = kept === limits.maxRows ? `${limits.maxRows} rows` : `about ${limits.maxBytes} bytes`;
  const note =
    `Result truncated: showing ${kept} of ${rows.length} rows (the cap is ${reason}). ` +
    'Add LIMIT (and ORDER BY) or return fewer/smaller columns, or aggregate (count, collect) to see the rest.';
  return `${full.slice(0, -1)},"truncated":true,"total_rows":${rows.length},"note":${JSON.stringify(note)}}`;
}

/**
 * The schema an assistant needs to write queries: each label with its count and the
 * property keys seen on (a sample of) its nodes, and each relationship type with the label
 * pairs it connects (from a sample of relationships).
 */
function describeSchema(tx: GraphReader): Record<string, unknown> {
  const labels = tx.labels().map((l) => {
    const keys = new Set<string>();
    let seen = 0;
    for (const id of tx.scanNodesByLabel(l)) {
      if (seen++ >= SCHEMA_SAMPLE) break;
      const node = tx.getNode(id);
      if (node !== undefined) for (const k of node.properties.keys()) keys.add(k);
    }
    return { label: l, count: tx.countNodesByLabel(l), properties: [...keys].sort() };
  });
  const byType = new Map<
    string,
    { keys: Set<string>; pairs: Map<string, { from: string[]; to: string[] }> }
  >();
  for (const t of tx.relationshipTypes()) byType.set(t, { keys: new Set(), pairs: new Map() });
  let seen = 0;
  let sampled = false;
  for (const id of tx.scanRelationships()) {
    if (seen++ >= SCHEMA_SAMPLE * 10) {
      sampled = true;
      break;
    }
    const rel = tx.getRelationship(id);
    if (rel === undefined) continue;
    const entry = byType.get(rel.type);
    if (entry === undefined) continue;
    for (const k of rel.properties.keys()) entry.keys.add(k);
    const from = [...(tx.getNode(rel.start)?.labels ?? [])].sort();
    const to = [...(tx.getNode(rel.end)?.labels ?? [])].sort();
    entry.pairs.set(JSON.stringify([from, to]), { from, to });
  }
  const relationships = [...byType].map(([type, e]) => ({
    type,
    properties: [...e.keys].sort(),
    connects: [...e.pairs.values()],
  }));
  return {
    labels,
    relationship_types: [...byType.keys()],
    relationships,
    ...(sampled ? { sampled: true } : {}),
  };
}

function assertNode(tx: GraphWriter, id: NodeId): void {
  if (tx.getNode(id) === undefined) throw nodeNotFound(id);
}

// --- tools ------------------------------------------------------------------------

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'execute_cypher',
    title: 'Run a Cypher query',
    description:
      'Runs one Cypher query against the graph and returns {columns, rows, execution_time_ms, stats}. ' +
      `At most ${MCP_MAX_ROWS} rows (about ${MCP_MAX_RESULT_BYTES / 1024} KiB) come back; a cut result has ` +
      'truncated: true, total_rows and a note: then add LIMIT or aggregate. Rows are arrays in column ' +
      'order; nodes are {id, labels, properties}, relationships {id, type, start, end, properties}. ' +
      'Use MATCH/RETURN to read and CREATE/MERGE/SET/DELETE to write (writing needs a key with WRITE). ' +
      'Pass values through params ($name) rather than building query strings.',
    inputSchema: executeCypherInput,
    permission: 'READ',
    readOnly: false,
    async run(env, args) {
      const { query, params } = executeCypherInput.parse(args);
      const started = performance.now();
      let result: QueryResult;
      if (env.runCypher !== undefined) {
        // The core counts the statement's usage itself.
        result = await env.runCypher(query, jsonToParams(params));
      } else {
        // A READ-only key runs in read mode: the engine refuses writes before touching anything.
        result = await env.db.execute(query, jsonToParams(params), {
          namespace: env.ctx.namespace,
          accessMode: hasPermission(env.ctx, 'WRITE') ? 'write' : 'read',
          ...(env.maxStorageBytes === undefined ? {} : { maxStorageBytes: env.maxStorageBytes }),
          ...(env.queryTimeoutMs === undefined ? {} : { timeoutMs: env.queryTimeoutMs }),
        });
        env.recordUsage?.(usageFromStats(result.stats, result.isWrite));
      }
      const elapsedMs = Math.round((performance.now() - started) * 1000) / 1000;
      return boundedQueryResult(result.columns, result.rows, elapsedMs, result.stats, {
        maxRows: env.maxResultRows ?? MCP_MAX_ROWS,
        maxBytes: env.maxResultBytes ?? MCP_MAX_RESULT_BYTES,
      });
    },
  },
  {
    name: 'create_node',
    title: 'Create a node',
    description:
      'Creates one node with the given labels and properties and returns it as {id, labels, properties}.',
    inputSchema: createNodeInput,
    permission: 'WRITE',
    readOnly: false,
    async run(env, args) {
      const input = createNodeInput.parse(args);
      const properties = props(input.properties, 'properties');
      const ns = env.db.namespace(env.ctx.namespace);
      const node = await ns.write(
        (tx) => tx.getNode(tx.createNode(input.labels, properties)),
        writeOptions(env),
      );
      env.recordUsage?.({ writeQueries: 1, nodesCreated: 1 });
      if (node === undefined)
        throw new NexusError('INTERNAL_ERROR', 'The created node could not be read back');
      return serializeNodeRecord(node);
    },
  },
  {
    name: 'create_relationship',
    title: 'Create a relationship',
    description:
      'Creates a relationship of the given type from node src to node dst (both must exist) and returns it as ' +
      '{id, type, start, end, properties}.',
    inputSchema: createRelationshipInput,
    permission: 'WRITE',
    readOnly: false,
    async run(env, args) {
      const input = createRelationshipInput.parse(args);
      const properties = props(input.properties, 'properties');
      const ns = env.db.namespace(env.ctx.namespace);
      const rel = await ns.write((tx) => {
        assertNode(tx, input.src);
        assertNode(tx, input.dst);
        return tx.getRelationship(tx.createRelationship(input.type, input.src, input.dst, properties));
      }, writeOptions(env));
      env.recordUsage?.({ writeQueries: 1, relationshipsCreated: 1 });
      if (rel === undefined)
        throw new NexusError('INTERNAL_ERROR', 'The created relationship could not be read back');
      return serializeRelationshipRecord(rel);
    },
  },
  {
    name: 'get_node',
    title: 'Get a node',
    description: 'Returns the node with the given id as {id, labels, properties}, or a NOT_FOUND error.',
    inputSchema: getNodeInput,
    permission: 'READ',
    readOnly: true,
    async run(env, args) {
      const { id } = getNodeInput.parse(args);
      const node = env.db.namespace(env.ctx.namespace).read((tx) => tx.getNode(id));
      env.recordUsage?.({ readQueries: 1 });
      if (node === undefined) throw nodeNotFound(id);
      return serializeNodeRecord(node);
    },
  },
  {
    name: 'delete_node',
    title: 'Delete a node',
    description:
      'Deletes the node with the given id. A node that still has relationships is only deleted with ' +
      'detach: true (which deletes those relationships too). Returns {deleted, id, relationshipsDeleted}.',
    inputSchema: deleteNodeInput,
    permission: 'WRITE',
    readOnly: false,
    async run(env, args) {
      const { id, detach } = deleteNodeInput.parse(args);
      const ns = env.db.namespace(env.ctx.namespace);
      const relationshipsDeleted = await ns.write((tx) => {
        assertNode(tx, id);
        const rels = [...new Set([...tx.expand(id, 'both')].map((e) => e.rel))];
        if (rels.length > 0 && detach !== true) {
          throw new NexusError(
            'CONSTRAINT_VIOLATION',
            `Node ${id} still has ${rels.length} relationship(s); delete them first or pass detach: true`,
            { details: { id, relationships: rels.length } },
          );
        }
        for (const rel of rels) tx.deleteRelationship(rel);
        tx.deleteNode(id);
        return rels.length;
      }, writeOptions(env));
      env.recordUsage?.({ writeQueries: 1, nodesDeleted: 1, relationshipsDeleted });
      return JSON.stringify({ deleted: true, id, relationshipsDeleted });
    },
  },
  {
    name: 'list_labels',
    title: 'List node labels',
    description: 'Returns {labels: [...]}, the node labels in use in the graph.',
    inputSchema: noInput,
    permission: 'READ',
    readOnly: true,
    async run(env) {
      const labels = env.db.namespace(env.ctx.namespace).read((tx) => tx.labels());
      env.recordUsage?.({ readQueries: 1 });
      return JSON.stringify({ labels });
    },
  },
  {
    name: 'list_relationship_types',
    title: 'List relationship types',
    description: 'Returns {relationship_types: [...]}, the relationship types in use in the graph.',
    inputSchema: noInput,
    permission: 'READ',
    readOnly: true,
    async run(env) {
      const types = env.db.namespace(env.ctx.namespace).read((tx) => tx.relationshipTypes());
      env.recordUsage?.({ readQueries: 1 });
      return JSON.stringify({ relationship_types: types });
    },
  },
  {
    name: 'get_schema',
    title: 'Describe the graph schema',
    description:
      'Returns an overview to write queries against: {labels: [{label, count, properties}], relationship_types, ' +
      'relationships: [{type, properties, connects: [{from: [labels], to: [labels]}]}], property_keys, ' +
      'indexes: [{name, label, property}]}. Properties and connections come from a sample of up to ' +
      `${SCHEMA_SAMPLE} nodes per label and ${SCHEMA_SAMPLE * 10} relationships (sampled: true when cut).`,
    inputSchema: noInput,
    permission: 'READ',
    readOnly: true,
    async run(env) {
      const schema = env.db.namespace(env.ctx.namespace).read((tx) => ({
        ...describeSchema(tx),
        property_keys: tx.propertyKeys(),
        indexes: tx.indexes().map((i) => ({ name: i.name, label: i.label, property: i.property })),
      }));
      env.recordUsage?.({ readQueries: 1 });
      return JSON.stringify(schema);
    },
  },
  {
    name: 'get_stats',
    title: 'Graph statistics',
    description: 'Returns {nodes, relationships, bytes, labels, relationship_types} for the graph.',
    inputSchema: noInput,
    permission: 'READ',
    readOnly: true,
    async run(env) {
      const ns = env.db.namespace(env.ctx.namespace);
      const stats = ns.read((tx) => ({
        ...tx.stats(),
        labels: tx.labels().length,
        relationship_types: tx.relationshipTypes().length,
      }));
      env.recordUsage?.({ readQueries: 1 });
      return JSON.stringify(stats);
    },
  },
  {
    name: 'ingest',
    title: 'Bulk import nodes and relationships',
    description:
      'Creates many nodes and relationships in one transaction (all or nothing). Nodes may carry a ref; ' +
      'relationships name their ends by existing node id or by a ref from this batch. Returns ' +
      '{nodes_created, relationships_created, refs: {ref: id}}. A bad item is reported with its index and ' +
      'nothing is imported.',
    inputSchema: ingestInput,
    permission: 'WRITE',
    readOnly: false,
    async run(env, args) {
      const input = ingestInput.parse(args);
      // Validate everything before the transaction, so errors name the item and nothing is written.
      const refs = new Set<string>();
      const nodes = input.nodes.map((n, i) => {
        if (n.ref !== undefined) {
          if (refs.has(n.ref)) {
            throw new NexusError('INVALID_BODY', `nodes[${i}].ref: duplicate ref "${n.ref}"`, {
              details: { index: i },
            });
          }
          refs.add(n.ref);
        }
        return { ref: n.ref, labels: n.labels, properties: props(n.properties, `nodes[${i}].properties`) };
      });
      const rels = input.relationships.map((r, i) => {
        for (const end of [r.src, r.dst]) {
          if (typeof end === 'string' && !refs.has(end)) {
            throw new NexusError('INVALID_BODY', `relationships[${i}]: unknown ref "${end}"`, {
              details: { index: i },
            });
          }
        }
        return { ...r, properties: props(r.properties, `relationships[${i}].properties`) };
      });
      if (env.checkImport !== undefined) await env.checkImport(Buffer.byteLength(JSON.stringify(args)));
      const ns = env.db.namespace(env.ctx.namespace);
      const created = await ns.write((tx) => {
        const ids = new Map<string, NodeId>();
        for (const n of nodes) {
          const id = tx.createNode(n.labels, n.properties);
          if (n.ref !== undefined) ids.set(n.ref, id);
        }
        rels.forEach((r, i) => {
          const resolve = (end: number | string): NodeId => {
            const id = typeof end === 'string' ? ids.get(end) : end;
            if (id === undefined || tx.getNode(id) === undefined) {
              throw new NexusError(
                'INVALID_BODY',
                `relationships[${i}]: node ${String(end)} does not exist`,
                {
                  details: { index: i },
                },
              );
            }
            return id;
          };
          tx.createRelationship(r.type, resolve(r.src), resolve(r.dst), r.properties);
        });
        return Object.fromEntries(ids);
      }, writeOptions(env));
      env.recordUsage?.({ writeQueries: 1, nodesCreated: nodes.length, relationshipsCreated: rels.length });
      return JSON.stringify({
        nodes_created: nodes.length,
        relationships_created: rels.length,
        refs: created,
      });
    },
  },
];

/** Runs the coarse permission check and the handler. Function checks happen in the caller. */
export async function runTool(
  tool: ToolDefinition,
  env: ToolEnv,
  args: Record<string, unknown>,
): Promise<string> {
  requirePermission(env.ctx, tool.permission);
  try {
    return await tool.run(env, args);
  } catch (err) {
    // As on REST, an INTERNAL_ERROR's text and details (e.g. a control plane's answer) stay
    // in the server log: rethrown as an unexpected failure, the client gets the generic error.
    if (isNexusError(err) && err.code === 'INTERNAL_ERROR') throw new Error(err.message, { cause: err });
    throw err;
  }
}
