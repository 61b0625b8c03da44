/**
 * White-box security fixture: the real server stack of cluster mode in-process — a real
 * `Nexus` in a temp dir, the real auth layer (ApiKeyService + AuthService over the
 * store's own system table), the key-management routes and the MCP endpoint, wired as
 * `openServices` wires them. Only the cluster gate is a recording fake (no HiveHub).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { AUTH_TABLE_NAME, createAuth, keyRoutes, type AuthBundle } from '../../src/auth/index.js';
import type { AuthTableEntry } from '../../src/auth/api-key-service.js';
import { Nexus } from '../../src/engine/nexus.js';
import { mcpPlugin } from '../../src/mcp/index.js';
import { addUsage, contextOf, createServer, type NexusServer } from '../../src/server/index.js';
import { CLUSTER_CONFIG, RecordingGate, testConfig } from '../server/support.js';

/** What `JSON.parse` returns: the tests read answers structurally. */
export type ParsedJson = ReturnType<typeof JSON.parse>;

export const ROOT_KEY = 'nx_root_key_for_the_security_review_tests_0123456789';

export interface Stack {
  server: NexusServer;
  db: Nexus;
  auth: AuthBundle;
  gate: RecordingGate;
  request(
    key: string | null,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ statusCode: number; body: string; headers: Record<string, unknown>; json(): ParsedJson }>;
  /** Creates a key with the root (SUPER) key; returns its secret and id. */
  createKey(body: Record<string, unknown>, as?: string): Promise<{ secret: string; id: string }>;
  /** One MCP `tools/call`; returns the HTTP status and the parsed tool result (or JSON-RPC body). */
  mcp(
    key: string,
    tool: string,
    args: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    body: ParsedJson;
  }>;
  close(): Promise<void>;
}

export interface StackOptions {
  config?: Record<string, unknown>;
  /** The MCP ingest tool's import check (cluster mode asks HiveHub there). */
  checkImport?: (userId: string | null, bytes: number) => Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-security-'));
  const db = await Nexus.open({ path: join(dir, 'db'), sync: false });
  const auth = await createAuth({
    table: db.systemTable<AuthTableEntry>(AUTH_TABLE_NAME),
    enabled: true,
    clusterMode: true,
    rootApiKey: ROOT_KEY,
    env: {},
    maxFailuresPerMinute: 1000,
  });
  const gate = new RecordingGate();
  const keyPlugin: FastifyPluginAsync = async (app) => {
    await app.register(keyRoutes, { keys: auth.keys, getContext: contextOf });
  };
  const server = await createServer({
    config: testConfig({ ...CLUSTER_CONFIG, ...(options.config ?? {}) }),
    db,
    auth: auth.auth,
    clusterGate: gate,
    plugins: [
      keyPlugin,
      mcpPlugin({
        db,
        getContext: contextOf,
        recordUsage: (req, event) => addUsage(req, event),
        maxStorageBytes: (req) => req.quotaBytes,
        ...(options.checkImport === undefined
          ? {}
          : { checkImport: (req, bytes) => options.checkImport!(req.tenantId, bytes) }),
      }),
    ],
    version: '0.0.0-security',
    logger: false,
  });

  const stack: Stack = {
    server,
    db,
    auth,
    gate,
    async request(key, method, url, payload, headers = {}) {
      const res = await server.app.inject({
        method,
        url,
        headers: { ...headers, ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      return {
        statusCode: res.statusCode,
        body: res.body,
        headers: res.headers as Record<string, unknown>,
        json: () => JSON.parse(res.body),
      };
    },
    async createKey(body, as = ROOT_KEY) {
      const res = await stack.request(as, 'POST', '/auth/api-keys', body);
      if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`);
      const json = res.json();
      return { secret: json.secret, id: json.key.id };
    },
    async mcp(key, tool, args, headers = {}) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          ...headers,
          authorization: `Bearer ${key}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-protocol-version': '2025-06-18',
        },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args } },
      });
      if (res.statusCode !== 200) return { status: res.statusCode, body: JSON.parse(res.body) };
      const rpc = JSON.parse(res.body);
      const text = rpc.result?.content?.[0]?.text;
      return { status: 200, body: text === undefined ? rpc : JSON.parse(text) };
    },
    async close() {
      await server.app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
