/**
 * Mounts the MCP Streamable HTTP endpoint (`POST /mcp`) on a Fastify app. Stateless and
 * JSON-response mode: each POST builds a server for the request's caller, hands the
 * already-parsed body to the SDK's web-standard transport, and the SDK's `Response` is
 * sent through Fastify's normal reply path, so the server's hooks (auth, rate-limit
 * headers, metrics, usage) apply to MCP exactly as to REST routes.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { NexusDatabase } from '../engine/api.js';
import type { QueryResult, Value } from '../engine/values.js';
import type { UsageEvent } from '../cluster/types.js';
import type { UserContext } from '../auth/types.js';
import { createMcpServer, type McpServerInfo } from './mcp-server.js';
import type { ToolEnv } from './tools.js';

export const MCP_PATH = '/mcp';

export interface McpDeps {
  db: NexusDatabase;
  /**
   * The caller's context, as the server's onRequest hook resolved it (tenant override
   * included). Throw a NexusError to refuse the request.
   */
  getContext(request: FastifyRequest): UserContext;
  /** Cluster mode: adds a tool call's usage deltas to the request's usage. */
  recordUsage?(request: FastifyRequest, event: UsageEvent): void;
  /** Runs execute_cypher through the server's request core (see ToolEnv.runCypher). */
  runCypher?(request: FastifyRequest, query: string, params: Record<string, Value>): Promise<QueryResult>;
  /** Cluster mode: the tenant's storage quota in bytes (undefined/null = none). */
  maxStorageBytes?(request: FastifyRequest): number | null | undefined;
  /** Cluster mode: asked before an ingest (throws STORAGE_QUOTA_EXCEEDED). */
  checkImport?(request: FastifyRequest, estimatedBytes: number): Promise<void>;
  /** Per-query timeout for execute_cypher (default: the database's). */
  queryTimeoutMs?: number;
  /**
   * Most JSON-RPC messages one POST may carry (a batch is an array of them). Cluster mode
   * sets 1: the rate limit counts HTTP requests, so a 100-message batch of tool calls
   * would otherwise run 100 queries for one unit of the tenant's budget. Default: no limit
   * beyond the SDK's own.
   */
  maxBatchMessages?: number;
  /** Merged into the config of the /mcp routes (e.g. the server's auth rule for the route). */
  routeConfig?: Record<string, unknown>;
  serverInfo?: McpServerInfo;
}

function batchTooLarge(limit: number): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    error: {
      code: -32600,
      message: `Invalid Request: at most ${limit} JSON-RPC message(s) per request; send a batch's messages as separate requests`,
    },
    id: null,
  });
}

/**
 * The server's lossless body parser turns an integral float (`1.0`, `1e3`) into a
 * `{"$float": "…"}` escape — right inside tool arguments, but a JSON-RPC `id` must stay a
 * number, or the SDK refuses the whole message as a parse error. Such an id is put back
 * to its number (exact: it is integral). An integer id beyond 2^53 (`{"$int"}`) cannot be
 * echoed exactly and stays refused.
 */
function restoreNumericId(message: unknown): void {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
  const msg = message as Record<string, unknown>;
  const id = msg.id;
  if (typeof id !== 'object' || id === null || Array.isArray(id)) return;
  const escape = id as Record<string, unknown>;
  if (Object.keys(escape).length !== 1 || typeof escape.$float !== 'string') return;
  const n = Number(escape.$float);
  if (Number.isFinite(n)) msg.id = n;
}

const JSON_RPC_METHOD_NOT_ALLOWED = JSON.stringify({
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless, use POST' },
  id: null,
});

/** The headers the MCP transport reads; nothing else (credentials included) is handed over. */
const FORWARDED_HEADERS = [
  'accept',
  'content-type',
  'mcp-protocol-version',
  'mcp-session-id',
  'last-event-id',
];

function toWebRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  // A fixed origin: the Host header is client-controlled and the transport does not need it.
  // The body is passed pre-parsed, so the Request carries none.
  return new Request(`http://localhost${request.url}`, { method: request.method, headers });
}

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'content-length') void reply.header(name, value);
  });
  const body = await response.text();
  return reply.send(body === '' ? undefined : body);
}

export function registerMcp(app: FastifyInstance, deps: McpDeps): void {
  const info = deps.serverInfo ?? { name: 'nexus', version: '0.1.0' };
  const config = { ...(deps.routeConfig ?? {}) };

  app.post(MCP_PATH, { config }, async (request, reply) => {
    const limit = deps.maxBatchMessages;
    if (limit !== undefined && Array.isArray(request.body) && request.body.length > limit) {
      return reply.code(400).header('content-type', 'application/json').send(batchTooLarge(limit));
    }
    if (Array.isArray(request.body)) for (const message of request.body) restoreNumericId(message);
    else restoreNumericId(request.body);
    const ctx = deps.getContext(request);
    const quota = deps.maxStorageBytes?.(request);
    const env: ToolEnv = {
      db: deps.db,
      ctx,
      ...(quota === undefined || quota === null ? {} : { maxStorageBytes: quota }),
      ...(deps.queryTimeoutMs === undefined ? {} : { queryTimeoutMs: deps.queryTimeoutMs }),
      ...(deps.recordUsage === undefined
        ? {}
        : { recordUsage: (event: UsageEvent) => deps.recordUsage?.(request, event) }),
      ...(deps.runCypher === undefined
        ? {}
        : {
            runCypher: (query: string, params: Record<string, Value>) =>
              deps.runCypher!(request, query, params),
          }),
      ...(deps.checkImport === undefined
        ? {}
        : { checkImport: (bytes: number) => deps.checkImport?.(request, bytes) ?? Promise.resolve() }),
    };
    const server = createMcpServer(env, info, (err, tool) => {
      request.log.error({ err, tool }, 'MCP tool failed unexpectedly');
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(toWebRequest(request), { parsedBody: request.body });
      return await sendWebResponse(reply, response);
    } finally {
      await server.close();
    }
  });

  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .header('content-type', 'application/json')
      .send(JSON_RPC_METHOD_NOT_ALLOWED);
  app.get(MCP_PATH, { config }, notAllowed);
  app.delete(MCP_PATH, { config }, notAllowed);
}

/** The same, as a plugin for `app.register(mcpPlugin(deps))` or the server's `plugins` list. */
export function mcpPlugin(deps: McpDeps): FastifyPluginAsync {
  return async (app) => registerMcp(app, deps);
}
