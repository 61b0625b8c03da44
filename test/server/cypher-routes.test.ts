import { describe, expect, it } from 'vitest';
import { useTestServer } from './support.js';

const server = useTestServer();

function cypher(query: string, params?: unknown) {
  return server.app.inject({ method: 'POST', url: '/cypher', payload: { query, params } });
}

function rawCypher(body: string) {
  return server.app.inject({
    method: 'POST',
    url: '/cypher',
    headers: { 'content-type': 'application/json' },
    payload: body,
  });
}

describe('POST /cypher', () => {
  it('returns columns, rows, execution time and stats', async () => {
    const res = await cypher('RETURN 1 AS one, "a" AS s, null AS n, true AS b');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.columns).toEqual(['one', 's', 'n', 'b']);
    expect(body.rows).toEqual([[1, 'a', null, true]]);
    expect(typeof body.execution_time_ms).toBe('number');
    expect(body.stats.nodesCreated).toBe(0);
  });

  it('keeps integers and floats apart in the JSON text', async () => {
    const res = await cypher('RETURN 1 AS i, 1.0 AS f, 2.5 AS g, -0.0 AS z');
    expect(res.body).toContain('"rows":[[1,1.0,2.5,-0.0]]');
  });

  it('writes integers beyond 2^53 as {"$int": "..."}', async () => {
    const res = await cypher('RETURN 9223372036854775807 AS max, 9007199254740991 AS safe');
    expect(res.json().rows[0]).toEqual([{ $int: '9223372036854775807' }, 9007199254740991]);
  });

  it('reads big integer literals in the body without rounding', async () => {
    const res = await rawCypher('{"query":"RETURN $p AS p, $p + 1 AS q","params":{"p":9007199254740993}}');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows[0]).toEqual([{ $int: '9007199254740993' }, { $int: '9007199254740994' }]);
  });

  it('reads 1.0 in the body as a FLOAT and 1 as an INTEGER', async () => {
    const res = await rawCypher(
      '{"query":"RETURN $f AS f, $i AS i, $f = $i AS eq","params":{"f":1.0,"i":1}}',
    );
    expect(res.body).toContain('"rows":[[1.0,1,true]]');
  });

  it('accepts the $int and $float escapes as input', async () => {
    const res = await cypher('RETURN $a AS a, $b AS b, $c AS c', {
      a: { $int: '-9223372036854775808' },
      b: { $float: '3' },
      c: { $float: 'NaN' },
    });
    expect(res.body).toContain('"rows":[[{"$int":"-9223372036854775808"},3.0,{"$float":"NaN"}]]');
  });

  it('serialises nodes, relationships, paths, lists and maps', async () => {
    const res = await cypher(
      'CREATE p = (a:Person {name: "Ada", born: 1815})-[r:KNOWS {since: 1833}]->(b:Person {name: "Charles"}) ' +
        'RETURN a, r, p, [1, 2.0] AS l, {k: "v"} AS m',
    );
    expect(res.statusCode).toBe(200);
    const [a, r, p, l, m] = res.json().rows[0];
    expect(a).toMatchObject({ labels: ['Person'], properties: { name: 'Ada', born: 1815 } });
    expect(typeof a.id).toBe('number');
    expect(r).toMatchObject({ type: 'KNOWS', start: a.id, properties: { since: 1833 } });
    expect(p.nodes).toHaveLength(2);
    expect(p.relationships).toHaveLength(1);
    expect(l).toEqual([1, 2]);
    expect(m).toEqual({ k: 'v' });
    expect(res.json().stats).toMatchObject({ nodesCreated: 2, relationshipsCreated: 1 });
  });

  it('takes any parameter name and map key, __proto__ and constructor included, without pollution', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];
    const body = JSON.stringify({
      query:
        'RETURN $__proto__ AS p, $constructor AS c, $toString AS t, $hasOwnProperty AS h, $prototype AS pr, ' +
        '$m AS m, $m.__proto__ AS mp, keys($m) AS k',
      params: {},
    }).replace(
      '"params":{}',
      `"params":{${names.map((n, i) => `"${n}":${i + 1}`).join(',')},` +
        '"m":{"__proto__":{"polluted":true},"constructor":"c"}}',
    );
    const res = await rawCypher(body);
    expect(res.statusCode, res.body).toBe(200);
    // Parsed from text: a JSON "__proto__" key is an own property there too.
    expect(res.json().rows).toEqual(
      JSON.parse(
        '[[1,2,3,4,5,{"__proto__":{"polluted":true},"constructor":"c"},{"polluted":true},["__proto__","constructor"]]]',
      ),
    );
    // The map really carries a "__proto__" key on the wire, not a prototype.
    expect(res.body).toContain('{"__proto__":{"polluted":true},"constructor":"c"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // An inherited name that was not passed is still a missing parameter.
    const missing = await rawCypher('{"query":"RETURN $valueOf AS v","params":{"__proto__":1}}');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('CYPHER_SEMANTIC_ERROR');
    // As property keys of a stored node.
    const created = await rawCypher(
      '{"query":"CREATE (n:ProtoKeys) SET n = $props RETURN properties(n) AS p","params":{"props":{"__proto__":7,"constructor":8}}}',
    );
    expect(created.statusCode, created.body).toBe(200);
    expect(created.body).toContain('"__proto__":7');
    expect(created.body).toContain('"constructor":8');
  });

  it('rejects integers outside 64 bits', async () => {
    const res = await rawCypher('{"query":"RETURN $p","params":{"p":99999999999999999999}}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_BODY');
  });

  it('maps Cypher errors to their codes with a position', async () => {
    const res = await cypher('RETURN (');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('CYPHER_SYNTAX_ERROR');
    expect(res.json().error.details).toHaveProperty('line');
  });

  it('rejects bodies that do not match the schema', async () => {
    for (const payload of [
      {},
      { query: 1 },
      { query: '' },
      { query: 'RETURN 1', extra: true },
      { query: 'x', params: 3 },
    ]) {
      const res = await server.app.inject({ method: 'POST', url: '/cypher', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('INVALID_BODY');
    }
  });

  it('rejects malformed JSON, empty bodies and other media types', async () => {
    const bad = await rawCypher('{"query": ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_BODY');
    const empty = await rawCypher('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('INVALID_BODY');
    const text = await server.app.inject({
      method: 'POST',
      url: '/cypher',
      headers: { 'content-type': 'text/plain' },
      payload: 'RETURN 1',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
