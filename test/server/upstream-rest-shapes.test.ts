/**
 * The request and response forms the upstream Nexus SDKs use, next to today's: POST
 * /cypher `parameters` / null / `database` / integer execution_time_ms, the id-in-query or
 * id-in-body node routes, relationship field aliases, the external-id routes' clear 501.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from './support.js';

const server = useTestServer();
const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  server.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('upstream REST shapes', () => {
  it('POST /cypher takes parameters, nulls and the default database; execution_time_ms is an integer', async () => {
    const a = await inject('POST', '/cypher', { query: 'RETURN $v AS v', parameters: { v: 'x' } });
    expect(a.statusCode).toBe(200);
    const body = a.json();
    expect(body.rows).toEqual([['x']]);
    expect(Number.isInteger(body.execution_time_ms)).toBe(true);
    expect(typeof body.execution_time_ms_precise).toBe('number');
    const b = await inject('POST', '/cypher', {
      query: 'RETURN 1 AS one',
      params: null,
      parameters: null,
      database: 'neo4j',
    });
    expect(b.json().rows).toEqual([[1]]);
    expect((await inject('POST', '/cypher', { query: 'RETURN 1', database: 'default' })).statusCode).toBe(
      200,
    );
    const missing = await inject('POST', '/cypher', { query: 'RETURN 1', database: 'other' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('DATABASE_NOT_FOUND');
    const both = await inject('POST', '/cypher', { query: 'RETURN 1', params: {}, parameters: {} });
    expect(both.json().error.code).toBe('INVALID_BODY');
    expect((await inject('POST', '/cypher', { query: 'RETURN 1', nope: 1 })).statusCode).toBe(400);
    expect((await inject('POST', '/cypher', { query: 'RETURN 1', timeout_ms: 5000 })).statusCode).toBe(200);
  });

  it('node routes with the id in the query string or the body, wrapped in {node}', async () => {
    const created = (await inject('POST', '/data/nodes', { labels: ['U'], properties: { a: 1 } })).json();
    const got = await inject('GET', `/data/nodes?id=${created.id}`);
    expect(got.json()).toEqual({ node: { id: created.id, labels: ['U'], properties: { a: 1 } } });
    expect((await inject('GET', '/data/nodes?id=999999')).json()).toEqual({ node: null });
    const updated = await inject('PUT', '/data/nodes', { id: created.id, properties: { b: 2 } });
    expect(updated.json().node.properties).toEqual({ a: 1, b: 2 });
    expect((await inject('PUT', '/data/nodes', { properties: {} })).json().error.code).toBe(
      'INVALID_PARAMETER',
    );
    const deleted = await inject('DELETE', '/data/nodes', { node_id: created.id });
    expect(deleted.json()).toMatchObject({ deleted: true, id: created.id });
    expect((await inject('DELETE', `/data/nodes?id=${created.id}`)).statusCode).toBe(404);
  });

  it('POST /data/relationships takes source_id / target_id / rel_type', async () => {
    const a = (await inject('POST', '/data/nodes', { labels: ['R'] })).json();
    const b = (await inject('POST', '/data/nodes', { labels: ['R'] })).json();
    const rel = await inject('POST', '/data/relationships', {
      source_id: a.id,
      target_id: b.id,
      rel_type: 'T',
    });
    expect(rel.statusCode).toBe(201);
    expect(rel.json()).toMatchObject({ type: 'T', start: a.id, end: b.id });
    const both = await inject('POST', '/data/relationships', {
      src: a.id,
      source_id: a.id,
      dst: b.id,
      type: 'T',
    });
    expect(both.json().error.code).toBe('INVALID_BODY');
    expect((await inject('POST', '/data/relationships', { src: a.id, type: 'T' })).json().error.code).toBe(
      'INVALID_BODY',
    );
  });

  it('external ids are refused clearly until implemented', async () => {
    const res = await inject('POST', '/data/nodes', {
      labels: ['X'],
      external_id: 'str:a',
      conflict_policy: 'match',
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().error.code).toBe('NOT_IMPLEMENTED');
    expect((await inject('GET', '/data/nodes/by-external-id?external_id=str:a')).statusCode).toBe(501);
  });

  it('GET /stats also has the upstream node_count / relationship_count', async () => {
    const stats = (await inject('GET', '/stats')).json();
    expect(stats.node_count).toBe(stats.nodes);
    expect(stats.relationship_count).toBe(stats.relationships);
  });
});
