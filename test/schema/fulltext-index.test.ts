/**
 * Full-text indexes: syntax, SHOW INDEXES, every query form, BM25 results against a naive
 * in-memory scorer on random small corpora (fast-check), maintenance on every write path,
 * analyzers, errors, rollback, namespaces and byte accounting.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import type { Value } from '../../src/engine/values.js';
import { openTestDb, type TestDb } from '../engine/support/test-db.js';

let t: TestDb;
let n = 0;
const ns = (): { namespace: string } => ({ namespace: `ft${++n}` });
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t.close();
});
async function run(o: { namespace: string }, q: string, p: Record<string, Value> = {}): Promise<Value[][]> {
  return (await t.db.execute(q, p, o)).rows as Value[][];
}
const QN = 'CALL db.index.fulltext.queryNodes($name, $q) YIELD node, score RETURN node.i, score';
async function ids(o: { namespace: string }, q: string, name = 'docs'): Promise<Value[]> {
  return (await run(o, QN, { name, q })).map((r) => r[0]!);
}
async function fails(p: Promise<unknown>): Promise<NexusError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(NexusError);
  return e as NexusError;
}

// ---- a naive scorer: the same model, computed from the documents alone ----------------------

type Q =
  | { k: 'term'; field: number | null; w: string }
  | { k: 'phrase'; field: number | null; ws: string[] }
  | { k: 'prefix'; field: number | null; p: string }
  | { k: 'fuzzy'; w: string; d: number }
  | { k: 'bool'; cs: { occur: 'must' | 'should' | 'mustNot'; q: Q }[] };

const FIELDS = ['title', 'body'];

function render(q: Q): string {
  const f = (field: number | null): string => (field === null ? '' : `${FIELDS[field]}:`);
  switch (q.k) {
    case 'term':
      return f(q.field) + q.w;
    case 'phrase':
      return `${f(q.field)}"${q.ws.join(' ')}"`;
    case 'prefix':
      return `${f(q.field)}${q.p}*`;
    case 'fuzzy':
      return `${q.w}~${q.d}`;
    case 'bool':
      return `(${q.cs.map((c) => (c.occur === 'must' ? '+' : c.occur === 'mustNot' ? '-' : '') + render(c.q)).join(' ')})`;
  }
}

function lev(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

/** docs: [title words, body words] per id (lowercase ascii words separated by spaces). */
function naive(docs: Map<number, string[][]>, q: Q): Map<number, number> {
  const live = [...docs].filter(([, f]) => f[0]!.length + f[1]!.length > 0);
  const N = live.length;
  const len = new Map(live.map(([id, f]) => [id, f[0]!.length + f[1]!.length]));
  const avg = [...len.values()].reduce((a, b) => a + b, 0) / Math.max(1, N);
  const df = (w: string): number => live.filter(([, f]) => f.some((x) => x.includes(w))).length;
  const idf = (w: string): number => Math.log(1 + (N - df(w) + 0.5) / (df(w) + 0.5));
  const bm = (i: number, tf: number, id: number): number =>
    (i * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len.get(id)!) / avg));
  const fieldsOf = (field: number | null): number[] => (field === null ? [0, 1] : [field]);
  const term = (w: string, field: number | null): Map<number, number> => {
    const out = new Map<number, number>();
    for (const [id, f] of live) {
      const tf = fieldsOf(field).reduce((s, k) => s + f[k]!.filter((x) => x === w).length, 0);
      if (tf > 0) out.set(id, bm(idf(w), tf, id));
    }
    return out;
  };
  const dict = [...new Set(live.flatMap(([, f]) => [...f[0]!, ...f[1]!]))];
  const union = (ws: string[], field: number | null): Map<number, number> => {
    const out = new Map<number, number>();
    for (const w of ws) for (const [id, s] of term(w, field)) out.set(id, (out.get(id) ?? 0) + s);
    return out;
  };
  switch (q.k) {
    case 'term':
      return term(q.w, q.field);
    case 'prefix':
      return union(
        dict.filter((w) => w.startsWith(q.p)),
        q.field,
      );
    case 'fuzzy':
      return union(
        dict.filter((w) => lev(w, q.w) <= q.d),
        null,
      );
    case 'phrase': {
      if (q.ws.length === 1) return term(q.ws[0]!, q.field);
      const out = new Map<number, number>();
      const w = q.ws.reduce((s, x) => s + idf(x), 0);
      for (const [id, f] of live) {
        let tf = 0;
        for (const k of fieldsOf(q.field)) {
          const words = f[k]!;
          for (let p = 0; p + q.ws.length <= words.length; p++)
            if (q.ws.every((x, j) => words[p + j] === x)) tf++;
        }
        if (tf > 0) out.set(id, bm(w, tf, id));
      }
      return out;
    }
    case 'bool': {
      const rs = q.cs.map((c) => ({ occur: c.occur, r: naive(docs, c.q) }));
      const must = rs.filter((c) => c.occur === 'must');
      const should = rs.filter((c) => c.occur === 'should');
      const not = new Set(rs.filter((c) => c.occur === 'mustNot').flatMap((c) => [...c.r.keys()]));
      const out = new Map<number, number>();
      const candidates =
        must.length > 0
          ? [...must[0]!.r.keys()].filter((id) => must.every((m) => m.r.has(id)))
          : [...new Set(should.flatMap((s) => [...s.r.keys()]))];
      for (const id of candidates) {
        if (not.has(id)) continue;
        out.set(
          id,
          [...must, ...should].reduce((s, c) => s + (c.r.get(id) ?? 0), 0),
        );
      }
      return out;
    }
  }
}

const VOCAB = ['apple', 'apply', 'banana', 'band', 'cherry', 'chart', 'delta', 'dell', 'echo', 'eco'];
const word = fc.constantFrom(...VOCAB);
const field = fc.constantFrom<number | null>(null, 0, 1);
const leaf: fc.Arbitrary<Q> = fc.oneof(
  fc.record({ k: fc.constant('term' as const), field, w: word }),
  fc.record({ k: fc.constant('phrase' as const), field, ws: fc.array(word, { minLength: 2, maxLength: 3 }) }),
  fc.record({
    k: fc.constant('prefix' as const),
    field,
    p: fc.constantFrom('ap', 'ba', 'ch', 'de', 'e', 'appl'),
  }),
  fc.record({
    k: fc.constant('fuzzy' as const),
    w: fc.constantFrom('aple', 'bnd', 'chery', 'del', 'ech'),
    d: fc.constantFrom(1, 2),
  }),
);
const query: fc.Arbitrary<Q> = fc.oneof(
  leaf,
  fc.record({
    k: fc.constant('bool' as const),
    cs: fc.array(
      fc.record({ occur: fc.constantFrom('must' as const, 'should' as const, 'mustNot' as const), q: leaf }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);
const corpus = fc.array(fc.tuple(fc.array(word, { maxLength: 4 }), fc.array(word, { maxLength: 8 })), {
  minLength: 1,
  maxLength: 12,
});

describe('full-text indexes', () => {
  it('BM25 results equal a naive scorer on random corpora and queries', async () => {
    await fc.assert(
      fc.asyncProperty(corpus, fc.array(query, { minLength: 1, maxLength: 5 }), async (docs, queries) => {
        const o = ns();
        await run(o, 'CREATE FULLTEXT INDEX docs FOR (n:Doc) ON EACH [n.title, n.body]');
        const model = new Map<number, string[][]>();
        for (const [i, [title, body]] of docs.entries()) {
          await run(o, 'CREATE (:Doc {i: $i, title: $t, body: $b})', {
            i: BigInt(i),
            t: title.join(' '),
            b: body.join(' '),
          });
          model.set(i, [title, body]);
        }
        for (const q of queries) {
          const got = await run(o, QN, { name: 'docs', q: render(q) });
          const want = [...naive(model, q)].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
          expect(got.map((r) => Number(r[0]))).toEqual(want.map((w) => w[0]));
          got.forEach((r, k) => expect(r[1]).toBeCloseTo(want[k]![1], 9));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('every query form; SHOW INDEXES; options {limit, skip}', async () => {
    const o = ns();
    await run(o, 'CREATE FULLTEXT INDEX docs IF NOT EXISTS FOR (n:Article|Note) ON EACH [n.title, n.body]');
    await run(o, 'CREATE FULLTEXT INDEX docs IF NOT EXISTS FOR (n:Other) ON EACH [n.x]');
    const texts: [string, string, string][] = [
      ['Article', 'Graph databases', 'Nodes and relationships store connected data'],
      ['Note', 'Vector search', 'Nearest neighbour search over embeddings in a graph'],
      ['Article', 'Full text', 'Search text with BM25 ranking'],
      ['Other', 'Graph', 'not indexed: other label'],
    ];
    for (const [i, [label, title, body]] of texts.entries()) {
      await run(o, `CREATE (:${label} {i: $i, title: $t, body: $b})`, { i: BigInt(i), t: title, b: body });
    }
    expect((await ids(o, 'graph')).sort()).toEqual([0n, 1n]);
    expect(await ids(o, 'title:graph')).toEqual([0n]);
    expect(await ids(o, '"nearest neighbour search"')).toEqual([1n]);
    expect(await ids(o, '"search nearest"')).toEqual([]);
    expect(await ids(o, 'graph AND search')).toEqual([1n]);
    expect((await ids(o, 'graph OR ranking')).sort()).toEqual([0n, 1n, 2n]);
    expect(await ids(o, 'graph NOT vector')).toEqual([0n]);
    expect(await ids(o, '+search -embeddings')).toEqual([2n]);
    expect((await ids(o, 'relation*')).sort()).toEqual([0n]);
    expect(await ids(o, 'neighbor~1')).toEqual([1n]);
    expect(await ids(o, 'grpah~2 AND title:databases')).toEqual([0n]);
    expect(await ids(o, '(vector OR bm25) AND ranking')).toEqual([2n]);
    const all = await run(o, QN.replace('$q)', '$q, {limit: 1, skip: 1})'), { name: 'docs', q: 'search' });
    const full = await run(o, QN, { name: 'docs', q: 'search' });
    expect(full).toHaveLength(2);
    expect(all).toEqual([full[1]]);
    const shown = (await run(o, 'SHOW INDEXES')).map((r) => r.slice(0, 5));
    expect(shown).toEqual([['docs', 'FULLTEXT', 'NODE', ['Article', 'Note'], ['title', 'body']]]);
    await run(o, 'DROP INDEX docs');
    expect(await run(o, 'SHOW INDEXES')).toEqual([]);
  });

  it('relationship indexes and queryRelationships', async () => {
    const o = ns();
    await run(o, 'CREATE FULLTEXT INDEX rels FOR ()-[r:SAYS|WRITES]-() ON EACH [r.text]');
    await run(
      o,
      "CREATE (a {i: 0})-[:SAYS {i: 1, text: 'hello world'}]->(b {i: 2})-[:WRITES {i: 3, text: 'goodbye world'}]->(a), (a)-[:OTHER {text: 'world'}]->(b)",
    );
    const q =
      'CALL db.index.fulltext.queryRelationships("rels", $q) YIELD relationship, score RETURN relationship.i, type(relationship)';
    expect((await run(o, q, { q: 'world' })).sort()).toEqual([
      [1n, 'SAYS'],
      [3n, 'WRITES'],
    ]);
    await run(o, "MATCH ()-[r:SAYS]->() SET r.text = 'hi'");
    expect(await run(o, q, { q: 'world' })).toEqual([[3n, 'WRITES']]);
    await run(o, 'MATCH ()-[r:WRITES]->() DELETE r');
    expect(await run(o, q, { q: 'world' })).toEqual([]);
    const e = await fails(run(o, 'CALL db.index.fulltext.queryNodes("rels", "x") YIELD node RETURN node'));
    expect(e.message).toMatch(/queryRelationships/);
  });

  it('is maintained on CREATE, SET, SET +=, REMOVE, label add/remove and DELETE; populated at creation', async () => {
    const o = ns();
    await run(
      o,
      "CREATE (:Doc {i: 1, title: 'alpha beta'}), (:Doc {i: 2, title: 'beta'}), (:X {i: 3, title: 'beta'})",
    );
    await run(o, 'CREATE FULLTEXT INDEX docs FOR (n:Doc) ON EACH [n.title]');
    expect((await ids(o, 'beta')).sort()).toEqual([1n, 2n]);
    await run(o, "MATCH (n {i: 1}) SET n.title = 'gamma'");
    expect(await ids(o, 'beta')).toEqual([2n]);
    expect(await ids(o, 'gamma')).toEqual([1n]);
    await run(o, "MATCH (n {i: 2}) SET n += {title: 'delta'}");
    expect(await ids(o, 'delta')).toEqual([2n]);
    await run(o, 'MATCH (n {i: 3}) SET n:Doc');
    expect(await ids(o, 'beta')).toEqual([3n]);
    await run(o, 'MATCH (n {i: 3}) REMOVE n:Doc');
    expect(await ids(o, 'beta')).toEqual([]);
    await run(o, 'MATCH (n {i: 1}) REMOVE n.title');
    expect(await ids(o, 'gamma')).toEqual([]);
    await run(o, 'MATCH (n {i: 2}) DETACH DELETE n');
    expect(await ids(o, 'delta')).toEqual([]);
    // a query in the same statement as the write sees it (with current statistics)
    const same = await run(
      o,
      "CREATE (:Doc {i: 5, title: 'epsilon'}) WITH 1 AS one CALL db.index.fulltext.queryNodes('docs', 'epsilon') YIELD node, score RETURN node.i, score",
    );
    expect(same).toEqual([[5n, expect.closeTo((Math.log(1 + 0.5 / 1.5) * 2.2) / 2.2, 9)]]);
    await run(o, "CREATE (:Doc {i: 4, title: ['list', 'of strings'], n: 1})");
    expect(await ids(o, '"of strings"')).toEqual([4n]);
    expect(await ids(o, '"list of"')).toEqual([]);
  });

  it('analyzers: standard is Unicode-aware (NFKC, lowercased); english stems and drops stop words; keyword is whole', async () => {
    const o = ns();
    await run(o, 'CREATE FULLTEXT INDEX std FOR (n:D) ON EACH [n.t]');
    await run(
      o,
      "CREATE FULLTEXT INDEX en FOR (n:D) ON EACH [n.t] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}",
    );
    await run(
      o,
      "CREATE FULLTEXT INDEX kw FOR (n:D) ON EACH [n.t] OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword'}}",
    );
    await run(
      o,
      "CREATE (:D {i: 1, t: 'Ｆｕｌｌ-Text Straße über 東京'}), (:D {i: 2, t: 'The runners were running'})",
    );
    expect(await ids(o, 'full', 'std')).toEqual([1n]);
    expect(await ids(o, 'STRASSE', 'std')).toEqual([]);
    expect(await ids(o, 'straße', 'std')).toEqual([1n]);
    expect(await ids(o, '東京', 'std')).toEqual([1n]);
    expect(await ids(o, 'run', 'en')).toEqual([2n]);
    expect(await ids(o, 'runs', 'en')).toEqual([2n]);
    expect(await ids(o, 'running', 'std')).toEqual([2n]);
    expect(await ids(o, 'runs', 'std')).toEqual([]);
    expect(await ids(o, 'the', 'en')).toEqual([]);
    expect(await ids(o, 'the', 'std')).toEqual([2n]);
    expect(await ids(o, '"The runners were running"', 'kw')).toEqual([2n]);
    expect(await ids(o, 'runners', 'kw')).toEqual([]);
    const shown = (await run(o, 'SHOW INDEXES')).map((r) => [
      r[0],
      (r[9] as Map<string, Value>).get('indexConfig'),
    ]);
    expect(shown).toEqual([
      ['en', new Map([['fulltext.analyzer', 'english']])],
      ['kw', new Map([['fulltext.analyzer', 'keyword']])],
      ['std', new Map([['fulltext.analyzer', 'standard']])],
    ]);
  });

  it('clear errors: unknown index, bad query syntax, unknown field, bad analyzer, duplicate name', async () => {
    const o = ns();
    await run(o, 'CREATE FULLTEXT INDEX docs FOR (n:Doc) ON EACH [n.title]');
    expect((await fails(ids(o, 'x', 'nope'))).code).toBe('NOT_FOUND');
    for (const bad of ['"open', 'a AND', '(a', 'a)', 'OR b', '', 'a*b', 'body:x']) {
      const e = await fails(ids(o, bad));
      expect(e.code).toBe('CYPHER_ARGUMENT_ERROR');
      expect(e.message).toMatch(/Invalid full-text query/);
    }
    const a = await fails(
      run(
        o,
        "CREATE FULLTEXT INDEX x FOR (n:A) ON EACH [n.t] OPTIONS {indexConfig: {`fulltext.analyzer`: 'klingon'}}",
      ),
    );
    expect(a.code).toBe('INVALID_PARAMETER');
    expect((await fails(run(o, 'CREATE FULLTEXT INDEX docs FOR (n:B) ON EACH [n.t]'))).code).toBe('CONFLICT');
    expect((await fails(run(o, 'CREATE FULLTEXT INDEX y FOR (n:B) ON EACH [m.t]'))).code).toBe(
      'CYPHER_SYNTAX_ERROR',
    );
  });

  it('a failed statement leaves no entries; namespaces are isolated; create + drop restores the bytes', async () => {
    const a = ns();
    const b = ns();
    await run(a, 'CREATE FULLTEXT INDEX same FOR (n:Doc) ON EACH [n.t]');
    await run(b, 'CREATE FULLTEXT INDEX same FOR (n:Doc) ON EACH [n.t]');
    await run(a, "CREATE (:Doc {i: 1, t: 'kept words'})");
    const bytes = t.db.namespace(a.namespace).stats().bytes;
    await fails(run(a, "CREATE (:Doc {i: 2, t: 'rolled back words'}) WITH 1 AS x RETURN 1 / 0"));
    expect(t.db.namespace(a.namespace).stats().bytes).toBe(bytes);
    expect(await ids(a, 'words', 'same')).toEqual([1n]);
    expect(await ids(a, 'rolled', 'same')).toEqual([]);
    expect(await ids(b, 'words', 'same')).toEqual([]);
    await run(b, "CREATE (:Doc {i: 9, t: 'words'})");
    expect(await ids(a, 'words', 'same')).toEqual([1n]);
    expect(await ids(b, 'words', 'same')).toEqual([9n]);
    // create + drop over the same data leaves the namespace's bytes where they were
    const c = ns();
    await run(c, "UNWIND range(1, 50) AS i CREATE (:Doc {i: i, t: 'doc number ' + toString(i) + ' text'})");
    const before = t.db.namespace(c.namespace).stats().bytes;
    await run(c, 'CREATE FULLTEXT INDEX f FOR (n:Doc) ON EACH [n.t]');
    expect(t.db.namespace(c.namespace).stats().bytes).toBeGreaterThan(before + 50 * 8);
    await run(c, "MATCH (n:Doc) WHERE n.i <= 10 SET n.t = 'changed'");
    await run(c, 'MATCH (n:Doc) WHERE n.i > 45 DELETE n');
    const mid = t.db.namespace(c.namespace).stats().bytes;
    await run(c, 'DROP INDEX f');
    const after = t.db.namespace(c.namespace).stats().bytes;
    expect(after).toBeLessThan(mid);
    await run(c, 'CREATE FULLTEXT INDEX f FOR (n:Doc) ON EACH [n.t]');
    await run(c, 'DROP INDEX f');
    expect(t.db.namespace(c.namespace).stats().bytes).toBe(after);
  });
});
