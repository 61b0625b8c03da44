/**
 * End-to-end harness: the HiveHub emulator and the Nexus server as two real processes on
 * 127.0.0.1 (port 0), plus thin wire clients (raw HTTP and MCP) that the attack-style e2e
 * suites share. Nothing here reaches into either process: everything goes over the wire.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify as toYaml } from 'yaml';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../../helpers/server-process.js';

export const ROOT_KEY = 'e2e-root-key-0123456789abcdefghijklmnop';
export const SERVICE_KEY = 'e2e-service-key';

/** Every MCP tool the server offers, sorted by name. */
export const MCP_TOOLS = [
  'create_node',
  'create_relationship',
  'delete_node',
  'execute_cypher',
  'get_node',
  'get_schema',
  'get_stats',
  'ingest',
  'list_labels',
  'list_relationship_types',
];

export interface EmulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Calls a `/__emulator/*` control route and returns its JSON. */
  control(path: string, method?: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export interface EmulatorUser {
  user_id: string;
  plan?: string;
  status?: 'active' | 'suspended';
  quotas?: Partial<Record<'storage_bytes' | 'requests_per_minute' | 'requests_per_hour', number | null>>;
  cache_ttl_seconds?: number;
}

export interface UsersDoc {
  plans?: Record<string, Record<string, number | null>>;
  users: EmulatorUser[];
  cache_ttl_seconds?: number;
}

/** Starts `src/cluster/emulator/main.ts` as a child process and waits for its ready line. */
export async function startEmulatorProcess(doc: UsersDoc): Promise<EmulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-e2e-emu-'));
  const file = join(dir, 'users.yml');
  writeFileSync(
    file,
    toYaml({
      service_api_key: SERVICE_KEY,
      cache_ttl_seconds: doc.cache_ttl_seconds ?? 60,
      plans: doc.plans ?? {
        big: { storage_bytes: 100_000_000, requests_per_minute: 100_000, requests_per_hour: 1_000_000 },
      },
      users: doc.users,
    }),
  );
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cluster/emulator/main.ts',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--users',
      file,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    child,
    async control(path, method = 'GET', body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `cluster:` config section pointing at an emulator; `extra` is merged on top. */
export function clusterConfig(
  emulatorUrl: string,
  extra: {
    cluster?: Record<string, unknown>;
    hivehub?: Record<string, unknown>;
    top?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  return {
    ...extra.top,
    cluster: {
      enabled: true,
      ...extra.cluster,
      hivehub: {
        base_url: emulatorUrl,
        service_api_key: SERVICE_KEY,
        timeout_ms: 1000,
        retries: 1,
        retry_delay_ms: 10,
        ...extra.hivehub,
      },
    },
  };
}

export async function startClusterServer(
  emulatorUrl: string,
  extra: Parameters<typeof clusterConfig>[1] = {},
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  return startServerProcess({
    env: { NEXUS_ROOT_API_KEY: ROOT_KEY, ...options.env },
    config: clusterConfig(emulatorUrl, extra),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
}

export interface WireResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Raw body text (sent as-is, with `contentType`). */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One HTTP exchange against `baseUrl`; never throws on a non-2xx answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<WireResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined && options.key !== null) headers.authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export interface PublishedRoute {
  method: string;
  /** The path with Fastify-style parameters, e.g. `/data/nodes/:id`. */
  pattern: string;
  /** A concrete path for it: every parameter `0`. */
  path: string;
}

/** Every (method, path) the server's own /openapi.json publishes, in document order. */
export async function publishedRoutes(baseUrl: string, key: string): Promise<PublishedRoute[]> {
  const doc = (await call(baseUrl, 'GET', '/openapi.json', { key })).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({
      method: m.toUpperCase(),
      pattern: path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1'),
      // A real database name (the Query API checks it); every other parameter is an id.
      path: path.replace('{database}', 'neo4j').replace(/\{[A-Za-z0-9_]+\}/g, '0'),
    })),
  );
}

export interface CreatedKey {
  id: string;
  secret: string;
}

/** Creates a key through the key-management API with `managerKey` (root by default). */
export async function createKey(
  baseUrl: string,
  spec: { name?: string; user_id?: string; permissions: string[]; allowed_functions?: string[] | null },
  managerKey = ROOT_KEY,
): Promise<CreatedKey> {
  const res = await call(baseUrl, 'POST', '/auth/keys', {
    key: managerKey,
    body: { name: spec.name ?? `${spec.user_id ?? 'op'}-${spec.permissions.join('-')}`, ...spec },
  });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
  const body = res.body as { key: { id: string }; secret: string };
  return { id: body.key.id, secret: body.secret };
}

/** Runs Cypher over REST and returns the raw exchange. */
export function cypher(
  baseUrl: string,
  key: string,
  query: string,
  params?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<WireResponse> {
  return call(baseUrl, 'POST', '/cypher', {
    key,
    body: params === undefined ? { query } : { query, params },
    ...(headers === undefined ? {} : { headers }),
  });
}

/** Rows of a successful Cypher call; fails loudly with the body otherwise. */
export async function rows(
  baseUrl: string,
  key: string,
  query: string,
  params?: Record<string, unknown>,
): Promise<unknown[][]> {
  const res = await cypher(baseUrl, key, query, params);
  if (res.status !== 200) throw new Error(`${query} -> ${res.status} ${res.text}`);
  return (res.body as { rows: unknown[][] }).rows;
}

export interface McpHandle {
  client: Client;
  /** Calls a tool; returns the parsed JSON of its first text content and the isError flag. */
  tool(
    name: string,
    args?: Record<string, unknown>,
  ): Promise<{ isError: boolean; json: unknown; text: string }>;
  close(): Promise<void>;
}

export async function mcpConnect(
  baseUrl: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<McpHandle> {
  const client = new Client({ name: 'nexus-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
      requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } },
    }),
  );
  return {
    client,
    async tool(name, args = {}) {
      const r = (await client.callTool({ name, arguments: args })) as {
        isError?: boolean;
        content: { type: string; text?: string }[];
      };
      const text = r.content[0]?.text ?? '';
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { isError: r.isError === true, json, text };
    },
    close: () => client.close(),
  };
}

/** The `{"error":{"code","message"}}` body's code, or undefined when the body has another shape. */
export function errorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
