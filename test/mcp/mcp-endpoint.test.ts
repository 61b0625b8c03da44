import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { MCP_TOOL_FUNCTIONS, type UserContext } from '../../src/auth/index.js';
import { startMcpApp, type McpFixture } from './mcp-app.js';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** The parsed JSON of a successful call; fails the test on a tool error. */
async function ok(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const result = await call(client, name, args);
  expect(result.isError ?? false, result.content[0]?.text).toBe(false);
  return JSON.parse(result.content[0]?.text ?? 'null') as Record<string, unknown>;
}

async function errorCode(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError).toBe(true);
  const text = result.content[0]?.text ?? '';
  try {
    return (JSON.parse(text) as { error: { code: string } }).error.code;
  } catch {
    return text;
  }
}

describe('MCP endpoint (cluster mode, real server and database)', () => {
  let fx: McpFixture;
  let root: UserContext;
  let aliceSecret: string;
  let bobSecret: string;
  let readerSecret: string;
  let restrictedSecret: string;
  let alice: Client;

  beforeAll(async () => {
    fx = await startMcpApp(true);
    root = fx.auth.auth.authenticate({ 'x-api-key': fx.rootKey }, '127.0.0.1');
    const keys = fx.auth.keys;
    aliceSecret = (await keys.create({ name: 'a', permissions: ['WRITE'], user_id: 'alice' }, root)).secret;
    bobSecret = (await keys.create({ name: 'b', permissions: ['WRITE'], user_id: 'bob' }, root)).secret;
    readerSecret = (await keys.create({ name: 'r', permissions: ['READ'], user_id: 'alice' }, root)).secret;
    restrictedSecret = (
      await keys.create(
        {
          name: 'x',
          permissions: ['WRITE'],
          user_id: 'alice',
          allowed_functions: ['get_node', 'list_labels'],
        },
        root,
      )
    ).secret;
    alice = await fx.connect(aliceSecret);
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('initializes and lists every tool with a description and an object input schema', async () => {
    expect(alice.getServerVersion()?.name).toBe('nexus');
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_FUNCTIONS].sort());
    for (const t of tools) {
      expect(t.description?.length ?? 0).toBeGreaterThan(20);
      expect(t.inputSchema.type).toBe('object');
    }
    const cypher = tools.find((t) => t.name === 'execute_cypher');
    expect(cypher?.inputSchema.required).toEqual(['query']);
  });

  it('creates, reads and deletes through every data tool', async () => {
    const a = await ok(alice, 'create_node', { labels: ['Person'], properties: { name: 'Ada', born: 1815 } });
    expect(a).toMatchObject({ labels: ['Person'], properties: { name: 'Ada', born: 1815 } });
    const b = await ok(alice, 'create_node', { labels: ['Person'], properties: { name: 'Bob' } });
    const rel = await ok(alice, 'create_relationship', {
      src: a.id,
      dst: b.id,
      type: 'KNOWS',
      properties: { since: 2020 },
    });
    expect(rel).toMatchObject({ type: 'KNOWS', start: a.id, end: b.id, properties: { since: 2020 } });

    expect(await ok(alice, 'get_node', { id: a.id })).toEqual(a);
    expect(await ok(alice, 'list_labels')).toEqual({ labels: ['Person'] });
    expect(await ok(alice, 'list_relationship_types')).toEqual({ relationship_types: ['KNOWS'] });
    const schema = await ok(alice, 'get_schema');
    expect(schema).toMatchObject({ labels: [{ label: 'Person', count: 2 }], relationship_types: ['KNOWS'] });
    expect((schema.property_keys as string[]).sort()).toEqual(['born', 'name', 'since']);
    expect(await ok(alice, 'get_stats')).toMatchObject({
      nodes: 2,
      relationships: 1,
      labels: 1,
      relationship_types: 1,
    });

    const q = await ok(alice, 'execute_cypher', {
      query:
        'MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN f.name AS friend, 1.0 AS f, 9007199254740993 AS big',
      params: { name: 'Ada' },
    });
    expect(q.columns).toEqual(['friend', 'f', 'big']);
    expect(q.rows).toEqual([['Bob', 1, { $int: '9007199254740993' }]]);
    const raw = await call(alice, 'execute_cypher', { query: 'RETURN 1.0 AS f' });
    expect(raw.content[0]?.text).toContain('[[1.0]]');

    expect(await errorCode(alice, 'delete_node', { id: a.id })).toBe('CONSTRAINT_VIOLATION');
    expect(await ok(alice, 'delete_node', { id: a.id, detach: true })).toEqual({
      deleted: true,
      id: a.id,
      relationshipsDeleted: 1,
    });
    expect(await errorCode(alice, 'get_node', { id: a.id })).toBe('NOT_FOUND');
    expect(await errorCode(alice, 'create_relationship', { src: b.id, dst: 99999, type: 'X' })).toBe(
      'NOT_FOUND',
    );
  });

  it('ingests a batch in one transaction, refs resolved, nothing on error', async () => {
    const res = await ok(alice, 'ingest', {
      nodes: [
        { ref: 'c', labels: ['City'], properties: { name: 'Paris' } },
        { ref: 'd', labels: ['City'], properties: { name: 'Lyon' } },
      ],
      relationships: [{ src: 'c', dst: 'd', type: 'ROAD', properties: { km: 465 } }],
    });
    expect(res).toMatchObject({ nodes_created: 2, relationships_created: 1 });
    const refs = res.refs as Record<string, number>;
    const check = await ok(alice, 'execute_cypher', {
      query: 'MATCH (a:City)-[r:ROAD]->(b:City) WHERE id(a) = $c RETURN b.name, r.km',
      params: { c: refs.c },
    });
    expect(check.rows).toEqual([['Lyon', 465]]);

    const before = await ok(alice, 'get_stats');
    expect(
      await errorCode(alice, 'ingest', {
        nodes: [{ ref: 'x', labels: ['City'] }],
        relationships: [{ src: 'x', dst: 'nope', type: 'ROAD' }],
      }),
    ).toBe('INVALID_BODY');
    expect(
      await errorCode(alice, 'ingest', {
        nodes: [{ labels: ['City'] }],
        relationships: [{ src: 0, dst: 98765, type: 'R' }],
      }),
    ).toBe('INVALID_BODY');
    expect((await ok(alice, 'get_stats')).nodes).toBe(before.nodes);
  });

  it('reports usage deltas of tool calls for the tenant', async () => {
    const n = fx.usage.length;
    await ok(alice, 'create_node', { labels: ['U'] });
    await ok(alice, 'execute_cypher', { query: 'CREATE (:U), (:U)' });
    expect(fx.usage.slice(n)).toEqual([
      { userId: 'alice', event: { writeQueries: 1, nodesCreated: 1 } },
      {
        userId: 'alice',
        event: expect.objectContaining({ writeQueries: 1, readQueries: 0, nodesCreated: 2 }) as unknown,
      },
    ]);
  });

  it('keeps tenants apart', async () => {
    const bob = await fx.connect(bobSecret);
    expect(await ok(bob, 'get_stats')).toMatchObject({ nodes: 0, relationships: 0 });
    expect(await ok(bob, 'list_labels')).toEqual({ labels: [] });
    const q = await ok(bob, 'execute_cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(q.rows).toEqual([[0]]);
    expect(await errorCode(bob, 'get_node', { id: 0 })).toBe('NOT_FOUND');
    // The root key acting as bob (X-Nexus-Tenant) sees bob's graph, not alice's.
    await ok(bob, 'create_node', { labels: ['BobOnly'] });
    const asBob = await fx.connect(fx.rootKey, { 'x-nexus-tenant': 'bob' });
    expect(await ok(asBob, 'list_labels')).toEqual({ labels: ['BobOnly'] });
  });

  it('a restricted key lists only its functions and gets FUNCTION_NOT_ALLOWED for others', async () => {
    const client = await fx.connect(restrictedSecret);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_node', 'list_labels']);
    expect(await errorCode(client, 'execute_cypher', { query: 'MATCH (n) DETACH DELETE n' })).toBe(
      'FUNCTION_NOT_ALLOWED',
    );
    // Refused before argument validation: bad arguments do not mask the refusal.
    expect(await errorCode(client, 'create_node', { bogus: true })).toBe('FUNCTION_NOT_ALLOWED');
    expect((await ok(client, 'list_labels')).labels).toContain('Person');
    const unknown = await call(client, 'no_such_tool');
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]?.text).toMatch(/not found/);
  });

  it('a READ key cannot write, not even through Cypher', async () => {
    const reader = await fx.connect(readerSecret);
    expect(await errorCode(reader, 'execute_cypher', { query: 'CREATE (:Hack)' })).toBe('FORBIDDEN');
    expect(await errorCode(reader, 'create_node', { labels: ['Hack'] })).toBe('FORBIDDEN');
    expect(await errorCode(reader, 'ingest', { nodes: [{ labels: ['Hack'] }] })).toBe('FORBIDDEN');
    const q = await ok(reader, 'execute_cypher', { query: 'MATCH (n:Hack) RETURN count(n) AS c' });
    expect(q.rows).toEqual([[0]]);
  });

  it('passes __proto__ and constructor as parameter names, map keys and property keys', async () => {
    // JSON.parse makes "__proto__" an own key, as a client's JSON would arrive.
    const params = JSON.parse('{"__proto__":1,"constructor":2,"m":{"__proto__":{"x":3}}}') as Record<
      string,
      unknown
    >;
    const got = await ok(alice, 'execute_cypher', {
      query: 'RETURN $__proto__ AS p, $constructor AS c, $m.__proto__.x AS x, keys($m) AS k',
      params,
    });
    expect(got.rows).toEqual([[1, 2, 3, ['__proto__']]]);
    const node = await ok(alice, 'create_node', {
      labels: ['ProtoKeys'],
      properties: JSON.parse('{"__proto__":5,"constructor":"c"}') as Record<string, unknown>,
    });
    expect(Object.keys(node.properties as object).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // Still an object: anything else is refused.
    expect(await errorCode(alice, 'execute_cypher', { query: 'RETURN 1', params: [1] })).toMatch(/params/);
  });

  it('bad arguments are tool errors with a clear message', async () => {
    const r = await call(alice, 'get_node', { id: 'seven' });
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/id/);
    expect(await errorCode(alice, 'create_node', { labels: ['X'], properties: { nested: { a: 1 } } })).toBe(
      'INVALID_BODY',
    );
    expect(await errorCode(alice, 'execute_cypher', { query: 'MATCH (n RETURN n' })).toBe(
      'CYPHER_SYNTAX_ERROR',
    );
  });

  it('refuses requests without a valid key at the HTTP level, and GET is 405', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await fetch(fx.url, { method: 'POST', headers, body: JSON.stringify(init) });
    expect(none.status).toBe(401);
    const bad = await fetch(fx.url, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer nx_' + 'A'.repeat(43) },
      body: JSON.stringify(init),
    });
    expect(bad.status).toBe(401);
    const good = await fetch(fx.url, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': aliceSecret },
      body: JSON.stringify(init),
    });
    expect(good.status).toBe(200);
    expect(((await good.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe(
      'nexus',
    );
    const get = await fetch(fx.url, { headers: { ...headers, 'x-api-key': aliceSecret } });
    expect(get.status).toBe(405);
  });
});
