// A trailing slash reaches the same route as the canonical path, through that route's own auth hook.
import { describe, expect, it } from 'vitest';
import { CLUSTER_CONFIG, RecordingGate, TokenAuthenticator, userContext, useTestServer } from './support.js';

type Method = 'GET' | 'POST' | 'DELETE';

function caller(server: ReturnType<typeof useTestServer>) {
  return (token: string | null, method: Method, url: string, payload?: object) =>
    server.app.inject({
      method,
      url,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload }),
    });
}

describe('trailing slash, auth off', () => {
  const as = caller(useTestServer());

  it('serves /health/ like /health', async () => {
    const plain = await as(null, 'GET', '/health');
    const slash = await as(null, 'GET', '/health/');
    expect(slash.statusCode).toBe(200);
    expect(Object.keys(slash.json())).toEqual(Object.keys(plain.json()));
    expect((await as(null, 'GET', '/stats/')).statusCode).toBe(200);
    expect((await as(null, 'GET', '/health/?x=1')).statusCode).toBe(200);
  });

  it('keeps 405 (with Allow) for a wrong method and 404 for unknown paths, slash or not', async () => {
    const wrong = await as(null, 'DELETE', '/health/');
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    const unknown = await as(null, 'GET', '/no/such/route/');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
  });

  it('matches parametric routes with a trailing slash', async () => {
    const created = await as(null, 'POST', '/cypher/', { query: 'CREATE (n:Slash) RETURN id(n) AS id' });
    expect(created.statusCode).toBe(200);
    const id = String(created.json().rows[0][0]);
    const node = await as(null, 'GET', `/data/nodes/${id}/`);
    expect(node.statusCode).toBe(200);
    expect(JSON.stringify(node.json())).toContain('Slash');
  });
});

describe('trailing slash, standalone with auth', () => {
  const auth = new TokenAuthenticator({ reader: userContext('k-r', ['READ']) });
  const as = caller(useTestServer({ auth, config: { auth: { enabled: true } } }));

  it('applies the route auth rule: /stats/ needs a key, /health/ stays public', async () => {
    const anonymous = await as(null, 'GET', '/stats/');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('AUTHENTICATION_REQUIRED');
    expect((await as('reader', 'GET', '/stats/')).statusCode).toBe(200);
    expect((await as(null, 'GET', '/health/')).statusCode).toBe(200);
    const write = await as('reader', 'POST', '/cypher/', { query: 'CREATE (n) RETURN n' });
    expect(write.statusCode).toBe(403);
  });
});

describe('trailing slash, cluster mode', () => {
  const gate = new RecordingGate();
  const auth = new TokenAuthenticator({
    alice: userContext('k-alice', ['WRITE'], { userId: 'alice', cluster: true }),
    orphan: userContext('k-orphan', ['WRITE'], { userId: null, cluster: true }),
  });
  const as = caller(useTestServer({ auth, gate, config: CLUSTER_CONFIG }));

  it('never serves a trailing-slash path without a valid key', async () => {
    for (const url of ['/health/', '/stats/', '/openapi.json/', '/metrics/', '/no/such/route/']) {
      const res = await as(null, 'GET', url);
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code, url).toBe('AUTHENTICATION_REQUIRED');
    }
    expect((await as('nobody', 'GET', '/health/')).statusCode).toBe(401);
  });

  it('admits a tenant key through the cluster gate and applies the namespace rule', async () => {
    gate.admitted.length = 0;
    const res = await as('alice', 'GET', '/stats/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('100');
    expect(gate.admitted).toEqual(['alice']);
    const orphan = await as('orphan', 'POST', '/cypher/', { query: 'RETURN 1' });
    expect(orphan.statusCode).toBe(401);
    expect(orphan.json().error.code).toBe('INVALID_TOKEN');
  });
});
