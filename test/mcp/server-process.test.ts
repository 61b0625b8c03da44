import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// End to end against the real server process: auth enabled, root key from the environment,
// keys created over REST, MCP and REST sharing the same function-level rules.
const ROOT = 'test-root-key-0123456789abcdefghijklmnop';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

describe('auth and MCP on the real server process', () => {
  let server: ServerProcess;
  const clients: Client[] = [];

  async function api(method: string, path: string, key: string | null, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${server.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function mcp(key: string): Promise<Client> {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
        requestInit: { headers: { 'x-api-key': key } },
      }),
    );
    clients.push(client);
    return client;
  }

  async function createKey(body: Record<string, unknown>): Promise<{ key: { id: string }; secret: string }> {
    const res = await api('POST', '/auth/keys', ROOT, body);
    expect(res.status).toBe(201);
    return (await res.json()) as { key: { id: string }; secret: string };
  }

  beforeAll(async () => {
    server = await startServerProcess({
      env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT },
      config: { auth: { failed_attempts_per_minute: 5 } },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.stop();
  });

  it('MCP tools work with a full key, and respect a restricted key on MCP and REST alike', async () => {
    const writer = await createKey({ name: 'writer', permissions: ['WRITE'] });
    const full = await mcp(writer.secret);
    expect((await full.listTools()).tools).toHaveLength(10);
    const created = (await full.callTool({
      name: 'create_node',
      arguments: { labels: ['E2E'], properties: { big: { $int: '9007199254740993' }, f: 1.5 } },
    })) as ToolResult;
    expect(created.isError ?? false).toBe(false);
    const node = JSON.parse(created.content[0]?.text ?? '{}') as { id: number };
    const cypher = (await full.callTool({
      name: 'execute_cypher',
      arguments: { query: 'MATCH (n:E2E) RETURN n.big AS big, n.f AS f' },
    })) as ToolResult;
    expect(JSON.parse(cypher.content[0]?.text ?? '{}')).toMatchObject({
      rows: [[{ $int: '9007199254740993' }, 1.5]],
    });

    const limited = await createKey({
      name: 'limited',
      permissions: ['READ'],
      allowed_functions: ['get_node'],
    });
    const client = await mcp(limited.secret);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['get_node']);
    const refused = (await client.callTool({ name: 'get_stats', arguments: {} })) as ToolResult;
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content[0]?.text ?? '{}')).toMatchObject({
      error: { code: 'FUNCTION_NOT_ALLOWED' },
    });
    const got = (await client.callTool({ name: 'get_node', arguments: { id: node.id } })) as ToolResult;
    expect(JSON.parse(got.content[0]?.text ?? '{}')).toMatchObject({ id: node.id, labels: ['E2E'] });

    const rest = await api('GET', '/stats', limited.secret);
    expect(rest.status).toBe(403);
    expect(await rest.json()).toMatchObject({ error: { code: 'FUNCTION_NOT_ALLOWED' } });
    expect((await api('GET', `/data/nodes/${node.id}`, limited.secret)).status).toBe(200);
    // READ key: a write through Cypher is refused even though execute_cypher is a READ function.
    const reader = await createKey({ name: 'reader', permissions: ['READ'] });
    const w = await api('POST', '/cypher', reader.secret, { query: 'CREATE (:Nope)' });
    expect(w.status).toBe(403);
  });

  it('revocation takes effect on the next request', async () => {
    const k = await createKey({ name: 'short-lived', permissions: ['READ'] });
    expect((await api('GET', '/schema/labels', k.secret)).status).toBe(200);
    expect((await api('DELETE', `/auth/keys/${k.key.id}`, ROOT)).status).toBe(200);
    const after = await api('GET', '/schema/labels', k.secret);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it('answers 401 without a key and 429 after repeated failures', async () => {
    const none = await api('GET', '/stats', null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'AUTHENTICATION_REQUIRED' } });
    // Budget is 5 failures per minute per address (earlier tests may have used one).
    let failures = 0;
    for (;;) {
      const res = await api('GET', '/stats', 'nx_' + 'B'.repeat(43));
      if (res.status === 429) break;
      expect(res.status).toBe(401);
      failures += 1;
      expect(failures).toBeLessThanOrEqual(5);
    }
    expect(failures).toBeGreaterThanOrEqual(4);
    // Throttling punishes failures only: a valid key from the same address is still served,
    // while a further bad key is refused with the wait.
    expect((await api('GET', '/stats', ROOT)).status).toBe(200);
    const blocked = await api('GET', '/stats', 'nx_' + 'C'.repeat(43));
    expect(blocked.status).toBe(429);
    const body = (await blocked.json()) as {
      error: { code: string; details?: { retryAfterSeconds?: number } };
    };
    expect(body.error.code).toBe('TOO_MANY_AUTH_FAILURES');
    expect(body.error.details?.retryAfterSeconds).toBeGreaterThan(0);
  });
});
