/**
 * Resource-exhaustion attacks against a real server process. One process serves every
 * tenant, so a query that crashes it (heap or stack exhaustion) or freezes its event loop is
 * a denial of service against all of them. For each attack: the attacker gets a clear error
 * code (never a 5xx), and GET /health keeps answering while the attack runs — promptly for
 * attacks the engine rejects up front or runs cooperatively, and within the query timeout
 * for the synchronous ones (a single expression or a write transaction cannot yield).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const TIMEOUT_MS = 2000;
/** A small budget so the memory attacks reach it quickly (and to exercise the config key). */
const MEMORY_BYTES = 64 * 1024 * 1024;
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    config: { query: { timeout_ms: TIMEOUT_MS, max_memory_bytes: MEMORY_BYTES } },
  });
  // A complete directed graph on 25 nodes (600 relationships) for expansion attacks.
  const setup = await cypher(
    'UNWIND range(1, 25) AS i CREATE (:N {i: i}) WITH count(*) AS c ' +
      'MATCH (a:N), (b:N) WHERE a <> b CREATE (a)-[:R]->(b)',
  );
  expect(setup.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function cypher(
  query: string,
  params: Record<string, unknown> = {},
): Promise<{ status: number; code: string | undefined; text: string }> {
  return post(JSON.stringify({ query, params }));
}

async function post(body: string): Promise<{ status: number; code: string | undefined; text: string }> {
  const res = await fetch(`${server.url}/cypher`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text };
}

/**
 * Runs `attack` while polling /health; returns the attack's outcome and the slowest
 * /health answer seen while it ran.
 */
async function underAttack<T>(attack: () => Promise<T>): Promise<{ result: T; worstHealthMs: number }> {
  let done = false;
  let worst = 0;
  const poller = (async () => {
    while (!done) {
      const started = Date.now();
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      await res.text();
      worst = Math.max(worst, Date.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const result = await attack();
    return { result, worstHealthMs: worst };
  } finally {
    done = true;
    await poller;
  }
}

/** Slack for a loaded 2-core machine on top of the bound under test. */
const SLACK_MS = 1500;

describe('resource exhaustion over HTTP', () => {
  it.each([
    ['RETURN size(range(1, 50000000))', 'QUERY_MEMORY_LIMIT'],
    ['WITH range(1, 10000000) AS l RETURN l', 'QUERY_MEMORY_LIMIT'],
    ['RETURN size(reduce(l = [1], x IN range(1, 40) | l + l))', 'QUERY_MEMORY_LIMIT'],
    ["RETURN size(reduce(s = '', x IN range(1, 10000000) | s + 'xxxxxxxxxx'))", 'QUERY_MEMORY_LIMIT'],
    ["RETURN 'abab' =~ '(ab)\\\\1'", 'CYPHER_ARGUMENT_ERROR'],
    ['RETURN ---…-1 (20,000 unary minus signs)', 'QUERY_MEMORY_LIMIT'],
    ['RETURN [[[…]]] (10,000 deep)', 'CYPHER_SYNTAX_ERROR'],
  ])('rejects %s up front and stays responsive', async (label, code) => {
    const query = label.startsWith('RETURN ---')
      ? `RETURN ${'-'.repeat(20000)}1`
      : label.startsWith('RETURN [[[')
        ? `RETURN ${'['.repeat(10000)}${']'.repeat(10000)}`
        : label;
    const { result, worstHealthMs } = await underAttack(() => cypher(query));
    expect(result.code, result.text.slice(0, 200)).toBe(code);
    expect(result.status).toBeLessThan(500);
    expect(worstHealthMs).toBeLessThan(SLACK_MS);
  });

  it.each([
    ["RETURN 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' =~ '(a+)+$'", false],
    ["RETURN 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' =~ '(a|aa)+'", false],
  ])(
    'answers the catastrophic-backtracking pattern %s at once (linear-time engine)',
    async (query, expected) => {
      const { result, worstHealthMs } = await underAttack(() => cypher(query));
      expect(result.status, result.text.slice(0, 200)).toBe(200);
      expect(JSON.parse(result.text).rows).toEqual([[expected]]);
      expect(worstHealthMs).toBeLessThan(SLACK_MS);
    },
  );

  it('ReDoS through a parameter is answered in linear time (subject and pattern from the client)', async () => {
    const { result, worstHealthMs } = await underAttack(() =>
      cypher('RETURN $s =~ $p', { s: `${'a'.repeat(40)}!`, p: '(a*)*$' }),
    );
    expect(result.status, result.text.slice(0, 200)).toBe(200);
    expect(JSON.parse(result.text).rows).toEqual([[false]]);
    expect(worstHealthMs).toBeLessThan(SLACK_MS);
  });

  it.each([
    ['MATCH p = ()-[*]->() RETURN count(p)', 'QUERY_TIMEOUT'],
    ['MATCH (a), (b), (c), (d) RETURN a, b, c, d', 'QUERY_MEMORY_LIMIT'],
  ])('a cooperative read (%s) ends with its error and never blocks /health', async (query, code) => {
    const started = Date.now();
    const { result, worstHealthMs } = await underAttack(() => cypher(query));
    expect(result.code, result.text.slice(0, 200)).toBe(code);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // Far less than the query's own run time: the read yields between slices.
    expect(worstHealthMs).toBeLessThan(SLACK_MS);
  });

  it.each([
    ['RETURN size([x IN range(1, 5000) | range(1, 5000)])', ['QUERY_MEMORY_LIMIT', 'QUERY_TIMEOUT']],
    ['UNWIND range(1, 3000000) AS x RETURN size(collect(x))', ['QUERY_MEMORY_LIMIT', 'QUERY_TIMEOUT']],
    ['CREATE (:M) WITH 1 AS one MATCH p = ()-[*]->() RETURN count(p)', ['QUERY_TIMEOUT']],
  ])(
    'synchronous work (%s) stops at a limit; /health waits at most about the timeout',
    async (query, codes) => {
      const started = Date.now();
      const { result, worstHealthMs } = await underAttack(() => cypher(query));
      expect(codes, result.text.slice(0, 200)).toContain(result.code);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      expect(worstHealthMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    },
  );

  it('a write that timed out left nothing behind', async () => {
    const r = await cypher('MATCH (m:M) RETURN count(m) AS c');
    expect(r.text).toContain('"rows":[[0]]');
  });

  it('parameters nested 100,000 deep are refused as a bad body', async () => {
    const body = `{"query":"RETURN $p","params":{"p":${'['.repeat(100000)}1${']'.repeat(100000)}}}`;
    const { result, worstHealthMs } = await underAttack(() => post(body));
    expect(result.status).toBe(400);
    expect(result.code).toBe('INVALID_BODY');
    expect(worstHealthMs).toBeLessThan(SLACK_MS);
  });

  it('the server still answers ordinary queries afterwards', async () => {
    const r = await cypher('MATCH (n:N) RETURN count(n) AS c');
    expect(r.status).toBe(200);
    expect(r.text).toContain('"rows":[[25]]');
  });
});

describe('a result too large to serialise', () => {
  let big: ServerProcess;
  beforeAll(async () => {
    // The default 256 MiB budget admits 200 MB of control characters, but their JSON escapes
    // (`\u0001`, six characters each) exceed V8's string limit while the response is built.
    big = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await big?.stop();
  });

  it('is a 422 QUERY_MEMORY_LIMIT, not a 500, and the server stays up', async () => {
    const res = await fetch(`${big.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: "UNWIND range(1, 100) AS i RETURN reduce(s = '\\u0001', x IN range(1, 21) | s + s) AS s",
      }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 200)).toBe(422);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('QUERY_MEMORY_LIMIT');
    expect((await fetch(`${big.url}/health`)).status).toBe(200);
  });
});

describe('a process near its heap limit', () => {
  let small: ServerProcess;
  beforeAll(async () => {
    // A 256 MiB heap and the default 256 MiB per-query budget: the budget alone cannot save
    // the process, the heap high-water check must.
    small = await startServerProcess({ env: { NODE_OPTIONS: '--max-old-space-size=256' } });
  }, 60_000);
  afterAll(async () => {
    await small?.stop();
  });

  it('refuses a query holding many lists (each within budget) instead of dying', async () => {
    const lists = Array.from({ length: 12 }, (_, i) => `range(1, 1500000) AS a${i}`).join(', ');
    const res = await fetch(`${small.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `WITH ${lists} RETURN size(a0) + size(a11) AS n` }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 200)).toBe(422);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('QUERY_MEMORY_LIMIT');
    expect((await fetch(`${small.url}/health`)).status).toBe(200);
    // And it recovers: an ordinary query still works.
    const ok = await fetch(`${small.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'RETURN size(range(1, 1000)) AS n' }),
    });
    expect(ok.status).toBe(200);
  }, 60_000);
});
