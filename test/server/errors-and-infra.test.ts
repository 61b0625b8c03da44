import { NEO4J_STATUS } from '../../src/service/neo4j-codes.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { ERROR_STATUS } from '../../src/server/index.js';
import { ROUTE_FUNCTIONS } from '../../src/auth/functions.js';
import type { NexusDatabase } from '../../src/engine/api.js';
import { buildServer, useTestServer } from './support.js';

const server = useTestServer({ config: { server: { body_limit_bytes: 1024 } } });

describe('error responses', () => {
  it('answers unknown routes with 404 NOT_FOUND in the error shape', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await server.app.inject({ method: 'DELETE', url: '/stats' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(res.json().error.code).toBe('METHOD_NOT_ALLOWED');
    const node = await server.app.inject({ method: 'POST', url: '/data/nodes/5' });
    expect(node.statusCode).toBe(405);
    expect(String(node.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
  });

  it('answers bodies over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/cypher',
      payload: { query: `RETURN '${'x'.repeat(2000)}'` },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('hides internal failures behind a generic INTERNAL_ERROR', async () => {
    const broken = {
      execute: async () => {
        throw new Error('secret internal detail at /srv/nexus/file.ts:12');
      },
    } as unknown as NexusDatabase;
    const s = await buildServer({ db: broken });
    try {
      const res = await s.app.inject({ method: 'POST', url: '/cypher', payload: { query: 'RETURN 1' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'An internal error occurred; it has been logged' },
      });
      expect(res.body).not.toContain('secret');
    } finally {
      await s.app.close();
    }
  });

  it('maps every error code to an HTTP error status', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(ERROR_STATUS[code], code).toBeGreaterThanOrEqual(400);
      expect(ERROR_STATUS[code], code).toBeLessThan(600);
    }
  });

  it('documents every error code with its status in docs/ERRORS.md', () => {
    const doc = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const row = doc.split('\n').find((line) => line.includes(`\`${code}\``));
      expect(row, `${code} missing from docs/ERRORS.md`).toBeDefined();
      expect(row, code).toContain(String(ERROR_STATUS[code]));
      const neo4jRow = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` →`));
      expect(neo4jRow, `${code} missing from the Neo4j table of docs/ERRORS.md`).toContain(
        NEO4J_STATUS[code],
      );
    }
  });
});

describe('GET /health, /openapi.json, /metrics', () => {
  it('reports health', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: '0.0.0-test' });
  });

  it('publishes an OpenAPI document covering every registered route', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    // Key management, MCP and cluster routes are plugins of the full wiring (tested over HTTP).
    const expected = Object.keys(ROUTE_FUNCTIONS).filter((k) => !/ \/(auth|mcp|cluster)\b/.test(k));
    for (const route of expected) expect(operations, route).toContain(route);
    expect(doc.paths['/cypher'].post.requestBody.content['application/json'].schema.required).toEqual([
      'query',
    ]);
    expect(doc.paths['/data/nodes/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
  });

  it('exposes Prometheus metrics of requests, queries and errors', async () => {
    await server.app.inject({ method: 'POST', url: '/cypher', payload: { query: 'RETURN 1' } });
    await server.app.inject({ method: 'POST', url: '/cypher', payload: { query: 'CREATE ()' } });
    await server.app.inject({ method: 'GET', url: '/missing' });
    const res = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/nexus_http_requests_total\{method="POST",route="\/cypher",status="200"\} \d+/);
    expect(res.body).toMatch(/nexus_http_request_duration_seconds_bucket\{/);
    expect(res.body).toMatch(/nexus_queries_total\{kind="read"\} [1-9]/);
    expect(res.body).toMatch(/nexus_queries_total\{kind="write"\} [1-9]/);
    expect(res.body).toMatch(/nexus_errors_total\{code="NOT_FOUND"\} [1-9]/);
    expect(res.body).toMatch(/nexus_storage_bytes [1-9]/);
  });

  it('counts each request once, under its route pattern or as unmatched', async () => {
    const count = async (line: RegExp): Promise<number> => {
      const res = await server.app.inject({ method: 'GET', url: '/metrics' });
      return Number(line.exec(res.body)?.[1] ?? 0);
    };
    const unmatched = /nexus_http_requests_total\{method="GET",route="unmatched",status="404"\} (\d+)/;
    const byPattern =
      /nexus_http_requests_total\{method="GET",route="\/data\/nodes\/:id",status="404"\} (\d+)/;
    const [u0, p0] = [await count(unmatched), await count(byPattern)];
    await server.app.inject({ method: 'GET', url: '/no/such/route' });
    await server.app.inject({ method: 'GET', url: '/data/nodes/123456' });
    await server.app.inject({ method: 'GET', url: '/data/nodes/123457' });
    expect(await count(unmatched)).toBe(u0 + 1);
    expect(await count(byPattern)).toBe(p0 + 2);
  });
});
