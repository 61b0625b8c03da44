/**
 * Queries that try to exhaust the process (memory, stack, catastrophic regex backtracking,
 * long synchronous work) must end with a clear error code, quickly, and never with a V8
 * RangeError. One process serves every tenant, so each of these is a denial of service
 * if it gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { CypherError } from '../../src/cypher/errors.js';
import { MAX_REGEX_WORK, translateJavaRegex } from '../../src/engine/functions/cypher-regex.js';
import type { Value } from '../../src/engine/values.js';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  // A complete directed graph on 25 nodes: 600 relationships, astronomically many trails.
  await t.db.execute(
    'UNWIND range(1, 25) AS i CREATE (:N {i: i}) WITH count(*) AS c ' +
      'MATCH (a:N), (b:N) WHERE a <> b CREATE (a)-[:R]->(b)',
  );
});
afterAll(async () => {
  await t.close();
});

const MiB = 1024 * 1024;

/** Runs a query that must fail with `code`; returns the elapsed milliseconds. */
async function failsWith(
  query: string,
  code: string,
  options: Parameters<TestDb['db']['execute']>[2] = {},
  params: Record<string, Value> = {},
): Promise<number> {
  const started = Date.now();
  let caught: unknown;
  try {
    await t.db.execute(query, params, options);
  } catch (err) {
    caught = err;
  }
  expect(caught, `${query.slice(0, 80)} should fail`).toBeInstanceOf(NexusError);
  expect((caught as NexusError).code).toBe(code);
  return Date.now() - started;
}

describe('memory budget', () => {
  it('streams UNWIND range() through count() without building the list', async () => {
    const r = await t.db.execute('UNWIND range(1, 1000000) AS x RETURN count(x)');
    expect(r.rows).toEqual([[1000000n]]);
    // 200,000 elements would need ~6 MiB as a list; streamed, 1 MiB is plenty.
    const small = { maxQueryMemoryBytes: MiB };
    const streamed = await t.db.execute('UNWIND range(1, 200000, 2) AS x RETURN count(x), max(x)', {}, small);
    expect(streamed.rows).toEqual([[100000n, 199999n]]);
    await failsWith('RETURN size(range(1, 200000))', 'QUERY_MEMORY_LIMIT', small);
    // Far beyond what could ever be materialised: it streams until the timeout.
    await failsWith('UNWIND range(1, 9223372036854775807) AS x RETURN count(x)', 'QUERY_TIMEOUT', {
      timeoutMs: 100,
    });
    expect((await t.db.execute('UNWIND range(5, 1, -2) AS x RETURN collect(x)')).rows).toEqual([
      [[5n, 3n, 1n]],
    ]);
  });

  it('refuses a huge range() before allocating it', async () => {
    const ms = await failsWith('RETURN size(range(1, 50000000))', 'QUERY_MEMORY_LIMIT');
    expect(ms).toBeLessThan(1000);
    await failsWith('WITH range(1, 10000000) AS l RETURN l', 'QUERY_MEMORY_LIMIT');
  });

  it('a 1,000,000-element list is fine under the default budget', async () => {
    expect((await t.db.execute('RETURN size(range(1, 1000000))')).rows).toEqual([[1000000n]]);
  });

  it('bounds reduce() building a huge string', async () => {
    await failsWith(
      "RETURN size(reduce(s = '', x IN range(1, 10000000) | s + 'xxxxxxxxxx'))",
      'QUERY_MEMORY_LIMIT',
    );
    // The same with a list small enough to pass range(): the string itself hits the budget.
    await failsWith(
      "RETURN size(reduce(s = '', x IN range(1, 200000) | s + 'xxxxxxxxxx'))",
      'QUERY_MEMORY_LIMIT',
      { maxQueryMemoryBytes: MiB },
    );
  });

  it('stops list doubling before the copy is made', async () => {
    await failsWith('RETURN size(reduce(l = [1], x IN range(1, 40) | l + l))', 'QUERY_MEMORY_LIMIT');
  });

  it('counts the elements a list comprehension accumulates', async () => {
    await failsWith('RETURN size([x IN range(1, 5000) | range(1, 5000)])', 'QUERY_MEMORY_LIMIT', {
      maxQueryMemoryBytes: 32 * MiB,
    });
    // Small comprehensions are unaffected.
    expect((await t.db.execute('RETURN size([x IN range(1, 100) | range(1, 100)])')).rows).toEqual([[100n]]);
  });

  it('counts collect() input', async () => {
    await failsWith('UNWIND range(1, 2000000) AS x RETURN size(collect(x))', 'QUERY_MEMORY_LIMIT', {
      maxQueryMemoryBytes: 16 * MiB,
    });
  });

  it('sizes replace() and split() results before building them', async () => {
    const big = 'WITH reduce(s = "x", i IN range(1, 22) | s + s) AS s ';
    await failsWith(
      `${big}RETURN size(replace(s, 'x', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'))`,
      'QUERY_MEMORY_LIMIT',
      {
        maxQueryMemoryBytes: 64 * MiB,
      },
    );
    await failsWith(`${big}RETURN size(split(s, ''))`, 'QUERY_MEMORY_LIMIT', {
      maxQueryMemoryBytes: 64 * MiB,
    });
    const commas = 'WITH reduce(s = ",", i IN range(1, 20) | s + s) AS s ';
    await failsWith(`${commas}RETURN size(split(s, [',', ';']))`, 'QUERY_MEMORY_LIMIT', {
      maxQueryMemoryBytes: 16 * MiB,
    });
    expect((await t.db.execute("RETURN replace('abc', 'b', 'xyz'), split('a,b', ',')")).rows).toEqual([
      ['axyzc', ['a', 'b']],
    ]);
  });

  it('counts the rows a sort buffers, but Top-K only holds k of them', async () => {
    const q = "UNWIND range(1, 100000) AS x RETURN x, 'padding-' + x AS s ORDER BY x DESC";
    await failsWith(q, 'QUERY_MEMORY_LIMIT', { maxQueryMemoryBytes: 4 * MiB });
    const top = await t.db.execute(`${q} LIMIT 3`, {}, { maxQueryMemoryBytes: 4 * MiB });
    expect(top.rows.map((r) => r[0])).toEqual([100000n, 99999n, 99998n]);
  });

  it('counts the result set (a cartesian product returning whole rows)', async () => {
    await failsWith('MATCH (a:N), (b:N), (c:N), (d:N) RETURN a, b, c, d', 'QUERY_MEMORY_LIMIT', {
      maxQueryMemoryBytes: 16 * MiB,
      maxIntermediateRows: 10_000_000,
    });
  });

  it('counts the properties of entities in the result (a big property returned in many rows)', async () => {
    // 2 MiB of text on one node; each row decodes its own copy.
    await t.db.execute("CREATE (:Hub)-[:HAS]->(:Big {s: reduce(s = 'x', i IN range(1, 21) | s + s)})");
    const small = { maxQueryMemoryBytes: 16 * MiB };
    const q = 'UNWIND range(1, 20) AS i MATCH (n:Big) RETURN n';
    await failsWith(q, 'QUERY_MEMORY_LIMIT', small);
    expect((await t.db.execute(`${q} LIMIT 2`, {}, small)).rows).toHaveLength(2);
    // Reached by an expansion, `b` is an id-only stub until the result reads it: counted then.
    const viaStub = 'UNWIND range(1, 20) AS i MATCH (:Hub)-[:HAS]->(b) RETURN b';
    await failsWith(viaStub, 'QUERY_MEMORY_LIMIT', small);
    expect((await t.db.execute(`${viaStub} LIMIT 2`, {}, small)).rows).toHaveLength(2);
    await t.db.execute('MATCH (h:Hub)-[:HAS]->(b) DETACH DELETE h, b');
  });

  it('counts the rows an updating clause buffers', async () => {
    await failsWith(
      "UNWIND range(1, 100) AS i WITH i, reduce(s = 'x', x IN range(1, 20) | s + s) AS s CREATE (:Blob {s: s})",
      'QUERY_MEMORY_LIMIT',
      { maxQueryMemoryBytes: 16 * MiB },
    );
    expect((await t.db.execute('MATCH (b:Blob) RETURN count(b)')).rows).toEqual([[0n]]);
  });

  it('a budget of 0 disables the check', async () => {
    const q = 'RETURN size(range(1, 100000))';
    await failsWith(q, 'QUERY_MEMORY_LIMIT', { maxQueryMemoryBytes: MiB });
    expect((await t.db.execute(q, {}, { maxQueryMemoryBytes: 0 })).rows).toEqual([[100000n]]);
  });
});

describe('timeouts interrupt long synchronous work', () => {
  it('var-length expansion over a dense graph', async () => {
    const ms = await failsWith('MATCH p = ()-[*]->() RETURN count(p)', 'QUERY_TIMEOUT', { timeoutMs: 200 });
    expect(ms).toBeLessThan(3000);
  });

  it('a write query that builds and folds a large list', async () => {
    const ms = await failsWith(
      'CREATE (:Marker) WITH 1 AS one RETURN reduce(s = 0, x IN range(1, 6000000) | s + x)',
      'QUERY_TIMEOUT',
      { timeoutMs: 100 },
    );
    expect(ms).toBeLessThan(3000);
    expect((await t.db.execute('MATCH (m:Marker) RETURN count(m)')).rows).toEqual([[0n]]);
  });

  it('a pattern comprehension enumerating trails', async () => {
    await failsWith('MATCH (n:N) RETURN [p = (n)-[*]->() | length(p)] AS l', 'QUERY_TIMEOUT', {
      timeoutMs: 200,
    });
  });

  it.each([
    ['list +', 'RETURN size(reduce(l = range(1, 1000000), x IN range(1, 100000) | l + [x]))'],
    [
      'IN',
      'WITH range(1, 1000000) AS big RETURN reduce(c = 0, x IN range(1, 100000) | c + size([y IN [-x] WHERE y IN big]))',
    ],
    [
      'a function copying a list',
      'WITH range(1, 1000000) AS big RETURN reduce(c = 0, x IN range(1, 100000) | c + size(tail(big)))',
    ],
    [
      'a slice',
      'WITH range(1, 1000000) AS big RETURN reduce(c = 0, x IN range(1, 100000) | c + size(big[1..]))',
    ],
  ])('an O(size) %s inside a loop is interrupted promptly', async (_what, query) => {
    const ms = await failsWith(query, 'QUERY_TIMEOUT', { timeoutMs: 300 });
    // Before: the deadline was checked every 1024 iterations, each copying a million elements.
    expect(ms).toBeLessThan(3000);
  });

  it('huge SKIP and LIMIT values are plain numbers, not work', async () => {
    expect((await t.db.execute('RETURN 1 AS x LIMIT 9223372036854775807')).rows).toEqual([[1n]]);
    expect((await t.db.execute('UNWIND [1, 2] AS x RETURN x SKIP 9223372036854775807')).rows).toEqual([]);
  });
});

describe('compilation size', () => {
  it('compiles and runs 100,000 projections (was quadratic in semantic analysis)', async () => {
    const query = `RETURN ${Array.from({ length: 100_000 }, (_, i) => `${i} AS c${i}`).join(', ')}`;
    const r = await t.db.execute(query, {}, { timeoutMs: 0 });
    expect(r.columns).toHaveLength(100_000);
    expect(r.columns[99_999]).toBe('c99999');
    expect(r.rows[0]![99_999]).toBe(99_999n);
  });

  it('counts compilation against the timeout', async () => {
    const query = `RETURN ${Array.from({ length: 50_000 }, (_, i) => `${i} AS d${i}`).join(', ')}`;
    await failsWith(query, 'QUERY_TIMEOUT', { timeoutMs: 1 });
  });
});

describe('stack depth', () => {
  it('20,000 nested unary minus signs give a clear error, not a RangeError', async () => {
    let caught: unknown;
    try {
      await t.db.execute(`RETURN ${'-'.repeat(20000)}1`);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NexusError);
    expect((caught as NexusError).code).toBe('QUERY_MEMORY_LIMIT');
  });

  it('variable-length expansion along a 20,000-node chain does not recurse per level', async () => {
    await t.db.execute('CREATE INDEX FOR (c:Chain) ON (c.i)');
    await t.db.execute('UNWIND range(1, 20000) AS i CREATE (:Chain {i: i})');
    await t.db.execute('MATCH (a:Chain) MATCH (b:Chain {i: a.i + 1}) CREATE (a)-[:NEXT]->(b)');
    const r = await t.db.execute(
      'MATCH p = (a:Chain {i: 1})-[:NEXT*]->(b:Chain {i: 20000}) RETURN length(p), b.i',
    );
    expect(r.rows).toEqual([[19999n, 20000n]]);
    const back = await t.db.execute('MATCH (a:Chain {i: 20})<-[:NEXT*2..3]-(b) RETURN collect(b.i)');
    expect(back.rows).toEqual([[[18n, 17n]]]);
  });

  it('deep nesting in the query text is refused by the parser', async () => {
    for (const q of [
      `RETURN ${'['.repeat(10000)}${']'.repeat(10000)}`,
      `RETURN ${Array.from({ length: 20000 }, () => '1').join(' + ')}`,
      `RETURN ${'CASE WHEN true THEN '.repeat(300)}1${' END'.repeat(300)}`,
      `RETURN ${'[x IN '.repeat(300)}[1]${' | x]'.repeat(300)}`,
    ]) {
      await expect(t.db.execute(q)).rejects.toBeInstanceOf(CypherError);
    }
  });

  it('a parameter nested 100,000 deep gives a clear error (embedded API: no JSON depth bound)', async () => {
    let deep: Value = 1n;
    for (let i = 0; i < 100000; i++) deep = [deep];
    for (const q of [
      'RETURN $p AS p',
      'WITH $p AS p RETURN p = p',
      'UNWIND [1, 2] AS i RETURN DISTINCT $p',
    ]) {
      await failsWith(q, 'QUERY_MEMORY_LIMIT', {}, { p: deep });
    }
    // The process is fine afterwards.
    expect((await t.db.execute('RETURN size($p) AS n', { p: deep })).rows).toEqual([[1n]]);
  });
});

describe('regular expressions (linear-time engine)', () => {
  const subject = `${'a'.repeat(34)}!`;

  it.each([
    ['(a+)+$', false],
    ['(a*)*b', false],
    ['(a|aa)+', false],
    ['(a|a)*', false],
    ['(.*a){20}', false],
    ['(a?a?)+', false],
    ['(\\w|\\d)+x', false],
    ['([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+', false],
    ['(a+)+!', true],
  ])('runs the classic ReDoS pattern %s in linear time', async (pattern, expected) => {
    const r = await t.db.execute('RETURN $s =~ $p', { s: subject, p: pattern });
    expect(r.rows).toEqual([[expected]]);
  });

  it.each([
    ['(ab)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'backreference'],
    ['a(?=b)b', 'lookaround'],
    ['a(?!b).', 'lookaround'],
    ['(?<=a)b', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['(?>a+)b', 'atomic group'],
    ['a*+b', 'possessive quantifier'],
    ['a?+b', 'possessive quantifier'],
    ['a{2}+b', 'possessive quantifier'],
  ])('refuses %s (%s) with a clear ArgumentError', async (pattern, what) => {
    const err = await t.db.execute('RETURN $s =~ $p', { s: 'ab', p: pattern }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CypherError);
    expect((err as CypherError).code).toBe('CYPHER_ARGUMENT_ERROR');
    expect((err as CypherError).message).toContain(what);
    expect((err as CypherError).message).toContain('RE2');
  });

  it('keeps ordinary patterns and Java flags working', async () => {
    const r = await t.db.execute(
      "RETURN 'catdog' =~ '(cat|dog)+', 'Hello' =~ '(?i)hello', 'ab12' =~ '[a-z]+\\\\d{2}', " +
        "'foo.bar' =~ 'foo\\\\.b.*', 'x' =~ 'y|z', 'a-b' =~ 'a\\\\-?b', 'a\\nb' =~ '(?s)a.b', " +
        "'a\\nb' =~ 'a.b', 'x\\ny' =~ '(?m)x$\\\\s^y', 'AbC' =~ '(?iu)abc', 'abc' =~ '(?x) a b # comment\\n c', " +
        "'a b' =~ '(?x)a\\\\ b', 'ab' =~ 'a(?i:B)', 'aB' =~ '(?i)a(?-i)b', 'a+b' =~ '\\\\Qa+b\\\\E', " +
        "'ab' =~ 'a+?b', ']' =~ '[]]', 'abc' =~ 'ABC'",
    );
    expect(r.rows).toEqual([
      [
        true,
        true,
        true,
        true,
        false,
        true,
        true,
        false,
        true,
        true,
        true,
        true,
        true,
        false,
        true,
        true,
        true,
        false,
      ],
    ]);
    expect(translateJavaRegex('(?iu)a(?U)b(?d-x)')).toBe('(?i)ab');
  });

  it('matches the whole string', async () => {
    const r = await t.db.execute("RETURN 'abc' =~ 'b', 'abc' =~ '.*b.*', 'abc' =~ 'a|abc'");
    expect(r.rows).toEqual([[false, true, true]]);
  });

  it('runs the freezing pattern of the report on 500,000 newlines', async () => {
    const r = await t.db.execute('RETURN $s =~ $p, $s =~ $q', {
      s: '\n'.repeat(500_000),
      p: '(?ms).*x',
      q: '(?s).*',
    });
    expect(r.rows).toEqual([[false, true]]);
  });

  it('runs polynomial and exponential backtracking patterns on long strings', async () => {
    const r = await t.db.execute('RETURN $s =~ $p, $s =~ $q, $s =~ $r, $t =~ $u', {
      s: 'a'.repeat(200_000),
      p: '.*a.*a.*a.*a.*b',
      q: `${'a?'.repeat(30)}${'a'.repeat(30)}.*`,
      r: '(?:a|b)*c',
      t: `${'a'.repeat(40)}c`,
      u: `${'(a|a)'.repeat(40)}b`,
    });
    expect(r.rows).toEqual([[false, true, false, false]]);
  });

  it('bounds the work of one match (subject length × program size)', async () => {
    const p = '(?:.*a){900}b';
    const s = 'a'.repeat(Math.ceil(MAX_REGEX_WORK / 900));
    await failsWith('RETURN $s =~ $p', 'CYPHER_ARGUMENT_ERROR', {}, { s, p });
    // The same pattern on a short string is fine.
    expect((await t.db.execute('RETURN $s =~ $p', { s: 'ab', p })).rows).toEqual([[false]]);
  });

  it('refuses an over-long pattern and reports syntax errors', async () => {
    await failsWith('RETURN $s =~ $p', 'CYPHER_ARGUMENT_ERROR', {}, { s: 'a', p: 'a'.repeat(20_000) });
    await failsWith('RETURN $s =~ $p', 'CYPHER_ARGUMENT_ERROR', {}, { s: 'a', p: '(' });
  });
});
