// Test fixture: a real Fastify server on 127.0.0.1:0 with the auth layer in an onRequest
// hook (as the server does it) and the MCP plugin, over a real Nexus database in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Nexus } from '../../src/engine/index.js';
import { createAuth, MemorySystemTable, resolveTenantOverride } from '../../src/auth/index.js';
import type { AuthBundle, AuthTableEntry, UserContext } from '../../src/auth/index.js';
import { registerMcp } from '../../src/mcp/index.js';
import { useLosslessJsonBody } from '../../src/server/json-body.js';
import { isNexusError, type ErrorCode } from '../../src/errors.js';
import type { UsageEvent } from '../../src/cluster/types.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTHENTICATION_REQUIRED: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  FUNCTION_NOT_ALLOWED: 403,
  TOO_MANY_AUTH_FAILURES: 429,
  INVALID_PARAMETER: 400,
};

export interface McpFixture {
  app: FastifyInstance;
  url: URL;
  db: Nexus;
  auth: AuthBundle;
  rootKey: string;
  usage: { userId: string | null; event: UsageEvent }[];
  connect(secret: string, headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

export async function startMcpApp(clusterMode: boolean): Promise<McpFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-mcp-'));
  const db = await Nexus.open({ path: dir });
  const auth = await createAuth({
    table: new MemorySystemTable<AuthTableEntry>(),
    enabled: true,
    clusterMode,
    env: {},
  });
  const contexts = new WeakMap<FastifyRequest, UserContext>();
  const usage: McpFixture['usage'] = [];
  const app = Fastify();
  // The server's own JSON body parser (lossless numbers; a "__proto__" key is plain data).
  useLosslessJsonBody(app);
  app.addHook('onRequest', async (request) => {
    const ctx = auth.auth.authenticate(request.headers, request.ip);
    const tenant = request.headers['x-nexus-tenant'];
    contexts.set(request, clusterMode ? resolveTenantOverride(ctx, tenant) : ctx);
  });
  app.setErrorHandler((err, _request, reply) => {
    if (isNexusError(err)) {
      return reply.code(STATUS[err.code] ?? 400).send({ error: { code: err.code, message: err.message } });
    }
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: String(err) } });
  });
  registerMcp(app, {
    db,
    getContext: (request) => {
      const ctx = contexts.get(request);
      if (ctx === undefined) throw new Error('auth hook did not run');
      return ctx;
    },
    recordUsage: (request, event) => usage.push({ userId: contexts.get(request)?.userId ?? null, event }),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = new URL('/mcp', address);
  const clients: Client[] = [];
  return {
    app,
    url,
    db,
    auth,
    rootKey: auth.generatedRootKey ?? '',
    usage,
    async connect(secret: string, headers: Record<string, string> = {}) {
      const client = new Client({ name: 'nexus-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { authorization: `Bearer ${secret}`, ...headers } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
