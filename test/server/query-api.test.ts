/**
 * The Neo4j Query API v2 door on a real server process: Neo4j's request and answer shapes
 * (plain and typed JSON), Bearer and Basic auth with API keys, Neo4j status codes for
 * errors, the database name, and READ access mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const ROOT_KEY = 'root-key-for-query-api-0123456789';
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT_KEY },
  });
});
afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
  text: string;
}

async function post(
  path: string,
  body: unknown,
  options: { auth?: string; accept?: string; contentType?: string; method?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method: options.method ?? 'POST',
    headers: {
      authorization: options.auth ?? `Bearer ${ROOT_KEY}`,
      'content-type': options.contentType ?? 'application/json',
      ...(options.accept === undefined ? {} : { accept: options.accept }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    text,
  };
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Query API v2: implicit transactions', () => {
  it('answers 202 with data.fields/values and bookmarks', async () => {
    const r = await post('/db/neo4j/query/v2', { statement: 'RETURN 1 AS one, 2.5 AS f, "x" AS s' });
    expect(r.status).toBe(202);
    expect(r.body.data).toEqual({ fields: ['one', 'f', 's'], values: [[1, 2.5, 'x']] });
    expect(Array.isArray(r.body.bookmarks)).toBe(true);
  });

  it('serialises nodes, relationships and paths with element ids', async () => {
    const r = await post('/db/neo4j/query/v2', {
      statement:
        "CREATE p = (a:Person {name: $name})-[k:KNOWS {since: 2020}]->(b:Person {name: 'Bob'}) RETURN a, k, p",
      parameters: { name: 'Alice' },
    });
    expect(r.status).toBe(202);
    const [a, k, p] = (r.body.data as { values: unknown[][] }).values[0] as [
      Record<string, unknown>,
      Record<string, unknown>,
      unknown[],
    ];
    expect(a).toMatchObject({ labels: ['Person'], properties: { name: 'Alice' } });
    expect(typeof a.elementId).toBe('string');
    expect(k).toMatchObject({ type: 'KNOWS', properties: { since: 2020 }, startNodeElementId: a.elementId });
    expect(typeof k.endNodeElementId).toBe('string');
    expect(p).toHaveLength(3);
    // elementId() in Cypher agrees with the element ids of the answer.
    const check = await post('/db/neo4j/query/v2', {
      statement: 'MATCH (n:Person {name: "Alice"}) RETURN elementId(n) AS id',
    });
    expect((check.body.data as { values: unknown[][] }).values[0]![0]).toBe(a.elementId);
  });

  it('speaks typed JSON both ways when asked', async () => {
    const r = await post(
      '/db/neo4j/query/v2',
      {
        statement: 'RETURN $i AS i, $f AS f, $l AS l, date("2024-02-29") AS d, null AS n',
        parameters: {
          i: { $type: 'Integer', _value: '9007199254740993' },
          f: { $type: 'Float', _value: '1.0' },
          l: { $type: 'List', _value: [{ $type: 'String', _value: 'a' }] },
        },
      },
      { accept: 'application/vnd.neo4j.query', contentType: 'application/vnd.neo4j.query' },
    );
    expect(r.status).toBe(202);
    expect(r.type).toContain('application/vnd.neo4j.query');
    // Parsed as text: the big integer must survive exactly.
    expect(r.text).toContain('{"$type":"Integer","_value":"9007199254740993"}');
    const values = (r.body.data as { values: unknown[][] }).values[0]!;
    expect(values[1]).toEqual({ $type: 'Float', _value: '1' });
    expect(values[2]).toEqual({ $type: 'List', _value: [{ $type: 'String', _value: 'a' }] });
    expect(values[3]).toEqual({ $type: 'Date', _value: '2024-02-29' });
    expect(values[4]).toEqual({ $type: 'Null', _value: null });
  });

  it('reports counters when includeCounters is set', async () => {
    const r = await post('/db/neo4j/query/v2', { statement: 'CREATE (:Counted)', includeCounters: true });
    expect(r.status).toBe(202);
    expect(r.body.counters).toMatchObject({ containsUpdates: true, nodesCreated: 1, labelsAdded: 1 });
  });

  it('accepts Basic auth with any user name and the API key as password', async () => {
    const ok = await post(
      '/db/neo4j/query/v2',
      { statement: 'RETURN 1 AS x' },
      { auth: basic('neo4j', ROOT_KEY) },
    );
    expect(ok.status).toBe(202);
    const bad = await post(
      '/db/neo4j/query/v2',
      { statement: 'RETURN 1 AS x' },
      { auth: basic('neo4j', 'wrong-key-wrong-key-0123') },
    );
    expect(bad.status).toBe(401);
    expect(bad.body.errors).toEqual([
      { code: 'Neo.ClientError.Security.Unauthorized', message: expect.stringContaining('INVALID_TOKEN') },
    ]);
  });

  it('maps errors to Neo4j status codes', async () => {
    const syntax = await post('/db/neo4j/query/v2', { statement: 'RETRN 1' });
    expect(syntax.status).toBe(400);
    expect((syntax.body.errors as { code: string }[])[0]!.code).toBe('Neo.ClientError.Statement.SyntaxError');
    const missing = await post('/db/neo4j/query/v2', { statement: 'RETURN $nope' });
    expect((missing.body.errors as { code: string }[])[0]!.code).toBe(
      'Neo.ClientError.Statement.ParameterMissing',
    );
    const noDb = await post('/db/elsewhere/query/v2', { statement: 'RETURN 1' });
    expect(noDb.status).toBe(404);
    expect((noDb.body.errors as { code: string }[])[0]!.code).toBe(
      'Neo.ClientError.Database.DatabaseNotFound',
    );
    const noStatement = await post('/db/neo4j/query/v2', { parameters: {} });
    expect(noStatement.status).toBe(400);
    expect((noStatement.body.errors as { code: string }[])[0]!.code).toBe('Neo.ClientError.Request.Invalid');
  });

  it('runs a READ access-mode request read-only', async () => {
    const r = await post('/db/neo4j/query/v2', { statement: 'CREATE (:ShouldNotExist)', accessMode: 'READ' });
    expect(r.status).toBe(403);
    expect((r.body.errors as { code: string }[])[0]!.code).toBe('Neo.ClientError.Security.Forbidden');
    const count = await post('/db/neo4j/query/v2', {
      statement: 'MATCH (n:ShouldNotExist) RETURN count(n) AS c',
    });
    expect((count.body.data as { values: unknown[][] }).values).toEqual([[0]]);
  });
});

describe('Query API v2: explicit transactions', () => {
  const countOf = async (label: string): Promise<unknown> => {
    const r = await post('/db/neo4j/query/v2', { statement: `MATCH (n:${label}) RETURN count(n) AS c` });
    return (r.body.data as { values: unknown[][] }).values[0]![0];
  };

  it('opens, runs with read-your-writes, isolates until commit, and commits with a bookmark', async () => {
    const open = await post('/db/neo4j/query/v2/tx', { statement: 'CREATE (:TxA {v: 1})' });
    expect(open.status).toBe(202);
    const tx = open.body.transaction as { id: string; expires: string };
    expect(typeof tx.id).toBe('string');
    expect(Number.isNaN(Date.parse(tx.expires))).toBe(false);
    const inside = await post(`/db/neo4j/query/v2/tx/${tx.id}`, {
      statement: 'MATCH (n:TxA) RETURN count(n) AS c',
    });
    expect(inside.status).toBe(202);
    expect((inside.body.data as { values: unknown[][] }).values).toEqual([[1]]);
    expect(await countOf('TxA')).toBe(0);
    const commit = await post(`/db/neo4j/query/v2/tx/${tx.id}/commit`, undefined);
    expect(commit.status).toBe(202);
    expect((commit.body.bookmarks as string[]).length).toBe(1);
    expect(await countOf('TxA')).toBe(1);
    // Gone after commit.
    const again = await post(`/db/neo4j/query/v2/tx/${tx.id}`, { statement: 'RETURN 1' });
    expect(again.status).toBe(404);
    expect((again.body.errors as { code: string }[])[0]!.code).toBe(
      'Neo.ClientError.Transaction.TransactionNotFound',
    );
  });

  it('rolls back with DELETE and leaves nothing behind', async () => {
    const open = await post('/db/neo4j/query/v2/tx', {});
    const id = (open.body.transaction as { id: string }).id;
    await post(`/db/neo4j/query/v2/tx/${id}`, { statement: 'CREATE (:TxB)' });
    const del = await post(`/db/neo4j/query/v2/tx/${id}`, undefined, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await countOf('TxB')).toBe(0);
  });

  it('rolls back a transaction whose statement fails', async () => {
    const open = await post('/db/neo4j/query/v2/tx', { statement: 'CREATE (:TxC)' });
    const id = (open.body.transaction as { id: string }).id;
    const bad = await post(`/db/neo4j/query/v2/tx/${id}`, { statement: 'RETURN 1/0' });
    expect(bad.status).toBe(400);
    const commit = await post(`/db/neo4j/query/v2/tx/${id}/commit`, undefined);
    expect(commit.status).toBe(404);
    expect(await countOf('TxC')).toBe(0);
  });

  it('does not let another key reach a transaction by its id', async () => {
    const created = await fetch(`${server.url}/auth/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other', permissions: ['WRITE'] }),
    });
    const other = ((await created.json()) as { secret: string }).secret;
    const open = await post('/db/neo4j/query/v2/tx', { statement: 'CREATE (:TxD)' });
    const id = (open.body.transaction as { id: string }).id;
    const stolen = await post(`/db/neo4j/query/v2/tx/${id}/commit`, undefined, { auth: `Bearer ${other}` });
    expect(stolen.status).toBe(404);
    expect(await countOf('TxD')).toBe(0);
    await post(`/db/neo4j/query/v2/tx/${id}`, undefined, { method: 'DELETE' });
  });
});
