import { describe, expect, it } from 'vitest';
import { TokenAuthenticator, userContext, useTestServer } from './support.js';

const auth = new TokenAuthenticator({
  reader: userContext('k-read', ['READ']),
  writer: userContext('k-write', ['WRITE']),
  admin: userContext('k-admin', ['ADMIN']),
  limited: userContext('k-limited', ['WRITE'], { allowedFunctions: ['get_node'] }),
});

const server = useTestServer({ auth, config: { auth: { enabled: true } } });

const as = (token: string | null, method: 'GET' | 'POST', url: string, payload?: object) =>
  server.app.inject({
    method,
    url,
    ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
    ...(payload === undefined ? {} : { payload }),
  });

describe('auth hook (standalone, auth enabled)', () => {
  it('keeps /health public and requires a key elsewhere', async () => {
    expect((await as(null, 'GET', '/health')).statusCode).toBe(200);
    for (const [method, url] of [
      ['POST', '/cypher'],
      ['GET', '/stats'],
      ['GET', '/schema/labels'],
      ['GET', '/metrics'],
      ['GET', '/openapi.json'],
      ['GET', '/data/nodes/0'],
    ] as const) {
      const res = await as(null, method, url, method === 'POST' ? { query: 'RETURN 1' } : undefined);
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('AUTHENTICATION_REQUIRED');
    }
    const bad = await as('nope', 'GET', '/stats');
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('INVALID_TOKEN');
  });

  it('runs a READ key’s queries read-only: reads pass, writes are FORBIDDEN', async () => {
    const read = await as('reader', 'POST', '/cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(read.statusCode).toBe(200);
    const write = await as('reader', 'POST', '/cypher', { query: 'CREATE (:Sneaky)' });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('FORBIDDEN');
    const check = await as('writer', 'POST', '/cypher', { query: 'MATCH (n:Sneaky) RETURN count(n) AS c' });
    expect(check.json().rows).toEqual([[0]]);
    expect((await as('writer', 'POST', '/cypher', { query: 'CREATE (:Allowed)' })).statusCode).toBe(200);
  });

  it('enforces the route’s coarse permission', async () => {
    const res = await as('reader', 'POST', '/data/nodes', { labels: ['X'] });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', details: { required: 'WRITE' } });
    expect((await as('writer', 'POST', '/data/nodes', { labels: ['X'] })).statusCode).toBe(201);
  });

  it('enforces allowed_functions', async () => {
    const denied = await as('limited', 'POST', '/cypher', { query: 'RETURN 1' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({
      code: 'FUNCTION_NOT_ALLOWED',
      details: { function: 'execute_cypher' },
    });
    const allowed = await as('limited', 'GET', '/data/nodes/0');
    expect([200, 404]).toContain(allowed.statusCode);
  });

  it('answers unknown routes with 404 without asking for a key', async () => {
    const res = await as(null, 'GET', '/nowhere');
    expect(res.statusCode).toBe(404);
  });
});
