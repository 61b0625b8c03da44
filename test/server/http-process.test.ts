/**
 * The real server process over real HTTP: every endpoint once, the error paths that only a
 * socket shows (huge bodies, malformed JSON, unknown routes), auth with real keys, and a
 * graceful SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/** A parsed JSON body, navigable field by field (assertions check the actual shapes). */
interface Loose {
  [key: string]: Loose;
}

const ROOT_KEY = 'root-key-for-tests-0123456789';
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT_KEY },
    config: { server: { body_limit_bytes: 64 * 1024 } },
  });
});
afterAll(async () => {
  await server?.stop();
});

async function call(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Loose }> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? ROOT_KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Loose };
}

describe('server process over HTTP', () => {
  it('serves /health without a key and /cypher with one', async () => {
    expect((await call('GET', '/health', { key: null })).json().status).toBe('ok');
    const res = await call('POST', '/cypher', { body: { query: 'RETURN 1 AS one, 1.0 AS f' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"rows":[[1,1.0]]');
  });

  it('refuses missing and invalid keys', async () => {
    const missing = await call('POST', '/cypher', { key: null, body: { query: 'RETURN 1' } });
    expect(missing.status).toBe(401);
    expect(missing.json().error.code).toBe('AUTHENTICATION_REQUIRED');
    const invalid = await call('GET', '/stats', { key: 'nx_not_a_real_key_000000000000000000000' });
    expect(invalid.status).toBe(401);
    expect(invalid.json().error.code).toBe('INVALID_TOKEN');
  });

  it('issues keys whose permissions the server enforces', async () => {
    const created = await call('POST', '/auth/keys', { body: { name: 'reader', permissions: ['READ'] } });
    expect(created.status).toBe(201);
    const secret = String(created.json().secret);
    expect(
      (await call('POST', '/cypher', { key: secret, body: { query: 'MATCH (n) RETURN count(n)' } })).status,
    ).toBe(200);
    const write = await call('POST', '/cypher', { key: secret, body: { query: 'CREATE (:X)' } });
    expect(write.status).toBe(403);
    expect(write.json().error.code).toBe('FORBIDDEN');
    expect(server.stdout() + server.stderr()).not.toContain(secret);
    expect(server.stdout() + server.stderr()).not.toContain(ROOT_KEY);
  });

  it('serves every REST area', async () => {
    const node = await call('POST', '/data/nodes', { body: { labels: ['P'], properties: { n: 1 } } });
    expect(node.status).toBe(201);
    const id = node.json().id;
    expect((await call('GET', `/data/nodes/${id}`)).json().properties).toEqual({ n: 1 });
    expect(
      (await call('PATCH', `/data/nodes/${id}`, { body: { properties: { m: 2 } } })).json().properties,
    ).toEqual({
      n: 1,
      m: 2,
    });
    expect(
      (await call('PUT', `/data/nodes/${id}`, { body: { properties: { k: 3 } } })).json().properties,
    ).toEqual({
      k: 3,
    });
    const other = (await call('POST', '/data/nodes', { body: {} })).json().id;
    const rel = await call('POST', '/data/relationships', { body: { src: id, dst: other, type: 'T' } });
    expect(rel.status).toBe(201);
    expect((await call('GET', `/data/relationships/${rel.json().id}`)).json().type).toBe('T');
    expect((await call('DELETE', `/data/relationships/${rel.json().id}`)).status).toBe(200);
    expect((await call('DELETE', `/data/nodes/${id}?detach=true`)).status).toBe(200);
    const ingest = await call('POST', '/ingest', {
      body: { nodes: [{ ref: 'a' }, { ref: 'b' }], relationships: [{ src: 'a', dst: 'b', type: 'L' }] },
    });
    expect(ingest.json()).toMatchObject({ nodes_created: 2, relationships_created: 1 });
    expect((await call('GET', '/schema/labels')).json().labels).toEqual([]);
    expect((await call('GET', '/schema/rel_types')).json().relationship_types).toEqual(['L']);
    expect((await call('GET', '/schema/property_keys')).status).toBe(200);
    expect((await call('GET', '/schema/indexes')).json().indexes).toEqual([]);
    expect((await call('GET', '/stats')).json()).toMatchObject({
      relationships: 1,
      version: expect.any(String),
    });
    expect((await call('GET', '/metrics')).text).toContain('nexus_http_requests_total');
    const openapi = (await call('GET', '/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/cypher', '/auth/keys', '/mcp', '/ingest']),
    );
  });

  it('serves MCP on /mcp through the same auth', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const init = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const denied = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: init,
      body: JSON.stringify(body),
    });
    expect(denied.status).toBe(401);
    const ok = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...init, authorization: `Bearer ${ROOT_KEY}` },
      body: JSON.stringify(body),
    });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).toContain('execute_cypher');
  });

  it('answers bad requests in the error shape', async () => {
    const malformed = await call('POST', '/cypher', { raw: '{"query": "RETURN 1"' });
    expect(malformed.status).toBe(400);
    expect(malformed.json().error.code).toBe('INVALID_BODY');
    const schema = await call('POST', '/cypher', { body: { nope: 1 } });
    expect(schema.json().error.code).toBe('INVALID_BODY');
    const huge = await call('POST', '/cypher', { body: { query: `RETURN '${'x'.repeat(100_000)}'` } });
    expect(huge.status).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const media = await call('POST', '/cypher', { raw: 'RETURN 1', contentType: 'text/plain' });
    expect(media.status).toBe(415);
    const unknown = await call('GET', '/does/not/exist');
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const method = await call('PUT', '/cypher', { body: {} });
    expect(method.status).toBe(405);
    expect(method.text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('server process lifecycle', () => {
  it('shuts down gracefully on SIGTERM, finishing in-flight requests, and keeps data', async () => {
    const p = await startServerProcess();
    try {
      await fetch(`${p.url}/cypher`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'UNWIND range(1, 100) AS i CREATE (:Kept {i: i})' }),
      });
      const inFlight = fetch(`${p.url}/cypher`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'UNWIND range(1, 300000) AS i WITH i WHERE i % 2 = 0 RETURN count(i) AS c',
        }),
      });
      await new Promise((r) => setTimeout(r, 30));
      const exit = p.stop({ keepData: true });
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as Loose).rows).toEqual([[150000]]);
      expect((await exit).code).toBe(0);
      expect(p.stdout()).toContain('shutting down');
    } finally {
      await p.stop();
    }
    const again = await startServerProcess({ dataDir: p.dataDir });
    try {
      const res = await fetch(`${again.url}/stats`);
      expect(((await res.json()) as Loose).labels).toEqual({ Kept: 100 });
    } finally {
      await again.stop();
    }
  });

  it('exits non-zero before listening on an invalid config', async () => {
    await expect(startServerProcess({ env: { NEXUS_PORT: 'abc' } })).rejects.toThrow(
      /server\.port = "abc".*NEXUS_PORT/s,
    );
  });
});
