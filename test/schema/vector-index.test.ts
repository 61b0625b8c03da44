/**
 * Vector indexes: syntax, query procedure, errors, updates on SET / REMOVE / DELETE /
 * label changes, approximate results against brute force (recall), rollback, namespaces,
 * byte accounting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import type { Value } from '../../src/engine/values.js';
import { MIN_TRAIN } from '../../src/storage/vector-ivf.js';
import { openTestDb, type TestDb } from '../engine/support/test-db.js';

let t: TestDb;
let n = 0;
const ns = (): { namespace: string } => ({ namespace: `v${++n}` });
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t.close();
});
async function run(o: { namespace: string }, q: string, p: Record<string, Value> = {}): Promise<Value[][]> {
  return (await t.db.execute(q, p, o)).rows as Value[][];
}
const create = (name: string, dims: number, fn = 'cosine'): string =>
  `CREATE VECTOR INDEX ${name} IF NOT EXISTS FOR (n:Doc) ON n.emb OPTIONS {indexConfig: {\`vector.dimensions\`: ${dims}, \`vector.similarity_function\`: '${fn}'}}`;

/** Seeded clustered vectors. */
function vectors(count: number, dims: number, seed: number): number[][] {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const centers = Array.from({ length: 20 }, () => Array.from({ length: dims }, r));
  return Array.from({ length: count }, (_, i) => centers[i % 20]!.map((c) => c + 0.3 * r()));
}

describe('vector indexes', () => {
  it('queryNodes returns the nearest nodes with Neo4j scores; updates follow SET / REMOVE / DELETE / labels', async () => {
    const o = ns();
    await run(o, create('docs', 2, 'euclidean'));
    await run(o, 'UNWIND range(0, 9) AS i CREATE (:Doc {i: i, emb: [toFloat(i), 0.0]})');
    const q = 'CALL db.index.vector.queryNodes($name, $k, $v) YIELD node, score RETURN node.i, score';
    expect(await run(o, q, { name: 'docs', k: 2n, v: [3.2, 0] })).toEqual(
      [
        [3n, 1 / (1 + 0.2 ** 2)],
        [4n, 1 / (1 + 0.8 ** 2)],
      ].map(([i, s]) => [i, expect.closeTo(s as number, 5)]),
    );
    await run(o, 'MATCH (d:Doc {i: 3}) SET d.emb = [100.0, 0.0]');
    await run(o, 'MATCH (d:Doc {i: 4}) DELETE d');
    await run(o, 'MATCH (d:Doc {i: 2}) REMOVE d:Doc');
    await run(o, 'MATCH (d:Doc {i: 5}) REMOVE d.emb');
    expect((await run(o, q, { name: 'docs', k: 3n, v: [3.2, 0] })).map((r) => r[0])).toEqual([1n, 6n, 0n]);
    await run(o, 'MATCH (d {i: 2}) SET d:Doc');
    expect((await run(o, q, { name: 'docs', k: 1n, v: [2, 0] })).map((r) => r[0])).toEqual([2n]);
    const shown = await run(o, 'SHOW INDEXES');
    expect(shown.map((r) => [r[0], r[1]])).toEqual([['docs', 'VECTOR']]);
  });

  it('wrong dimensions and non-numeric vectors are clear errors; nothing is written', async () => {
    const o = ns();
    await run(o, create('e', 3));
    for (const bad of ['[1.0, 2.0]', "['a', 'b', 'c']", '"text"']) {
      const e = await run(o, `CREATE (:Doc {emb: ${bad}})`).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NexusError);
      expect((e as NexusError).code).toBe('INVALID_PARAMETER');
    }
    expect(await run(o, 'MATCH (n) RETURN count(n)')).toEqual([[0n]]);
    const e = await run(o, 'CALL db.index.vector.queryNodes("e", 1, [1, 2]) YIELD node RETURN node').catch(
      (x: unknown) => x,
    );
    expect((e as NexusError).message).toMatch(/expects 3/);
    const nf = await run(
      o,
      'CALL db.index.vector.queryNodes("nope", 1, [1, 2, 3]) YIELD node RETURN node',
    ).catch((x: unknown) => x);
    expect((nf as NexusError).code).toBe('NOT_FOUND');
    const opt = await run(o, 'CREATE VECTOR INDEX x FOR (n:A) ON n.v').catch((x: unknown) => x);
    expect((opt as NexusError).code).toBe('INVALID_PARAMETER');
  });

  it('approximate search agrees with brute force (recall@10 >= 0.95) after training', async () => {
    const o = ns();
    const dims = 16;
    const count = MIN_TRAIN * 2 + 100;
    await run(o, create('big', dims));
    const vs = vectors(count, dims, 7);
    for (let i = 0; i < count; i += 1000) {
      await run(o, 'UNWIND $rows AS r CREATE (:Doc {i: r.i, emb: r.v})', {
        rows: vs.slice(i, i + 1000).map(
          (v, j) =>
            new Map<string, Value>([
              ['i', BigInt(i + j)],
              ['v', v],
            ]),
        ),
      });
    }
    const h = t.db.namespace(o.namespace);
    let hits = 0;
    // queries near the data (as in retrieval), not uniform noise
    const queries = vectors(30, dims, 99).map((v, i) => vs[i * 67]!.map((x, d) => x + 0.2 * v[d]!));
    for (const q of queries) {
      const approx = h.read((r) => r.vectorSearch!('big', 10, q)).map((x) => x.node);
      const exact = h.read((r) => r.vectorSearch!('big', 10, q, { exact: true })).map((x) => x.node);
      hits += approx.filter((x) => exact.includes(x)).length;
    }
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
    // deleting every node leaves no vector bytes behind
    const before = h.stats().bytes;
    await run(o, 'MATCH (d:Doc) DETACH DELETE d');
    expect(h.read((r) => r.vectorSearch!('big', 5, queries[0]!))).toEqual([]);
    expect(h.stats().bytes).toBeLessThan(before);
    await run(o, 'DROP INDEX big');
    await run(o, 'CREATE (:Doc {emb: [1]})');
  });

  it('a failed statement leaves the index unchanged; indexes are per namespace; bytes are counted', async () => {
    const a = ns();
    const b = ns();
    await run(a, create('same', 2));
    const bytes0 = t.db.namespace(a.namespace).stats().bytes;
    await run(a, 'CREATE (:Doc {emb: [1.0, 0.0]})');
    expect(t.db.namespace(a.namespace).stats().bytes).toBeGreaterThan(bytes0 + 8);
    await run(a, 'CREATE (:Doc {emb: [0.0, 1.0]}) WITH 1 AS x CREATE (:Doc {emb: [1]})').catch(
      () => undefined,
    );
    const q = 'CALL db.index.vector.queryNodes("same", 5, [0.0, 1.0]) YIELD node RETURN node.emb';
    expect(await run(a, q)).toEqual([[[1, 0]]]);
    await expect(run(b, q)).rejects.toThrow(/no vector index/);
    await run(b, create('same', 2));
    expect(await run(b, q)).toEqual([]);
  });
});

describe('vector similarity functions', () => {
  it('vector.similarity.cosine / euclidean match the index scores', async () => {
    const o = ns();
    const [[c, e, nul]] = await run(
      o,
      'RETURN vector.similarity.cosine([1, 0], [0.0, 1.0]), vector.similarity.euclidean([0, 0], [3, 4]), vector.similarity.cosine(null, [1])',
    );
    expect(c).toBeCloseTo(0.5, 6);
    expect(e).toBeCloseTo(1 / 26, 6);
    expect(nul).toBeNull();
    await expect(run(o, 'RETURN vector.similarity.cosine([1, 2], [1])')).rejects.toThrow(/same dimension/);
  });
});
