import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHiveHubEmulator, type HiveHubEmulator } from '../../src/cluster/index.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

// Cluster mode end to end: the real server process against the HiveHub emulator; tenant
// isolation through MCP and the key management rules over REST.
const ROOT = 'cluster-root-key-0123456789abcdefghijkl';
const SERVICE_KEY = 'svc-key-for-tests';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

describe('cluster mode: MCP tenants and key rules on the real server', () => {
  let dir: string;
  let emulator: HiveHubEmulator;
  let server: ServerProcess;
  const clients: Client[] = [];

  async function api(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${server.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function mcp(key: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'cluster-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
        requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } },
      }),
    );
    clients.push(client);
    return client;
  }

  async function json(client: Client, name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const r = (await client.callTool({ name, arguments: args })) as ToolResult;
    return JSON.parse(r.content[0]?.text ?? 'null');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nexus-cluster-mcp-'));
    const users = join(dir, 'users.yml');
    writeFileSync(
      users,
      [
        `service_api_key: ${SERVICE_KEY}`,
        'plans:',
        '  free: { storage_bytes: 10000000, requests_per_minute: 1000, requests_per_hour: 10000 }',
        'users:',
        '  - { user_id: alice, plan: free }',
        '  - { user_id: bob, plan: free }',
        '',
      ].join('\n'),
    );
    emulator = await startHiveHubEmulator({ port: 0, host: '127.0.0.1', users });
    server = await startServerProcess({
      env: { NEXUS_ROOT_API_KEY: ROOT },
      config: {
        cluster: { enabled: true, hivehub: { base_url: emulator.url, service_api_key: SERVICE_KEY } },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.stop();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('isolates tenants and applies the cluster key rules', async () => {
    const mk = async (user: string) => {
      const res = await api('POST', '/auth/keys', ROOT, {
        name: user,
        user_id: user,
        permissions: ['ADMIN'],
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { key: { id: string }; secret: string };
    };
    const alice = await mk('alice');
    const bob = await mk('bob');
    // Every non-SUPER key needs a user_id.
    expect((await api('POST', '/auth/keys', ROOT, { name: 'x', permissions: ['READ'] })).status).toBe(400);
    // A tenant cannot see another tenant's key, nor grant SUPER.
    expect((await api('GET', `/auth/keys/${bob.key.id}`, alice.secret)).status).toBe(404);
    expect(
      (await api('POST', '/auth/keys', alice.secret, { name: 's', permissions: ['SUPER'] })).status,
    ).toBe(403);

    const a = await mcp(alice.secret);
    await json(a, 'create_node', { labels: ['AliceOnly'], properties: { secret: 'a' } });
    expect(await json(a, 'list_labels')).toEqual({ labels: ['AliceOnly'] });

    const b = await mcp(bob.secret);
    expect(await json(b, 'list_labels')).toEqual({ labels: [] });
    expect(await json(b, 'execute_cypher', { query: 'MATCH (n) RETURN count(n) AS c' })).toMatchObject({
      rows: [[0]],
    });
    expect(await json(b, 'get_node', { id: 0 })).toMatchObject({ error: { code: 'NOT_FOUND' } });

    // The root key has no tenant of its own: MCP needs X-Nexus-Tenant, and then sees that tenant only.
    await expect(mcp(ROOT)).rejects.toThrow();
    const asAlice = await mcp(ROOT, { 'x-nexus-tenant': 'alice' });
    expect(await json(asAlice, 'list_labels')).toEqual({ labels: ['AliceOnly'] });
    // A tenant key naming another tenant is refused.
    expect((await api('GET', '/stats', bob.secret, undefined, { 'x-nexus-tenant': 'alice' })).status).toBe(
      403,
    );
  });
});
