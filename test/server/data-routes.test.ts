import { describe, expect, it } from 'vitest';
import { useTestServer } from './support.js';

const server = useTestServer();

const inject = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  server.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('/data/nodes', () => {
  it('creates, reads, merges, replaces and deletes a node', async () => {
    const created = await inject('POST', '/data/nodes', {
      labels: ['Person'],
      properties: { name: 'Ada', age: 36, score: 1.5, tags: ['a', 'b'], gone: null },
    });
    expect(created.statusCode).toBe(201);
    const node = created.json();
    expect(node).toMatchObject({ labels: ['Person'], properties: { name: 'Ada', age: 36, score: 1.5 } });
    expect(node.properties).not.toHaveProperty('gone');

    const got = await inject('GET', `/data/nodes/${node.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(node);

    const patched = await inject('PATCH', `/data/nodes/${node.id}`, {
      properties: { age: null, city: 'London' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().properties).toEqual({ name: 'Ada', score: 1.5, tags: ['a', 'b'], city: 'London' });

    const replaced = await inject('PUT', `/data/nodes/${node.id}`, {
      properties: { only: 1 },
      labels: ['Engineer'],
    });
    expect(replaced.json()).toMatchObject({ labels: ['Engineer'], properties: { only: 1 } });

    const viaCypher = await inject('POST', '/cypher', { query: `MATCH (n:Engineer) RETURN n.only AS o` });
    expect(viaCypher.json().rows).toEqual([[1]]);

    const deleted = await inject('DELETE', `/data/nodes/${node.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ deleted: true, id: node.id });
    expect((await inject('GET', `/data/nodes/${node.id}`)).statusCode).toBe(404);
  });

  it('keeps 1.0 a float and big integers exact in properties', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/data/nodes',
      headers: { 'content-type': 'application/json' },
      payload: '{"properties":{"f":1.0,"big":9223372036854775807}}',
    });
    expect(res.body).toContain('"f":1.0');
    expect(res.body).toContain('"big":{"$int":"9223372036854775807"}');
  });

  it('refuses to delete a node with relationships unless detach=true', async () => {
    const a = (await inject('POST', '/data/nodes', { labels: ['A'] })).json();
    const b = (await inject('POST', '/data/nodes', { labels: ['B'] })).json();
    const rel = await inject('POST', '/data/relationships', {
      src: a.id,
      dst: b.id,
      type: 'LINKS',
      properties: { w: 2 },
    });
    expect(rel.statusCode).toBe(201);
    const refused = await inject('DELETE', `/data/nodes/${a.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('CONSTRAINT_VIOLATION');
    expect((await inject('GET', `/data/nodes/${a.id}`)).statusCode).toBe(200);
    const detached = await inject('DELETE', `/data/nodes/${a.id}?detach=true`);
    expect(detached.json()).toMatchObject({ deleted: true, relationships_deleted: 1 });
    expect((await inject('GET', `/data/relationships/${rel.json().id}`)).statusCode).toBe(404);
  });

  it('answers 404 / 400 for missing nodes and bad input', async () => {
    const missing = await inject('GET', '/data/nodes/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect((await inject('PATCH', '/data/nodes/999999', { properties: {} })).statusCode).toBe(404);
    const badId = await inject('GET', '/data/nodes/abc');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.code).toBe('INVALID_PARAMETER');
    const nested = await inject('POST', '/data/nodes', { properties: { m: { a: 1 } } });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.code).toBe('INVALID_BODY');
    const badLabels = await inject('POST', '/data/nodes', { labels: 'Person' });
    expect(badLabels.statusCode).toBe(400);
    const badDetach = await inject('DELETE', '/data/nodes/1?detach=maybe');
    expect(badDetach.json().error.code).toBe('INVALID_PARAMETER');
  });
});

describe('/data/relationships', () => {
  it('creates, reads and deletes a relationship', async () => {
    const a = (await inject('POST', '/data/nodes', {})).json();
    const b = (await inject('POST', '/data/nodes', {})).json();
    const created = await inject('POST', '/data/relationships', { src: a.id, dst: b.id, type: 'R' });
    expect(created.statusCode).toBe(201);
    const rel = created.json();
    expect(rel).toMatchObject({ type: 'R', start: a.id, end: b.id, properties: {} });
    expect((await inject('GET', `/data/relationships/${rel.id}`)).json()).toEqual(rel);
    expect((await inject('DELETE', `/data/relationships/${rel.id}`)).json()).toEqual({
      deleted: true,
      id: rel.id,
    });
    expect((await inject('DELETE', `/data/relationships/${rel.id}`)).statusCode).toBe(404);
  });

  it('refuses endpoints that do not exist', async () => {
    const a = (await inject('POST', '/data/nodes', {})).json();
    const res = await inject('POST', '/data/relationships', { src: a.id, dst: 987654, type: 'R' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.details).toEqual({ id: 987654 });
    const noType = await inject('POST', '/data/relationships', { src: a.id, dst: a.id });
    expect(noType.statusCode).toBe(400);
  });
});

describe('POST /ingest', () => {
  it('imports nodes and relationships by ref and id in one go', async () => {
    const existing = (await inject('POST', '/data/nodes', { labels: ['Existing'] })).json();
    const res = await inject('POST', '/ingest', {
      nodes: [
        { ref: 'x', labels: ['Batch'], properties: { n: 1 } },
        { ref: 'y', labels: ['Batch'], properties: { n: 2 } },
        { labels: ['Batch'] },
      ],
      relationships: [
        { src: 'x', dst: 'y', type: 'NEXT' },
        { src: existing.id, dst: 'x', type: 'OWNS', properties: { since: 2020 } },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ nodes_created: 3, relationships_created: 2 });
    expect(typeof body.elapsed_ms).toBe('number');
    expect(typeof body.items_per_second).toBe('number');
    expect(Object.keys(body.refs)).toEqual(['x', 'y']);
    const check = await inject('POST', '/cypher', {
      query: 'MATCH (e:Existing)-[:OWNS]->(x:Batch)-[:NEXT]->(y:Batch) RETURN x.n, y.n',
    });
    expect(check.json().rows).toEqual([[1, 2]]);
  });

  it('reports a malformed item with its index and imports nothing', async () => {
    const before = (await inject('GET', '/stats')).json();
    const cases: [unknown, string, number][] = [
      [{ nodes: [{ labels: ['Ok'] }, { labels: [1] }] }, 'nodes', 1],
      [{ nodes: [{}, {}, { properties: { bad: { nested: true } } }] }, 'nodes', 2],
      [{ nodes: [{ ref: 'a' }], relationships: [{ src: 'a', dst: 'zzz', type: 'T' }] }, 'relationships', 0],
      [
        {
          nodes: [{ ref: 'a' }],
          relationships: [
            { src: 'a', dst: 'a', type: 'T' },
            { src: 'a', dst: 99999, type: 'T' },
          ],
        },
        'relationships',
        1,
      ],
      [{ nodes: [{ ref: 'a' }, { ref: 'a' }] }, 'nodes', 1],
    ];
    for (const [payload, section, index] of cases) {
      const res = await inject('POST', '/ingest', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('INVALID_BODY');
      expect(res.json().error.details.index, JSON.stringify(payload)).toBe(index);
      if (res.json().error.details.section !== undefined)
        expect(res.json().error.details.section).toBe(section);
      else expect(res.json().error.details.path).toContain(section);
    }
    const after = (await inject('GET', '/stats')).json();
    expect(after.nodes).toBe(before.nodes);
    expect(after.relationships).toBe(before.relationships);
  });
});

describe('/schema and /stats', () => {
  it('lists labels, types, property keys and indexes of the namespace', async () => {
    await inject('POST', '/cypher', { query: 'CREATE (:Schema {sk: 1})-[:SCHEMA_REL]->(:Schema)' });
    await inject('POST', '/cypher', { query: 'CREATE INDEX FOR (n:Schema) ON (n.sk)' });
    expect((await inject('GET', '/schema/labels')).json().labels).toContain('Schema');
    expect((await inject('GET', '/schema/rel_types')).json().relationship_types).toContain('SCHEMA_REL');
    expect((await inject('GET', '/schema/property_keys')).json().property_keys).toContain('sk');
    const indexes = (await inject('GET', '/schema/indexes')).json().indexes;
    expect(indexes).toContainEqual(expect.objectContaining({ label: 'Schema', property: 'sk' }));
  });

  it('reports counts, storage bytes, uptime and version', async () => {
    const stats = (await inject('GET', '/stats')).json();
    expect(stats.nodes).toBeGreaterThan(0);
    expect(stats.labels.Schema).toBe(2);
    expect(stats.relationship_types.SCHEMA_REL).toBe(1);
    expect(stats.storage_bytes).toBeGreaterThan(0);
    expect(stats.version).toBe('0.0.0-test');
    expect(typeof stats.uptime_seconds).toBe('number');
  });
});
