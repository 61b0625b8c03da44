import { beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { CLUSTER_CONFIG, RecordingGate, TokenAuthenticator, userContext, useTestServer } from './support.js';

const gate = new RecordingGate();

const auth = new TokenAuthenticator({
  alice: userContext('k-alice', ['WRITE'], { userId: 'alice', cluster: true }),
  bob: userContext('k-bob', ['WRITE'], { userId: 'bob', cluster: true }),
  bobReader: userContext('k-bob-r', ['READ'], { userId: 'bob', cluster: true }),
  orphan: userContext('k-orphan', ['WRITE'], { userId: null, cluster: true }),
  super: userContext('k-super', ['SUPER'], { userId: null, cluster: true }),
});

const server = useTestServer({ auth, gate, config: CLUSTER_CONFIG });
beforeEach(() => {
  gate.usage.length = 0;
  gate.admitted.length = 0;
  gate.refuse.clear();
  gate.quotas = { storageBytes: null, requestsPerMinute: 100, requestsPerHour: 1000 };
});

function as(
  token: string | null,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: object,
  headers: Record<string, string> = {},
) {
  return server.app.inject({
    method,
    url,
    headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    ...(payload === undefined ? {} : { payload }),
  });
}

describe('cluster mode', () => {
  it('requires a key on every route, /health included', async () => {
    for (const url of ['/health', '/openapi.json', '/metrics', '/stats']) {
      const res = await as(null, 'GET', url);
      expect(res.statusCode, url).toBe(401);
    }
    expect((await as('alice', 'GET', '/health')).statusCode).toBe(200);
  });

  it('isolates tenants: each key sees only its own namespace', async () => {
    await as('alice', 'POST', '/cypher', { query: 'CREATE (:Secret {owner: "alice"})' });
    const bobSees = await as('bob', 'POST', '/cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(bobSees.json().rows).toEqual([[0]]);
    const aliceSees = await as('alice', 'POST', '/cypher', { query: 'MATCH (n:Secret) RETURN n.owner' });
    expect(aliceSees.json().rows).toEqual([['alice']]);
    expect((await as('bob', 'GET', '/schema/labels')).json().labels).toEqual([]);
    expect((await as('alice', 'GET', '/schema/labels')).json().labels).toEqual(['Secret']);
    const bobStats = (await as('bob', 'GET', '/stats')).json();
    expect(bobStats).toMatchObject({ nodes: 0, labels: {} });
    const id = (await as('alice', 'POST', '/cypher', { query: 'MATCH (n:Secret) RETURN id(n)' })).json()
      .rows[0][0];
    expect((await as('alice', 'GET', `/data/nodes/${id}`)).statusCode).toBe(200);
    const probe = await as('bob', 'GET', `/data/nodes/${id}`);
    expect(probe.statusCode).toBe(404);
    expect(probe.body).not.toContain('alice');
  });

  it('refuses data routes to a key without user_id (401 INVALID_TOKEN)', async () => {
    const res = await as('orphan', 'POST', '/cypher', { query: 'RETURN 1' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('INVALID_TOKEN');
  });

  it('gives a SUPER key tenant data only through X-Nexus-Tenant', async () => {
    const without = await as('super', 'POST', '/cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(without.statusCode).toBe(400);
    expect(without.json().error.code).toBe('INVALID_PARAMETER');
    const withHeader = await as(
      'super',
      'POST',
      '/cypher',
      { query: 'MATCH (n:Secret) RETURN n.owner' },
      { 'x-nexus-tenant': 'alice' },
    );
    expect(withHeader.statusCode).toBe(200);
    expect(withHeader.json().rows).toEqual([['alice']]);
    const badTenant = await as('super', 'GET', '/stats', undefined, { 'x-nexus-tenant': 'not a tenant!' });
    expect(badTenant.statusCode).toBe(400);
  });

  it('operator access: no admission nor billing, but the tenant’s storage quota binds writes', async () => {
    gate.quotaLookups.length = 0;
    gate.quotas = { storageBytes: 1, requestsPerMinute: 1, requestsPerHour: 1 };
    const op = { 'x-nexus-tenant': 'alice' };
    const write = await as('super', 'POST', '/cypher', { query: "CREATE (:Op {s: 'x'})" }, op);
    expect(write.statusCode, write.body).toBe(403);
    expect(write.json().error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    const read = await as('super', 'POST', '/cypher', { query: 'MATCH (n:Op) RETURN count(n) AS c' }, op);
    expect(read.statusCode).toBe(200);
    expect(read.json().rows).toEqual([[0]]);
    expect(gate.quotaLookups).toEqual(['alice', 'alice']);
    expect(gate.admitted).toEqual([]);
    expect(gate.usage).toEqual([]);
    // Asynchronous lookup (quota not cached) and a refused one.
    const pending = gate.quotasFor.bind(gate);
    gate.quotasFor = (u) => Promise.resolve(pending(u));
    try {
      expect((await as('super', 'GET', '/stats', undefined, op)).statusCode).toBe(200);
      gate.quotasFor = () =>
        Promise.reject(
          new NexusError('CONTROL_PLANE_UNAVAILABLE', 'down', { details: { retryAfterSeconds: 3 } }),
        );
      const refused = await as('super', 'GET', '/stats', undefined, op);
      expect(refused.statusCode).toBe(503);
    } finally {
      gate.quotasFor = pending;
    }
  });

  it('refuses X-Nexus-Tenant naming another tenant for a non-SUPER key', async () => {
    const res = await as(
      'bob',
      'POST',
      '/cypher',
      { query: 'MATCH (n) RETURN n' },
      { 'x-nexus-tenant': 'alice' },
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('admits every tenant request and puts the rate-limit headers on answers and errors', async () => {
    const ok = await as('alice', 'POST', '/cypher', { query: 'RETURN 1' });
    expect(ok.headers['x-ratelimit-limit']).toBe('100');
    const err = await as('alice', 'POST', '/cypher', { query: 'RETURN (' });
    expect(err.statusCode).toBe(400);
    expect(err.headers['x-ratelimit-remaining']).toBe('99');
    expect(gate.admitted).toEqual(['alice', 'alice']);
  });

  it('maps gate refusals to their codes with Retry-After and headers', async () => {
    gate.refuse.set(
      'bob',
      new NexusError('RATE_LIMIT_EXCEEDED', 'slow down', {
        details: { retryAfterSeconds: 7, headers: { 'x-ratelimit-remaining': '0' } },
      }),
    );
    const res = await as('bob', 'POST', '/cypher', { query: 'RETURN 1' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(res.json().error).toEqual({
      code: 'RATE_LIMIT_EXCEEDED',
      message: 'slow down',
      retry_after_seconds: 7,
      details: { retryAfterSeconds: 7 },
    });
    gate.refuse.set('bob', new NexusError('TENANT_SUSPENDED', 'suspended'));
    expect((await as('bob', 'GET', '/stats')).statusCode).toBe(403);
  });

  it('records usage per request with query kind and entity deltas', async () => {
    await as('bob', 'POST', '/cypher', { query: 'CREATE (a:U)-[:R]->(b:U)' });
    await as('bob', 'POST', '/cypher', { query: 'MATCH (n) RETURN n' });
    await as('bob', 'POST', '/ingest', { nodes: [{}, {}, {}] });
    // Zero deltas may be omitted: compare what each request actually contributed.
    const nonZero = gate.usage.map(({ userId, event }) => ({
      userId,
      event: Object.fromEntries(Object.entries(event).filter(([, v]) => v !== 0)),
    }));
    expect(nonZero).toEqual([
      { userId: 'bob', event: { requests: 1, writeQueries: 1, nodesCreated: 2, relationshipsCreated: 1 } },
      { userId: 'bob', event: { requests: 1, readQueries: 1 } },
      // REST ingest counts as one write query, like the MCP ingest tool.
      { userId: 'bob', event: { requests: 1, writeQueries: 1, nodesCreated: 3 } },
    ]);
    expect(gate.imports.at(-1)).toMatchObject({ userId: 'bob' });
    expect(gate.imports.at(-1)!.bytes).toBeGreaterThan(0);
  });

  it('passes the storage quota into writes (STORAGE_QUOTA_EXCEEDED, nothing written)', async () => {
    const before = (await as('bob', 'GET', '/stats')).json();
    gate.quotas = { storageBytes: before.storage_bytes + 10, requestsPerMinute: null, requestsPerHour: null };
    for (const [url, payload] of [
      ['/cypher', { query: `CREATE (:Big {blob: '${'x'.repeat(500)}'})` }],
      ['/data/nodes', { properties: { blob: 'y'.repeat(500) } }],
      ['/ingest', { nodes: [{ properties: { blob: 'z'.repeat(500) } }] }],
    ] as const) {
      const res = await as('bob', 'POST', url, payload);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    }
    const after = (await as('bob', 'GET', '/stats')).json();
    expect(after.storage_bytes).toBe(before.storage_bytes);
  });

  it('serves /cluster/usage for the caller, and for any tenant to SUPER only', async () => {
    const own = await as('bob', 'GET', '/cluster/usage');
    expect(own.json().user_id).toBe('bob');
    const other = await as('bob', 'GET', '/cluster/usage?user_id=alice');
    expect(other.statusCode).toBe(403);
    const superRead = await as('super', 'GET', '/cluster/usage?user_id=alice');
    expect(superRead.json().user_id).toBe('alice');
    const superNoTenant = await as('super', 'GET', '/cluster/usage');
    expect(superNoTenant.statusCode).toBe(400);
  });

  it('keeps global metrics to SUPER keys', async () => {
    const tenant = await as('alice', 'GET', '/metrics');
    expect(tenant.statusCode).toBe(403);
    const operator = await as('super', 'GET', '/metrics');
    expect(operator.statusCode).toBe(200);
    expect(operator.body).not.toMatch(/alice|bob/);
  });

  it('runs a READ tenant key read-only', async () => {
    const res = await as('bobReader', 'POST', '/cypher', { query: 'CREATE (:X)' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });
});
