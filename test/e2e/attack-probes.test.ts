/**
 * Regression tests for defects found by probing a real running server (standalone, auth
 * off on loopback) with hostile but valid input: text storage cannot carry (unpaired
 * UTF-16 surrogates, which UTF-8 turns into U+FFFD) and property lists of mixed types
 * that the REST, ingest and MCP paths used to store although Cypher refuses them. Each
 * case checks that the refusal is a 4xx and that nothing of the request was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { call, errorCode, mcpConnect, type McpHandle, type WireResponse } from './helpers/cluster-harness.js';

let server: ServerProcess;
let mcp: McpHandle;

beforeAll(async () => {
  server = await startServerProcess();
  mcp = await mcpConnect(server.url, 'unused-auth-is-off');
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await server?.stop();
});

/** JSON text with `\uXXXX` escapes kept as escapes, so lone surrogates reach the server. */
function rawJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function cypherRaw(query: string, params?: Record<string, unknown>): Promise<WireResponse> {
  return call(server.url, 'POST', '/cypher', {
    raw: rawJson(params === undefined ? { query } : { query, params }),
  });
}

async function count(query: string): Promise<unknown> {
  const res = await cypherRaw(query);
  expect(res.status, res.text).toBe(200);
  return (res.body as { rows: unknown[][] }).rows[0]![0];
}

function expectRefused(res: WireResponse): void {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text).toBeLessThan(500);
}

describe('unpaired surrogates (text UTF-8 storage cannot hold)', () => {
  it('two property keys that differ only in their lone surrogate are not merged into one', async () => {
    const res = await cypherRaw('CREATE (n:Sur1 {`\ud800`: 1, `\udc00`: 2}) RETURN properties(n) AS p');
    expectRefused(res);
    expect(errorCode(res.body)).toBe('INVALID_PARAMETER');
    expect(await count('MATCH (n:Sur1) RETURN count(n)')).toBe(0);
  });

  it('a string value is refused rather than silently stored as U+FFFD (Cypher, REST, ingest, MCP)', async () => {
    expectRefused(await cypherRaw('CREATE (n:Sur2 {p: $p})', { p: 'a\ud800b' }));
    expectRefused(await cypherRaw("CREATE (n:Sur2) SET n.p = 'x\udfff'"));
    expectRefused(
      await call(server.url, 'POST', '/data/nodes', {
        raw: rawJson({ labels: ['Sur2'], properties: { p: ['ok', '\udc00'] } }),
      }),
    );
    expectRefused(
      await call(server.url, 'POST', '/ingest', {
        raw: rawJson({ nodes: [{ ref: 'a', labels: ['Sur2'], properties: { p: '\ud83d' } }] }),
      }),
    );
    const tool = await mcp.tool('create_node', { labels: ['Sur2'], properties: { p: '\ud800' } });
    expect(tool.isError, tool.text).toBe(true);
    expect(await count('MATCH (n:Sur2) RETURN count(n)')).toBe(0);
    // A well-formed pair is ordinary text and round-trips.
    const ok = await cypherRaw('CREATE (n:Sur2 {p: $p}) RETURN n.p = $p AS same', { p: '\ud83d\ude00' });
    expect(ok.status, ok.text).toBe(200);
    expect((ok.body as { rows: unknown[][] }).rows).toEqual([[true]]);
  });

  it('a label, type or index name with a lone surrogate is refused and never aliases U+FFFD', async () => {
    expect(await count('CREATE (n:`\ufffd`) RETURN count(n)')).toBe(1);
    expectRefused(await cypherRaw('CREATE (n:`\ud800`)'));
    expectRefused(await cypherRaw('CREATE (a:SurA)-[:`\udc00`]->(b:SurA)'));
    expectRefused(await cypherRaw('CREATE INDEX `\ud800x` FOR (n:SurA) ON (n.p)'));
    expectRefused(
      await call(server.url, 'POST', '/data/nodes', { raw: rawJson({ labels: ['\udbff'], properties: {} }) }),
    );
    // Reading with such a name finds nothing, not the U+FFFD label's nodes.
    expect(await count('MATCH (n:`\ud800`) RETURN count(n)')).toBe(0);
    expect(await count('MATCH (n:`\ufffd`) RETURN count(n)')).toBe(1);
    expect(await count('MATCH (n:SurA) RETURN count(n)')).toBe(0);
  });
});

describe('mixed-type property lists (Cypher refuses them; every other write path must too)', () => {
  it('REST create, PATCH, PUT, relationships, ingest and MCP refuse a list of mixed types, storing nothing', async () => {
    const node = await call(server.url, 'POST', '/data/nodes', { body: { labels: ['Mix'], properties: {} } });
    expect(node.status, node.text).toBe(201);
    const id = (node.body as { id: number }).id;
    const attempts: WireResponse[] = [
      await call(server.url, 'POST', '/data/nodes', {
        body: { labels: ['Mix'], properties: { x: [1, 'a'] } },
      }),
      await call(server.url, 'PATCH', `/data/nodes/${id}`, { body: { properties: { x: [true, 1] } } }),
      await call(server.url, 'PUT', `/data/nodes/${id}`, { body: { properties: { x: ['a', false] } } }),
      await call(server.url, 'POST', '/data/relationships', {
        body: { src: id, dst: id, type: 'MIX', properties: { x: [1.5, 's'] } },
      }),
      await call(server.url, 'POST', '/ingest', {
        body: { nodes: [{ ref: 'm', labels: ['Mix'], properties: { x: [1, 'a'] } }] },
      }),
    ];
    for (const res of attempts) expectRefused(res);
    const tool = await mcp.tool('create_node', { labels: ['Mix'], properties: { x: [1, 'a'] } });
    expect(tool.isError, tool.text).toBe(true);
    expect(await count('MATCH (n:Mix) RETURN count(n)')).toBe(1);
    expect(await count('MATCH (n:Mix) RETURN size(keys(n))')).toBe(0);
    expect(await count('MATCH ()-[r:MIX]->() RETURN count(r)')).toBe(0);
  });

  it('integers and floats together stay one family, as in Cypher, and can be copied by Cypher', async () => {
    const res = await call(server.url, 'POST', '/data/nodes', {
      raw: '{"labels":["Num"],"properties":{"x":[1, 1.5, {"$float":"NaN"}]}}',
    });
    expect(res.status, res.text).toBe(201);
    expect(await count('MATCH (n:Num) SET n.y = n.x RETURN size(n.y)')).toBe(3);
  });
});

describe('request bodies are JSON, also where the lossless number scan rewrites a token', () => {
  it('refuses number tokens outside the JSON grammar instead of accepting them as escapes', async () => {
    for (const token of [
      '1.',
      '1.e5',
      '-1.',
      '-01.0',
      '00.5e1',
      '0123456789012345678',
      '-00000000000000000001',
    ]) {
      const res = await call(server.url, 'POST', '/cypher', {
        raw: `{"query":"RETURN $a AS a","params":{"a":${token}}}`,
      });
      expect(res.status, `${token}: ${res.text}`).toBe(400);
      expect(errorCode(res.body), token).toBe('INVALID_BODY');
    }
    const created = await call(server.url, 'POST', '/data/nodes', {
      raw: '{"labels":["BadNum"],"properties":{"x":2.}}',
    });
    expect(created.status, created.text).toBe(400);
    expect(await count('MATCH (n:BadNum) RETURN count(n)')).toBe(0);
  });

  it('still reads valid tokens losslessly', async () => {
    const res = await call(server.url, 'POST', '/cypher', {
      raw: '{"query":"RETURN $a AS a","params":{"a":[1.0, -0.0, 1E5, 2.50e+1, 9223372036854775807, -9223372036854775808, 0]}}',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain(
      '[[[1.0,-0.0,100000.0,25.0,{"$int":"9223372036854775807"},{"$int":"-9223372036854775808"},0]]]',
    );
  });
});

describe('temporal values beyond year ±999,999,999', () => {
  it('arithmetic and epoch constructors refuse them instead of printing garbage', async () => {
    for (const expr of [
      "date('+999999999-12-31') + duration('P1D')",
      "date('-999999999-01-01') - duration('P1D')",
      'date() + duration({days: 9223372036854775807})',
      "localdatetime('2020-01-01T00:00') + duration({seconds: 9223372036854775807})",
      'datetime({epochSeconds: 9223372036854775807})',
      'datetime.fromepoch(9223372036854775807, 0)',
    ]) {
      const res = await cypherRaw(`RETURN ${expr} AS t`);
      expect(res.status, `${expr}: ${res.text}`).toBe(400);
      expect(errorCode(res.body), expr).toBe('CYPHER_ARGUMENT_ERROR');
    }
    // Temporal components are 64-bit integers like every other INTEGER.
    for (const expr of [
      "duration('P9223372036854775807Y').months",
      "duration('P768614336404564651Y').months",
      'duration({seconds: 9223372036854775807}).nanoseconds',
      'duration({seconds: 9223372036854775807}).milliseconds',
      "datetime('+999999999-12-31T23:59:59Z').epochMillis",
      "datetime('-999999999-01-01T00:00Z').epochMillis",
    ]) {
      const res = await cypherRaw(`RETURN ${expr} AS m`);
      expect(res.status, `${expr}: ${res.text}`).toBe(400);
      expect(errorCode(res.body), expr).toBe('CYPHER_ARITHMETIC_ERROR');
    }
    const edge = await cypherRaw(
      "RETURN toString(date('+999999999-12-31')) AS a, toString(date('-999999999-01-01')) AS b",
    );
    expect((edge.body as { rows: unknown[][] }).rows).toEqual([['+999999999-12-31', '-999999999-01-01']]);
  });

  it('one statement cannot store a temporal that no read or delete could decode again', async () => {
    const res = await cypherRaw("CREATE (n:TempPoison {d: date('+999999999-12-31') + duration('P1D')})");
    expectRefused(res);
    expect(await count('MATCH (n:TempPoison) RETURN count(n)')).toBe(0);
    // The namespace stays fully readable and deletable.
    const all = await cypherRaw('MATCH (n) RETURN n');
    expect(all.status, all.text.slice(0, 300)).toBe(200);
    const ok = await cypherRaw("CREATE (n:TempOk {d: date('+999999999-12-31')}) RETURN toString(n.d) AS d");
    expect((ok.body as { rows: unknown[][] }).rows).toEqual([['+999999999-12-31']]);
  });
});

describe('names like Object.prototype members in JSON answers', () => {
  it('answers the id of every ref, "__proto__" and "constructor" included', async () => {
    const res = await call(server.url, 'POST', '/ingest', {
      raw: '{"nodes":[{"ref":"__proto__","labels":["RefP"]},{"ref":"constructor","labels":["RefP"]},{"ref":"plain","labels":["RefP"]}]}',
    });
    expect(res.status, res.text).toBe(200);
    const refs = (res.body as { refs: Record<string, unknown> }).refs;
    expect(Object.keys(refs).sort()).toEqual(['__proto__', 'constructor', 'plain']);
    const ids = await cypherRaw('MATCH (n:RefP) RETURN collect(id(n)) AS ids');
    const stored = (ids.body as { rows: number[][][] }).rows[0]![0]!;
    expect(Object.values(refs).sort()).toEqual([...stored].sort());
  });

  it('/stats counts labels and relationship types named "__proto__" like any other', async () => {
    const made = await cypherRaw(
      'CREATE (a:`__proto__`)-[:`__proto__`]->(b:`__proto__`), (c:hasOwnProperty)-[:constructor]->(c)',
    );
    expect(made.status, made.text).toBe(200);
    const res = await call(server.url, 'GET', '/stats');
    expect(res.status, res.text).toBe(200);
    const body = res.body as { labels: Record<string, number>; relationship_types: Record<string, number> };
    expect(Object.getOwnPropertyDescriptor(body.labels, '__proto__')?.value).toBe(2);
    expect(body.labels.hasOwnProperty).toBe(1);
    expect(Object.getOwnPropertyDescriptor(body.relationship_types, '__proto__')?.value).toBe(1);
    expect(Object.getOwnPropertyDescriptor(body.relationship_types, 'constructor')?.value).toBe(1);
  });

  it('a variable or alias named `__proto__` is a clean 400, never a 500 or a wrong value', async () => {
    const queries = [
      'RETURN 1 AS `__proto__`',
      'UNWIND [1, 2] AS `__proto__` RETURN `__proto__`',
      'WITH 5 AS `__proto__` RETURN `__proto__` + 1 AS x',
      'RETURN [`__proto__` IN [1, 2] | `__proto__` * 2] AS x',
      'RETURN reduce(`__proto__` = 0, x IN [1, 2, 3] | `__proto__` + x) AS s',
      'CALL db.labels() YIELD label AS `__proto__` RETURN `__proto__`',
      'MATCH (`__proto__`) RETURN count(*) AS c',
      'FOREACH (`__proto__` IN [1] | CREATE (:ProtoVar {v: `__proto__`}))',
    ];
    for (const query of queries) {
      const res = await cypherRaw(query);
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(errorCode(res.body), query).toBe('CYPHER_SYNTAX_ERROR');
    }
    expect(await count('MATCH (n:ProtoVar) RETURN count(n)')).toBe(0);
    // Other Object.prototype member names are ordinary variables.
    const ok = await cypherRaw(
      'WITH 5 AS `constructor`, 6 AS toString, 7 AS hasOwnProperty RETURN `constructor` + toString + hasOwnProperty AS s',
    );
    expect(ok.status, ok.text).toBe(200);
    expect((ok.body as { rows: unknown[][] }).rows).toEqual([[18]]);
  });
});

describe('MCP JSON-RPC ids through the lossless number parser', () => {
  it('answers a request whose numeric id is written 1.0 or 1e3, echoing the number', async () => {
    for (const [raw, expected] of [
      ['1.0', 1],
      ['1e3', 1000],
      ['7', 7],
    ] as const) {
      const res = await call(server.url, 'POST', '/mcp', {
        headers: { accept: 'application/json, text/event-stream' },
        raw: `{"jsonrpc":"2.0","id":${raw},"method":"tools/list"}`,
      });
      expect(res.status, `${raw}: ${res.text.slice(0, 200)}`).toBe(200);
      const body = res.body as { id: unknown; result?: { tools: unknown[] } };
      expect(body.id).toBe(expected);
      expect(body.result?.tools.length).toBeGreaterThan(0);
    }
  });
});

describe('string order beyond the Basic Multilingual Plane', () => {
  it('a range predicate answers the same with and without an index, in code point order', async () => {
    // U+1F600 (a surrogate pair in UTF-16) sorts above U+FF21 (fullwidth A) by code point,
    // below it by UTF-16 unit; the index keeps UTF-8, i.e. code point, order.
    const made = await cypherRaw("CREATE (:Cp {p: '\ud83d\ude00'}), (:Cp {p: '\uff21'}), (:Cp {p: 'a'})");
    expect(made.status, made.text).toBe(200);
    const queries = [
      "MATCH (n:Cp) WHERE n.p < '\uff22' RETURN n.p AS p ORDER BY p",
      "MATCH (n:Cp) WHERE n.p > '\uff21' RETURN n.p AS p ORDER BY p",
      "MATCH (n:Cp) WHERE n.p >= 'a' AND n.p <= '\uffff' RETURN n.p AS p ORDER BY p",
    ];
    const answers = async (): Promise<unknown[]> =>
      Promise.all(
        queries.map(async (q) => {
          const res = await cypherRaw(q);
          expect(res.status, res.text).toBe(200);
          return (res.body as { rows: unknown[][] }).rows;
        }),
      );
    const scanned = await answers();
    expect(scanned).toEqual([[['a'], ['\uff21']], [['\ud83d\ude00']], [['a'], ['\uff21']]]);
    const indexed = await cypherRaw('CREATE INDEX FOR (n:Cp) ON (n.p)');
    expect(indexed.status, indexed.text).toBe(200);
    expect(await answers()).toEqual(scanned);
    const ordered = await cypherRaw(
      "RETURN '\ud83d\ude00' > '\uff21' AS gt, [x IN ['\ud83d\ude00', '\uff21']] AS l",
    );
    expect((ordered.body as { rows: unknown[][] }).rows[0]![0]).toBe(true);
  });
});

describe('backtick-quoted variables passed through WITH', () => {
  it('`WITH `x`` binds x, as `WITH x` does', async () => {
    const cases: [string, unknown[][]][] = [
      ['UNWIND [1, 2] AS `x` WITH `x` WHERE `x` > 1 RETURN x', [[2]]],
      ['WITH 1 AS x WITH `x`, x + 1 AS y RETURN x, y', [[1, 2]]],
      ['UNWIND [1, 2] AS `a b` WITH `a b` WHERE `a b` > 1 RETURN `a b` AS v', [[2]]],
      ['UNWIND [3, 1, 2] AS x WITH `x` ORDER BY `x` DESC LIMIT 2 RETURN collect(x) AS l', [[[3, 2]]]],
    ];
    for (const [query, expected] of cases) {
      const res = await cypherRaw(query);
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      expect((res.body as { rows: unknown[][] }).rows, query).toEqual(expected);
    }
  });
});

describe('names longer than any stored name', () => {
  it('reading a label, type or property key of 5000 characters finds nothing instead of failing', async () => {
    const long = 'x'.repeat(5000);
    for (const query of [
      `MATCH (n:\`${long}\`) RETURN count(n) AS c`,
      `MATCH ()-[r:\`${long}\`]->() RETURN count(r) AS c`,
      `MATCH (n) WHERE n.\`${long}\` = 1 RETURN count(n) AS c`,
      `MATCH (n) WHERE n:\`${long}\` RETURN count(n) AS c`,
    ]) {
      const res = await cypherRaw(query);
      expect(res.status, `${query.slice(0, 40)}: ${res.text.slice(0, 200)}`).toBe(200);
      expect((res.body as { rows: unknown[][] }).rows).toEqual([[0]]);
    }
    // Writing one is still a clean refusal.
    const write = await cypherRaw(`CREATE (n:\`${long}\`)`);
    expect(write.status, write.text).toBe(400);
    expect(errorCode(write.body)).toBe('INVALID_PARAMETER');
  });
});

describe('a read whose rows are few but each costly', () => {
  it('lets other requests through between its rows instead of holding the event loop to the end', async () => {
    const query = 'UNWIND range(1, 25) AS k RETURN k, size([x IN range(1, 250000) | toString(x)]) AS s';
    const started = Date.now();
    const heavy = call(server.url, 'POST', '/cypher', { body: { query } }).then((res) => ({
      res,
      at: Date.now(),
    }));
    await new Promise((r) => setTimeout(r, 300));
    const health = await call(server.url, 'GET', '/health');
    const healthAt = Date.now();
    const { res, at } = await heavy;
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    expect(health.status).toBe(200);
    // Meaningful only if the heavy read really ran for a while.
    expect(at - started).toBeGreaterThan(1500);
    // /health is answered while the read still runs, not after it.
    expect(
      at - healthAt,
      `health at +${healthAt - started} ms, read done at +${at - started} ms`,
    ).toBeGreaterThan(1000);
  }, 30_000);
});
