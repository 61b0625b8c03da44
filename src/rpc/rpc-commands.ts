/**
 * The RPC command table: each upstream command (rpc-wire-format.md §5, the SDK's
 * command-map.ts) decoded from its positional NexusValue arguments, admitted through the
 * request core under the function name of src/auth/functions.ts that HTTP uses for the
 * same operation, and answered as a reply writer. Reads of the catalog go to the caller's
 * namespace; every write is a Cypher statement run through the core, so permissions,
 * quotas and usage are the core's, once for every door.
 */
import type { FunctionName } from '../auth/functions.js';
import type { Permission } from '../auth/types.js';
import type { NexusDatabase } from '../engine/api.js';
import type { Value } from '../engine/values.js';
import { NexusError } from '../errors.js';
import type { CallScope, RequestCore, Session } from '../service/types.js';
import { DEFAULT_DATABASE_NAME, isDefaultDatabase } from '../service/default-database.js';
import type { ResponseWriter } from './rpc-codec.js';
import {
  argInt,
  argString,
  toEngineValue,
  toParams,
  writeArrayHeader,
  writeFloat,
  writeInt,
  writeKey,
  writeMapHeader,
  writePlain,
  writeStr,
  writeValue,
} from './nexus-value.js';

/** Writes the `Ok` payload of a response. */
export type Reply = (w: ResponseWriter) => void;

/** What a command handler sees of its connection. */
export interface CommandContext {
  readonly core: RequestCore;
  readonly db: NexusDatabase;
  readonly session: Session;
  /** The database the connection selected with DB_USE. */
  database: string;
  /** True while the connection is open (read queries stop when it closes). */
  readonly isOpen: () => boolean;
}

interface CommandSpec {
  /** Function name checked against `allowed_functions` (null: no data, no admission). */
  readonly fn: FunctionName | null;
  readonly permission?: Permission;
  readonly run: (c: CommandContext, scope: CallScope, args: readonly unknown[]) => Promise<Reply> | Reply;
}

/** Quotes a label, type or property name for Cypher. */
export function quoteName(name: string): string {
  if (name.length === 0) throw new NexusError('INVALID_PARAMETER', 'names must not be empty');
  return '`' + name.replace(/`/g, '``') + '`';
}

async function run(c: CommandContext, scope: CallScope, query: string, params: Map<string, Value>) {
  return c.core.run(scope, query, Object.fromEntries(params), { isCancelled: () => !c.isOpen() });
}

/** A catalog read counts as one read query, as on HTTP (GET /schema/*, /stats). */
function countRead(scope: CallScope): void {
  if (scope.usage !== null) scope.usage.readQueries = (scope.usage.readQueries ?? 0) + 1;
}

function names(read: (tx: import('../storage/types.js').GraphReader) => string[]): CommandSpec['run'] {
  return (c, scope) => {
    countRead(scope);
    const list = c.db.namespace(c.session.ctx.namespace).read((tx) => read(tx).sort());
    return (w) => {
      writeArrayHeader(w, list.length);
      for (const name of list) writeStr(w, name);
    };
  };
}

const ok: Reply = (w) => writeStr(w, 'OK');

function requireDefaultDatabase(name: string): void {
  if (!isDefaultDatabase(name)) {
    throw new NexusError('DATABASE_NOT_FOUND', `Database '${name}' does not exist`, {
      details: { database: name },
    });
  }
}

function notSupported(what: string): never {
  throw new NexusError(
    'NOT_IMPLEMENTED',
    `${what} is not supported by this server (see docs/COMPATIBILITY.md)`,
  );
}

function labelsArg(raw: unknown): string[] {
  const v = raw === undefined ? [] : toEngineValue(raw, 'labels');
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((l): l is string => typeof l === 'string' && l.length > 0)) {
    throw new NexusError('INVALID_PARAMETER', 'labels must be an Array of non-empty Str');
  }
  return list;
}

/** EXPORT: a query's rows (or the whole graph) as JSON or CSV text. */
function exportText(format: string, columns: readonly string[], rows: readonly (readonly Value[])[]): string {
  const plain = (v: Value): unknown => {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(plain);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
    if ('labels' in v && 'properties' in v) {
      return { id: v.id, labels: v.labels, properties: plain(v.properties as Value) };
    }
    if ('type' in v && 'start' in v && 'properties' in v) {
      return { id: v.id, type: v.type, start: v.start, end: v.end, properties: plain(v.properties as Value) };
    }
    return String(v);
  };
  const records = rows.map((row) =>
    Object.fromEntries(columns.map((col, i) => [col, plain(row[i] as Value)])),
  );
  switch (format) {
    case 'json':
      return JSON.stringify(records);
    case 'jsonl':
    case 'ndjson':
      return records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : '');
    case 'csv': {
      const cell = (v: unknown): string => {
        if (v === null || v === undefined) return '';
        const s = typeof v === 'string' ? v : JSON.stringify(v);
        return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      const lines = [columns.map(cell).join(',')];
      for (const r of records) lines.push(columns.map((col) => cell(r[col])).join(','));
      return lines.join('\n') + '\n';
    }
    default:
      throw new NexusError('INVALID_PARAMETER', `export format must be json, jsonl or csv (got '${format}')`);
  }
}

/** Runs `INGEST`-shaped batches: nodes grouped by label set, relationships by type. */
async function ingest(
  c: CommandContext,
  scope: CallScope,
  nodes: readonly Map<string, Value>[],
  rels: readonly Map<string, Value>[],
): Promise<{
  nodes: { created: number; errors: number };
  relationships: { created: number; errors: number };
}> {
  const nodeGroups = new Map<string, { labels: string[]; props: Value[] }>();
  nodes.forEach((n, i) => {
    const labels = n.get('labels') ?? [];
    const props = n.get('properties') ?? new Map();
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string' && l.length > 0)) {
      throw new NexusError('INVALID_PARAMETER', `nodes[${i}].labels must be an Array of non-empty Str`);
    }
    if (!(props instanceof Map))
      throw new NexusError('INVALID_PARAMETER', `nodes[${i}].properties must be a Map`);
    const key = JSON.stringify(labels);
    const group = nodeGroups.get(key) ?? { labels: labels as string[], props: [] };
    group.props.push(props);
    nodeGroups.set(key, group);
  });
  const relGroups = new Map<string, Value[]>();
  rels.forEach((r, i) => {
    const type = r.get('type');
    const src = r.get('src') ?? r.get('source_id');
    const dst = r.get('dst') ?? r.get('target_id');
    const props = r.get('properties') ?? new Map();
    if (typeof type !== 'string' || type.length === 0) {
      throw new NexusError('INVALID_PARAMETER', `relationships[${i}].type must be a non-empty Str`);
    }
    if (typeof src !== 'bigint' || typeof dst !== 'bigint') {
      throw new NexusError('INVALID_PARAMETER', `relationships[${i}].src and dst must be Int node ids`);
    }
    if (!(props instanceof Map)) {
      throw new NexusError('INVALID_PARAMETER', `relationships[${i}].properties must be a Map`);
    }
    const list = relGroups.get(type) ?? [];
    list.push(
      new Map<string, Value>([
        ['src', src],
        ['dst', dst],
        ['props', props],
      ]),
    );
    relGroups.set(type, list);
  });
  let nodesCreated = 0;
  for (const group of nodeGroups.values()) {
    const labels = group.labels.map((l) => ':' + quoteName(l)).join('');
    const result = await run(
      c,
      scope,
      `UNWIND $batch AS p CREATE (n${labels}) SET n = p`,
      new Map([['batch', group.props]]),
    );
    nodesCreated += result.stats.nodesCreated;
  }
  let relsCreated = 0;
  for (const [type, batch] of relGroups) {
    const result = await run(
      c,
      scope,
      `UNWIND $batch AS r MATCH (a) WHERE id(a) = r.src MATCH (b) WHERE id(b) = r.dst ` +
        `CREATE (a)-[x:${quoteName(type)}]->(b) SET x = r.props`,
      new Map([['batch', batch]]),
    );
    relsCreated += result.stats.relationshipsCreated;
  }
  return {
    nodes: { created: nodesCreated, errors: nodes.length - nodesCreated },
    relationships: { created: relsCreated, errors: rels.length - relsCreated },
  };
}

function mapList(raw: unknown, what: string): Map<string, Value>[] {
  const v = raw === undefined ? [] : toEngineValue(raw, what);
  if (!Array.isArray(v) || !v.every((item) => item instanceof Map)) {
    throw new NexusError('INVALID_PARAMETER', `${what} must be an Array of Map`);
  }
  return v as Map<string, Value>[];
}

/** Commands that need an authenticated session; PING/HELLO/AUTH/QUIT live in the connection. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = Object.freeze({
  CYPHER: {
    fn: 'execute_cypher',
    permission: 'READ',
    async run(c, scope, args) {
      const query = argString(args, 0, 'query');
      const params = toParams(args[1]);
      const start = performance.now();
      const result = await run(c, scope, query, params);
      const ms = performance.now() - start;
      return (w) => {
        writeMapHeader(w, 5);
        writeKey(w, 'columns');
        writeArrayHeader(w, result.columns.length);
        for (const col of result.columns) writeStr(w, col);
        writeKey(w, 'rows');
        writeArrayHeader(w, result.rows.length);
        for (const row of result.rows) {
          writeArrayHeader(w, row.length);
          for (const v of row) writeValue(w, v);
        }
        writeKey(w, 'stats');
        writePlain(w, { rows: result.rows.length, ...result.stats });
        writeKey(w, 'execution_time_ms');
        writeInt(w, Math.round(ms));
        writeKey(w, 'execution_time_ms_precise');
        writeFloat(w, Math.round(ms * 1000) / 1000);
      };
    },
  },
  STATS: {
    fn: 'get_stats',
    permission: 'READ',
    run(c, scope) {
      countRead(scope);
      const stats = c.db.namespace(c.session.ctx.namespace).read((tx) => ({
        ...tx.stats(),
        labels: tx.labels().length,
        rel_types: tx.relationshipTypes().length,
      }));
      return (w) =>
        writePlain(w, {
          nodes: stats.nodes,
          relationships: stats.relationships,
          labels: stats.labels,
          rel_types: stats.rel_types,
          storage_bytes: stats.bytes,
          page_cache_hits: 0,
          page_cache_misses: 0,
          wal_entries: 0,
          active_transactions: 0,
        });
    },
  },
  HEALTH: {
    fn: null,
    run: () => (w) => writePlain(w, { state: 'healthy', status: 'healthy' }),
  },
  LABELS: { fn: 'list_labels', permission: 'READ', run: names((tx) => tx.labels()) },
  REL_TYPES: {
    fn: 'list_relationship_types',
    permission: 'READ',
    run: names((tx) => tx.relationshipTypes()),
  },
  PROPERTY_KEYS: { fn: 'list_property_keys', permission: 'READ', run: names((tx) => tx.propertyKeys()) },
  INDEXES: {
    fn: 'list_indexes',
    permission: 'READ',
    run(c, scope) {
      countRead(scope);
      const list = c.db
        .namespace(c.session.ctx.namespace)
        .read((tx) =>
          tx.indexes().map((i) => ({ name: i.name, label: i.label, property: i.property, kind: 'property' })),
        );
      return (w) => writePlain(w, list);
    },
  },
  CREATE_NODE: {
    fn: 'create_node',
    permission: 'WRITE',
    async run(c, scope, args) {
      const labels = labelsArg(args[0])
        .map((l) => ':' + quoteName(l))
        .join('');
      const props = toParams(args[1], 'properties');
      const result = await run(
        c,
        scope,
        `CREATE (n${labels}) SET n = $props RETURN id(n)`,
        new Map([['props', props]]),
      );
      const id = result.rows[0]![0] as bigint;
      return (w) => writeInt(w, id);
    },
  },
  CREATE_REL: {
    fn: 'create_relationship',
    permission: 'WRITE',
    async run(c, scope, args) {
      const src = argInt(args, 0, 'src');
      const dst = argInt(args, 1, 'dst');
      const type = quoteName(argString(args, 2, 'type'));
      const props = toParams(args[3], 'properties');
      const result = await run(
        c,
        scope,
        `MATCH (a) WHERE id(a) = $src MATCH (b) WHERE id(b) = $dst CREATE (a)-[r:${type}]->(b) SET r = $props RETURN id(r)`,
        new Map<string, Value>([
          ['src', BigInt(src)],
          ['dst', BigInt(dst)],
          ['props', props],
        ]),
      );
      if (result.rows.length === 0) throw new NexusError('NOT_FOUND', 'source or target node does not exist');
      const id = result.rows[0]![0] as bigint;
      return (w) => writeInt(w, id);
    },
  },
  UPDATE_NODE: {
    fn: 'update_node',
    permission: 'WRITE',
    async run(c, scope, args) {
      const id = argInt(args, 0, 'id');
      const props = toParams(args[1], 'properties');
      const result = await run(
        c,
        scope,
        'MATCH (n) WHERE id(n) = $id SET n += $props RETURN n',
        new Map<string, Value>([
          ['id', BigInt(id)],
          ['props', props],
        ]),
      );
      if (result.rows.length === 0) throw new NexusError('NOT_FOUND', `Node ${id} does not exist`);
      const node = result.rows[0]![0]!;
      return (w) => writeValue(w, node);
    },
  },
  DELETE_NODE: {
    fn: 'delete_node',
    permission: 'WRITE',
    async run(c, scope, args) {
      const id = argInt(args, 0, 'id');
      const detach = args[1] === undefined ? false : toEngineValue(args[1], 'detach') === true;
      const result = await run(
        c,
        scope,
        `MATCH (n) WHERE id(n) = $id ${detach ? 'DETACH ' : ''}DELETE n`,
        new Map<string, Value>([['id', BigInt(id)]]),
      );
      const deleted = result.stats.nodesDeleted > 0;
      return (w) => writeValue(w, deleted);
    },
  },
  MATCH_NODES: {
    fn: 'get_node',
    permission: 'READ',
    async run(c, scope, args) {
      const first = args[0] === undefined ? null : toEngineValue(args[0], 'label');
      const labels = first === null ? [] : labelsArg(args[0]);
      const filter = toParams(args[1], 'filter');
      const limit =
        args[2] === undefined || toEngineValue(args[2], 'limit') === null ? null : argInt(args, 2, 'limit');
      const where = [...filter.keys()].map((k, i) => `n.${quoteName(k)} = $f${i}`);
      const params = new Map<string, Value>([...filter.values()].map((v, i) => [`f${i}`, v]));
      const query =
        `MATCH (n${labels.map((l) => ':' + quoteName(l)).join('')})` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ' RETURN n' +
        (limit === null ? '' : ` LIMIT ${limit}`);
      const result = await run(c, scope, query, params);
      return (w) => {
        writeArrayHeader(w, result.rows.length);
        for (const row of result.rows) writeValue(w, row[0]!);
      };
    },
  },
  INGEST: {
    fn: 'ingest',
    permission: 'WRITE',
    async run(c, scope, args) {
      const result = await ingest(c, scope, mapList(args[0], 'nodes'), mapList(args[1], 'relationships'));
      return (w) => writePlain(w, result);
    },
  },
  EXPORT: {
    fn: 'execute_cypher',
    permission: 'READ',
    async run(c, scope, args) {
      const format = argString(args, 0, 'format').toLowerCase();
      const query = args[1] === undefined ? 'MATCH (n) RETURN n' : argString(args, 1, 'query');
      exportText(format, [], []); // refuses an unknown format before running anything
      const result = await run(c, scope, query, new Map());
      const data = exportText(format, result.columns, result.rows);
      return (w) => writePlain(w, { format, data, rows: result.rows.length });
    },
  },
  IMPORT: {
    fn: 'ingest',
    permission: 'WRITE',
    async run(c, scope, args) {
      const format = argString(args, 0, 'format').toLowerCase();
      const data = argString(args, 1, 'data');
      if (format !== 'json') notSupported(`IMPORT format '${format}' (only json, an INGEST-shaped document)`);
      let doc: unknown;
      try {
        doc = JSON.parse(data);
      } catch (err) {
        throw new NexusError('INVALID_PARAMETER', `IMPORT data is not valid JSON: ${(err as Error).message}`);
      }
      const asMaps = (list: unknown, what: string): Map<string, Value>[] => {
        if (list === undefined) return [];
        if (!Array.isArray(list)) throw new NexusError('INVALID_PARAMETER', `${what} must be an array`);
        return list.map((item, i) => {
          const v = toEngineValueFromJson(item, `${what}[${i}]`);
          if (!(v instanceof Map))
            throw new NexusError('INVALID_PARAMETER', `${what}[${i}] must be an object`);
          return v;
        });
      };
      const body = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
      const result = await ingest(
        c,
        scope,
        asMaps(Array.isArray(doc) ? doc : body.nodes, 'nodes'),
        asMaps(body.relationships, 'relationships'),
      );
      return (w) => writePlain(w, result);
    },
  },
  KNN_SEARCH: {
    fn: 'execute_cypher',
    permission: 'READ',
    run: () => notSupported('KNN_SEARCH (no vector index)'),
  },
  KNN_TRAVERSE: {
    fn: 'execute_cypher',
    permission: 'READ',
    run: () => notSupported('KNN_TRAVERSE (no vector index)'),
  },
  DB_LIST: {
    fn: 'execute_cypher',
    permission: 'READ',
    run: () => (w) =>
      writePlain(w, {
        databases: [DEFAULT_DATABASE_NAME],
        defaultDatabase: DEFAULT_DATABASE_NAME,
        default: DEFAULT_DATABASE_NAME,
      }),
  },
  DB_CURRENT: {
    fn: 'execute_cypher',
    permission: 'READ',
    run: (c) => (w) => writePlain(w, { database: c.database }),
  },
  DB_USE: {
    fn: 'execute_cypher',
    permission: 'READ',
    run(c, _scope, args) {
      const name = argString(args, 0, 'name');
      requireDefaultDatabase(name);
      c.database = DEFAULT_DATABASE_NAME;
      return ok;
    },
  },
  DB_CREATE: {
    fn: 'execute_cypher',
    permission: 'ADMIN',
    run: () => notSupported('DB_CREATE (named databases)'),
  },
  DB_DROP: {
    fn: 'execute_cypher',
    permission: 'ADMIN',
    run: () => notSupported('DB_DROP (named databases)'),
  },
  NODE_CREATE_EXT: {
    fn: 'create_node',
    permission: 'WRITE',
    run: () => notSupported('NODE_CREATE_EXT (external ids)'),
  },
  NODE_GET_BY_EXT_ID: {
    fn: 'get_node',
    permission: 'READ',
    run: () => notSupported('NODE_GET_BY_EXT_ID (external ids)'),
  },
});

/** JSON (IMPORT payload) → engine value: integers exact, other numbers floats. */
function toEngineValueFromJson(v: unknown, path: string): Value {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x, i) => toEngineValueFromJson(x, `${path}[${i}]`));
  if (typeof v === 'object') {
    const out = new Map<string, Value>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out.set(k, toEngineValueFromJson(x, `${path}.${k}`));
    return out;
  }
  throw new NexusError('INVALID_PARAMETER', `${path}: unsupported JSON value`);
}
