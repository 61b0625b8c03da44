/**
 * Where `nexus shell` runs its statements: embedded on a data directory (the engine in this
 * process) or remote on a server (`POST /cypher` with an API key). Both return engine
 * `Value`s, so one formatter serves both; the remote one rebuilds nodes, relationships and
 * paths from their JSON shapes and reads integers/floats losslessly.
 */
import type { NexusDatabase, Transaction } from '../../engine/api.js';
import { jsonToValue, serializeValue } from '../../engine/json-values.js';
import { Node, Path, Relationship, type QueryStats, type Value } from '../../engine/values.js';
import { NexusError, ERROR_CODES, type ErrorCode } from '../../errors.js';
import { parseJsonBody } from '../../server/json-body.js';

export interface ShellResult {
  columns: readonly string[];
  rows: readonly (readonly Value[])[];
  stats: QueryStats;
}

export interface ShellBackend {
  /** e.g. `embedded ./data` or `http://127.0.0.1:15474`. */
  readonly description: string;
  run(query: string, params: Record<string, Value>): Promise<ShellResult>;
  /** Explicit transactions; undefined when this backend has none (yet). */
  begin?(): Promise<void>;
  commit?(): Promise<void>;
  rollback?(): Promise<void>;
  readonly inTransaction: boolean;
  close(): Promise<void>;
}

/** The engine in this process. Transactions are offered when the engine implements them. */
export function embeddedBackend(db: NexusDatabase, description: string): ShellBackend {
  let tx: Transaction | null = null;
  const backend: ShellBackend = {
    description,
    get inTransaction() {
      return tx !== null;
    },
    async run(query, params) {
      const result = tx !== null ? await tx.run(query, params) : await db.execute(query, params);
      return { columns: result.columns, rows: result.rows, stats: result.stats };
    },
    async close() {
      if (tx !== null) await tx.rollback().catch(() => undefined);
      await db.close();
    },
  };
  if (typeof db.beginTransaction === 'function') {
    const begin = db.beginTransaction.bind(db);
    backend.begin = async () => {
      if (tx !== null)
        throw new NexusError('CONFLICT', 'a transaction is already open: :commit or :rollback it');
      tx = begin();
    };
    backend.commit = async () => {
      if (tx === null) throw new NexusError('TRANSACTION_NOT_FOUND', 'no open transaction (:begin first)');
      const open = tx;
      tx = null;
      await open.commit();
    };
    backend.rollback = async () => {
      if (tx === null) throw new NexusError('TRANSACTION_NOT_FOUND', 'no open transaction (:begin first)');
      const open = tx;
      tx = null;
      await open.rollback();
    };
  }
  return backend;
}

/** Rebuilds a value from the server's JSON: node/relationship/path shapes become graph values. */
export function wireToValue(v: unknown): Value {
  if (Array.isArray(v)) return v.map(wireToValue);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys === 'id,labels,properties') return wireNode(o);
    if (keys === 'end,id,properties,start,type') return wireRel(o);
    if (keys === 'nodes,relationships' && Array.isArray(o.nodes) && Array.isArray(o.relationships)) {
      return new Path(
        o.nodes.map((n) => wireNode(n as Record<string, unknown>)),
        o.relationships.map((r) => wireRel(r as Record<string, unknown>)),
      );
    }
    if (keys !== '$int' && keys !== '$float') {
      const map = new Map<string, Value>();
      for (const [k, x] of Object.entries(o)) map.set(k, wireToValue(x));
      return map;
    }
  }
  return jsonToValue(v, 'result');
}

function wireProps(p: unknown): Map<string, Value> {
  const map = new Map<string, Value>();
  for (const [k, x] of Object.entries((p ?? {}) as Record<string, unknown>)) map.set(k, wireToValue(x));
  return map;
}

function wireNode(o: Record<string, unknown>): Node {
  return new Node(Number(o.id), o.labels as string[], wireProps(o.properties));
}

function wireRel(o: Record<string, unknown>): Relationship {
  return new Relationship(
    Number(o.id),
    String(o.type),
    Number(o.start),
    Number(o.end),
    wireProps(o.properties),
  );
}

/** A server at `url`, authenticated with `key` when given. No explicit transactions (yet). */
export function remoteBackend(url: string, key: string | undefined): ShellBackend {
  const base = url.replace(/\/+$/, '');
  return {
    description: base,
    inTransaction: false,
    async run(query, params) {
      const paramsJson = Object.entries(params)
        .map(([k, v]) => `${JSON.stringify(k)}:${serializeValue(v)}`)
        .join(',');
      let res: Response;
      try {
        res = await fetch(`${base}/cypher`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          },
          body: `{"query":${JSON.stringify(query)},"params":{${paramsJson}}}`,
        });
      } catch (err) {
        throw new NexusError(
          'SERVICE_UNAVAILABLE',
          `cannot reach ${base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}. ` +
            'Is the server running (nexus serve)? Check --url',
        );
      }
      const text = await res.text();
      const body = parseJsonBody(text) as {
        columns?: string[];
        rows?: unknown[][];
        stats?: QueryStats;
        error?: { code: string; message: string };
      };
      if (!res.ok || body.error !== undefined) {
        const code = (body.error?.code ?? 'INTERNAL_ERROR') as ErrorCode;
        let message = body.error?.message ?? `HTTP ${res.status}`;
        if (code === 'AUTHENTICATION_REQUIRED' || code === 'INVALID_TOKEN') {
          message += '. Pass an API key with --key or NEXUS_API_KEY';
        }
        throw new NexusError(code in ERROR_CODES ? code : 'INTERNAL_ERROR', message);
      }
      return {
        columns: body.columns ?? [],
        rows: (body.rows ?? []).map((row) => row.map(wireToValue)),
        stats: body.stats ?? ({} as QueryStats),
      };
    },
    async close() {},
  };
}
