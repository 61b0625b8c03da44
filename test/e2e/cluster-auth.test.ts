/**
 * Authentication and authorisation of cluster mode, attacked over the wire: every route
 * the server publishes (enumerated from its own /openapi.json) refuses requests without a
 * valid key; standalone mode keeps /health public; function-level permissions close the
 * REST side door and the MCP tools alike; a READ key cannot write through Cypher, however
 * the write is disguised. Also the per-address brute-force throttle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_FUNCTIONS } from '../../src/auth/functions.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import {
  MCP_TOOLS,
  ROOT_KEY,
  call,
  createKey,
  cypher,
  errorCode,
  mcpConnect,
  publishedRoutes,
  rows,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
  type McpHandle,
  type PublishedRoute,
} from './helpers/cluster-harness.js';

/** Plausible arguments per tool, so that a refusal cannot be blamed on bad input. */
const TOOL_ARGS: Record<string, Record<string, unknown>> = {
  create_node: { labels: ['X'] },
  create_relationship: { src: 0, dst: 0, type: 'R' },
  delete_node: { id: 0, detach: true },
  execute_cypher: { query: 'RETURN 1' },
  get_node: { id: 0 },
  get_schema: {},
  get_stats: {},
  ingest: { nodes: [{ labels: ['X'] }] },
  list_labels: {},
  list_relationship_types: {},
};

let emulator: EmulatorProcess;
let server: ServerProcess;
let routes: PublishedRoute[];
let admin: CreatedKey;
const mcps: McpHandle[] = [];

async function mcpFor(key: string): Promise<McpHandle> {
  const handle = await mcpConnect(server.url, key);
  mcps.push(handle);
  return handle;
}

/** A sample request body per route so that body validation never answers first. */
function sampleBody(method: string, pattern: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (pattern === '/cypher') return { query: 'RETURN 1' };
  if (pattern.startsWith('/db/')) return { statement: 'RETURN 1' };
  if (pattern === '/data/nodes') return { labels: ['X'] };
  if (pattern === '/data/relationships') return { src: 0, dst: 0, type: 'R' };
  if (pattern === '/ingest') return { nodes: [{ labels: ['X'] }] };
  if (pattern === '/auth/keys') return { name: 'k', permissions: ['READ'], user_id: 'alice' };
  if (pattern === '/mcp') return { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
  return { properties: { a: 1 }, name: 'n' };
}

beforeAll(async () => {
  emulator = await startEmulatorProcess({ users: [{ user_id: 'alice' }] });
  server = await startClusterServer(emulator.url, {
    top: { auth: { failed_attempts_per_minute: 1000 } },
  });
  admin = await createKey(server.url, { user_id: 'alice', permissions: ['ADMIN'] });
  await rows(server.url, admin.secret, "CREATE (:Seed {name: 'n0'})-[:R]->(:Seed {name: 'n1'})");
  routes = await publishedRoutes(server.url, admin.secret);
  // Routes that must be covered even if the document leaves them out.
  for (const extra of [
    { method: 'POST', pattern: '/mcp', path: '/mcp' },
    { method: 'GET', pattern: '/mcp', path: '/mcp' },
    { method: 'DELETE', pattern: '/mcp', path: '/mcp' },
    { method: 'GET', pattern: '/health', path: '/health' },
    { method: 'GET', pattern: '/metrics', path: '/metrics' },
    { method: 'GET', pattern: '/openapi.json', path: '/openapi.json' },
  ]) {
    if (!routes.some((r) => r.method === extra.method && r.pattern === extra.pattern)) routes.push(extra);
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(mcps.map((m) => m.close()));
  await server?.stop();
  await emulator?.stop();
});

describe('cluster mode: mandatory authentication on every route', () => {
  it('publishes every route of the function table (none hidden from the enumeration)', () => {
    const published = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
    for (const key of Object.keys(ROUTE_FUNCTIONS)) expect(published, key).toContain(key);
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(ROUTE_FUNCTIONS).length);
  });

  it('answers 401 to every route without a key, with a malformed key and with an unknown key', async () => {
    const attempts: { label: string; headers: Record<string, string> }[] = [
      { label: 'no key', headers: {} },
      { label: 'empty bearer', headers: { authorization: 'Bearer ' } },
      {
        label: 'basic auth',
        headers: { authorization: `Basic ${Buffer.from('root:root').toString('base64')}` },
      },
      {
        label: 'unknown key',
        headers: { authorization: 'Bearer nx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      },
      { label: 'root key prefix', headers: { 'x-api-key': ROOT_KEY.slice(0, -1) } },
    ];
    for (const r of routes) {
      for (const a of attempts) {
        const body = sampleBody(r.method, r.pattern);
        const res = await call(server.url, r.method, r.path, {
          headers: { ...a.headers, accept: 'application/json, text/event-stream' },
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${a.label}: ${r.method} ${r.path} -> ${res.text}`).toBe(401);
        expect(['AUTHENTICATION_REQUIRED', 'INVALID_TOKEN']).toContain(errorCode(res.body));
        // Nothing about the graph or the tenants in a refusal.
        expect(res.text).not.toMatch(/Seed|alice|n0/);
      }
    }
  });

  it('does not tell an anonymous client which paths exist', async () => {
    for (const [method, path] of [
      ['GET', '/no/such/route'],
      ['GET', '/admin'],
      ['POST', '/stats'],
      ['PUT', '/cypher'],
      ['GET', '/data/node'],
    ] as const) {
      const anonymous = await call(server.url, method, path);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const keyed = await call(server.url, method, path, { key: admin.secret });
      expect([404, 405], `${method} ${path}`).toContain(keyed.status);
    }
  });

  it('refuses a revoked key on the next request', async () => {
    const k = await createKey(server.url, { user_id: 'alice', permissions: ['READ'] });
    expect((await call(server.url, 'GET', '/stats', { key: k.secret })).status).toBe(200);
    expect((await call(server.url, 'DELETE', `/auth/keys/${k.id}`, { key: admin.secret })).status).toBe(200);
    const after = await call(server.url, 'GET', '/stats', { key: k.secret });
    expect(after.status).toBe(401);
    expect(errorCode(after.body)).toBe('INVALID_TOKEN');
  });

  it('refuses data routes to a SUPER key without a user_id unless it names a tenant', async () => {
    const superKey = await createKey(server.url, { name: 'op', permissions: ['SUPER'] });
    const bare = await cypher(server.url, superKey.secret, 'RETURN 1');
    expect(bare.status).toBe(400);
    const named = await cypher(server.url, superKey.secret, 'MATCH (n:Seed) RETURN count(n)', undefined, {
      'x-nexus-tenant': 'alice',
    });
    expect(named.body).toMatchObject({ rows: [[2]] });
  });
});

describe('function-level permissions', () => {
  const ALLOWED = ['execute_cypher', 'get_stats'];
  let narrow: CreatedKey;
  let nothing: CreatedKey;

  beforeAll(async () => {
    narrow = await createKey(server.url, {
      user_id: 'alice',
      permissions: ['ADMIN'],
      allowed_functions: ALLOWED,
    });
    nothing = await createKey(server.url, {
      user_id: 'alice',
      permissions: ['ADMIN'],
      allowed_functions: [],
    });
  });

  it('refuses every other REST route with 403 FUNCTION_NOT_ALLOWED and nothing changes', async () => {
    const before = await rows(server.url, admin.secret, 'MATCH (n) RETURN count(n)');
    let checked = 0;
    for (const r of routes) {
      const rule = ROUTE_FUNCTIONS[`${r.method} ${r.pattern}`];
      expect(rule, `${r.method} ${r.pattern} in the function table`).toBeDefined();
      if (rule?.function === null || rule === undefined) continue;
      const body = sampleBody(r.method, r.pattern);
      for (const k of [narrow, nothing]) {
        const res = await call(server.url, r.method, r.path, {
          key: k.secret,
          ...(body === undefined ? {} : { body }),
        });
        if (k === narrow && ALLOWED.includes(rule.function)) {
          // Query API: 202 Accepted, as Neo4j answers; a transaction id that was never
          // opened is 404 — either way the call got past the function check.
          const ok = !r.pattern.startsWith('/db/') ? [200] : r.pattern.includes(':txid') ? [404] : [202];
          expect(ok, `${r.method} ${r.path} -> ${res.status}`).toContain(res.status);
        } else {
          expect(res.status, `${r.method} ${r.path} -> ${res.text}`).toBe(403);
          expect(errorCode(res.body)).toBe('FUNCTION_NOT_ALLOWED');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * Object.keys(ROUTE_FUNCTIONS).length - 20);
    expect(await rows(server.url, admin.secret, 'MATCH (n) RETURN count(n)')).toEqual(before);
    // Exempt routes stay usable: no data there.
    expect((await call(server.url, 'GET', '/health', { key: nothing.secret })).status).toBe(200);
    expect((await call(server.url, 'GET', '/openapi.json', { key: nothing.secret })).status).toBe(200);
  });

  it('lists only the allowed MCP tools and refuses the others, whatever the arguments', async () => {
    const m = await mcpFor(narrow.secret);
    expect((await m.client.listTools()).tools.map((t) => t.name).sort()).toEqual(ALLOWED);
    const before = await rows(server.url, admin.secret, 'MATCH (n) RETURN count(n)');
    for (const name of MCP_TOOLS.filter((t) => !ALLOWED.includes(t))) {
      for (const args of [TOOL_ARGS[name]!, { bogus: { deeply: ['wrong'] } }]) {
        const r = await m.tool(name, args);
        expect(r.isError, name).toBe(true);
        expect(errorCode(r.json), `${name}: ${r.text}`).toBe('FUNCTION_NOT_ALLOWED');
      }
    }
    expect(await rows(server.url, admin.secret, 'MATCH (n) RETURN count(n)')).toEqual(before);
    expect((await m.tool('get_stats')).isError).toBe(false);
    expect((await m.tool('execute_cypher', { query: 'RETURN 1 AS one' })).json).toMatchObject({
      rows: [[1]],
    });

    const none = await mcpFor(nothing.secret);
    expect((await none.client.listTools()).tools).toEqual([]);
    for (const name of MCP_TOOLS) {
      expect(errorCode((await none.tool(name, TOOL_ARGS[name])).json)).toBe('FUNCTION_NOT_ALLOWED');
    }
  });

  it('an unrestricted key sees every tool', async () => {
    const m = await mcpFor(admin.secret);
    expect((await m.client.listTools()).tools.map((t) => t.name).sort()).toEqual(MCP_TOOLS);
  });
});

describe('a READ key cannot write', () => {
  let reader: CreatedKey;
  const snapshot = async () => ({
    nodes: await rows(
      server.url,
      admin.secret,
      'MATCH (n) RETURN id(n), labels(n), properties(n) ORDER BY id(n)',
    ),
    rels: await rows(
      server.url,
      admin.secret,
      'MATCH ()-[r]->() RETURN id(r), type(r), properties(r) ORDER BY id(r)',
    ),
    indexes: await rows(server.url, admin.secret, 'SHOW INDEXES'),
  });

  /** Writes that must be refused as FORBIDDEN: the plan writes, even if it would touch no row. */
  const FORBIDDEN_WRITES = [
    // CALL subqueries are supported: a write inside the body makes the statement a write.
    'CALL { CREATE (:Evil) }',
    'MATCH (n) CALL { WITH n DETACH DELETE n }',
    'UNWIND [1] AS x CALL (x) { CREATE (:Evil {x: x}) RETURN 1 AS one } RETURN one',
    'CREATE (:Evil)',
    'cReAtE (:Evil)',
    '/* comment */ CREATE (:Evil)',
    'MERGE (:Evil {x: 1})',
    'MATCH (n) SET n.evil = true',
    'MATCH (n) SET n:Evil',
    'MATCH (n) REMOVE n.name',
    'MATCH (n) DETACH DELETE n',
    'MATCH ()-[r]->() DELETE r',
    'MATCH (n) WHERE false CREATE (:Evil)',
    'OPTIONAL MATCH (n:Nothing) SET n.x = 1',
    'UNWIND [1, 2] AS x CREATE (:Evil {x: x})',
    'FOREACH (x IN [1] | CREATE (:Evil))',
    'MATCH (n) FOREACH (x IN [1] | SET n.evil = x)',
    'MATCH (n) WITH n LIMIT 1 FOREACH (x IN CASE WHEN true THEN [1] ELSE [] END | DETACH DELETE n)',
    'RETURN 1 AS x UNION CREATE (e:Evil) RETURN 2 AS x',
    'CREATE (n $props)',
    'WITH 1 AS one MATCH (n) WHERE n.name = "n0" MERGE (n)-[:EVIL]->(n)',
    'CREATE INDEX evil FOR (n:Seed) ON (n.name)',
  ];
  /** Hidden writes the parser may not even accept; whatever the answer, nothing may change. */
  const OTHER_ATTEMPTS = [
    "CALL db.createLabel('Evil')",
    "CALL apoc.create.node(['Evil'], {})",
    "CALL dbms.security.createUser('evil', 'x', false)",
    'EXPLAIN CREATE (:Evil)',
    'PROFILE CREATE (:Evil)',
    'CREATE (:Evil); MATCH (n) DETACH DELETE n',
    'DROP INDEX evil',
    'LOAD CSV FROM "file:///etc/passwd" AS l CREATE (:Evil {l: l})',
  ];

  beforeAll(async () => {
    reader = await createKey(server.url, { user_id: 'alice', permissions: ['READ'] });
  });

  it('refuses write Cypher over REST with 403 FORBIDDEN and leaves the store unchanged', async () => {
    const before = await snapshot();
    for (const q of FORBIDDEN_WRITES) {
      const res = await cypher(server.url, reader.secret, q, { props: { evil: true } });
      expect(res.status, `${q} -> ${res.text}`).toBe(403);
      expect(errorCode(res.body)).toBe('FORBIDDEN');
    }
    for (const q of OTHER_ATTEMPTS) {
      const res = await cypher(server.url, reader.secret, q);
      expect(res.status, `${q} -> ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${q} -> ${res.text}`).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
    // Reads still work for the READ key.
    expect(await rows(server.url, reader.secret, 'MATCH (n:Seed) RETURN count(n)')).toEqual([[2]]);
  });

  it('refuses write Cypher and write tools over MCP', async () => {
    const before = await snapshot();
    const m = await mcpFor(reader.secret);
    for (const q of FORBIDDEN_WRITES) {
      const r = await m.tool('execute_cypher', { query: q, params: { props: { evil: true } } });
      expect(r.isError, q).toBe(true);
      expect(errorCode(r.json), `${q}: ${r.text}`).toBe('FORBIDDEN');
    }
    for (const q of OTHER_ATTEMPTS)
      expect((await m.tool('execute_cypher', { query: q })).isError, q).toBe(true);
    for (const name of ['create_node', 'create_relationship', 'delete_node', 'ingest']) {
      const r = await m.tool(name, TOOL_ARGS[name]);
      expect(errorCode(r.json), `${name}: ${r.text}`).toBe('FORBIDDEN');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('ignores keys in the URL and resolves two key headers to the Bearer one', async () => {
    const before = await snapshot();
    for (const qs of [`api_key=${admin.secret}`, `key=${admin.secret}`, `access_token=${admin.secret}`]) {
      const res = await call(server.url, 'POST', `/cypher?${qs}`, { body: { query: 'CREATE (:Evil)' } });
      expect(res.status, qs).toBe(401);
    }
    // A READ key as Bearer plus an ADMIN key as X-API-Key: the Bearer key decides, so no write.
    const mixed = await call(server.url, 'POST', '/cypher', {
      key: reader.secret,
      headers: { 'x-api-key': admin.secret },
      body: { query: 'CREATE (:Evil)' },
    });
    expect(mixed.status).toBe(403);
    expect(errorCode(mixed.body)).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses the REST write routes with 403 FORBIDDEN', async () => {
    const before = await snapshot();
    for (const r of routes) {
      const rule = ROUTE_FUNCTIONS[`${r.method} ${r.pattern}`];
      if (rule?.permission !== 'WRITE' && rule?.permission !== 'ADMIN') continue;
      const body = sampleBody(r.method, r.pattern);
      const res = await call(server.url, r.method, r.path, {
        key: reader.secret,
        ...(body === undefined ? {} : { body }),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect(errorCode(res.body)).toBe('FORBIDDEN');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('standalone mode with auth on', () => {
  let standalone: ServerProcess;
  beforeAll(async () => {
    standalone = await startServerProcess({
      env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT_KEY },
      config: { auth: { failed_attempts_per_minute: 5 } },
    });
  });
  afterAll(async () => {
    await standalone?.stop();
  });

  it('keeps /health public and everything else behind a key', async () => {
    const health = await call(standalone.url, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    for (const path of ['/stats', '/metrics', '/openapi.json', '/schema/labels', '/data/nodes/0']) {
      expect((await call(standalone.url, 'GET', path)).status, path).toBe(401);
    }
    expect((await call(standalone.url, 'POST', '/cypher', { body: { query: 'RETURN 1' } })).status).toBe(401);
    expect((await call(standalone.url, 'GET', '/stats', { key: ROOT_KEY })).status).toBe(200);
  });

  it('throttles failed attempts per address with 429, yet a valid key from that address is served', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const guess = `nx_${i.toString().padStart(43, 'A')}`;
      statuses.push((await call(standalone.url, 'GET', '/stats', { key: guess })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const bad = await call(standalone.url, 'GET', '/stats', { key: `nx_${'B'.repeat(43)}` });
    expect(errorCode(bad.body)).toBe('TOO_MANY_AUTH_FAILURES');
    expect(bad.text).not.toContain('BBBBBBBB');
    const valid = await call(standalone.url, 'GET', '/stats', { key: ROOT_KEY });
    expect(valid.status).toBe(200);
  });
});
