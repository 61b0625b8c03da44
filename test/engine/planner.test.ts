import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanDescription } from '../../src/engine/values.js';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

function operators(p: PlanDescription | undefined): string[] {
  if (!p) return [];
  return [`${p.operator}(${p.details})`, ...p.children.flatMap(operators)];
}

function find(p: PlanDescription | undefined, op: string): PlanDescription | undefined {
  if (!p) return undefined;
  if (p.operator === op) return p;
  for (const c of p.children) {
    const f = find(c, op);
    if (f) return f;
  }
  return undefined;
}

describe('start of a pattern', () => {
  beforeEach(async () => {
    await t.db.execute("UNWIND range(1, 50) AS i CREATE (:Person {name: 'p' + toString(i), age: i})");
    await t.db.execute('UNWIND range(1, 3) AS i CREATE (:Person:Admin {name: "a" + toString(i)})');
  });

  it('uses a label scan without an index, an index seek once one exists', async () => {
    const q = "EXPLAIN MATCH (p:Person {name: 'p7'}) RETURN p.age";
    const before = await t.db.execute(q);
    expect(before.rows).toEqual([]);
    expect(operators(before.plan)).toContain('NodeByLabelScan(p:Person)');
    expect(operators(before.plan).join()).not.toContain('NodeIndexSeek');

    await t.db.execute('CREATE INDEX FOR (p:Person) ON (p.name)');
    const after = await t.db.execute(q);
    expect(operators(after.plan)).toContain('NodeIndexSeek(p:Person(name))');
    // Same query text, same cached plan: the start is still chosen per execution.
    expect(await t.rows("MATCH (p:Person {name: 'p7'}) RETURN p.age AS age")).toEqual([{ age: 7n }]);
  });

  it('uses an index seek for a WHERE equality and a range seek for inequalities', async () => {
    await t.db.execute('CREATE INDEX FOR (p:Person) ON (p.age)');
    const eq = await t.db.execute('EXPLAIN MATCH (p:Person) WHERE p.age = 3 RETURN p');
    expect(operators(eq.plan)).toContain('NodeIndexSeek(p:Person(age))');
    const range = await t.db.execute(
      'PROFILE MATCH (p:Person) WHERE p.age > 45 AND p.age <= 48 RETURN p.age AS a',
    );
    expect(operators(range.plan)).toContain('NodeIndexSeekByRange(p:Person(age))');
    expect(range.rows).toEqual([[46n], [47n], [48n]]);
  });

  it('uses an index range for STARTS WITH', async () => {
    await t.db.execute("CREATE (:Person {name: 'p1é'}), (:Person {name: 'p1😀'}), (:Person {name: 'p2'})");
    await t.db.execute('CREATE INDEX FOR (p:Person) ON (p.name)');
    const q = "MATCH (p:Person) WHERE p.name STARTS WITH 'p1' RETURN p.name AS n ORDER BY n";
    expect(operators((await t.db.execute(`EXPLAIN ${q}`)).plan)).toContain(
      'NodeIndexSeekByPrefix(p:Person(name))',
    );
    const names = (await t.rows(q)).map((r) => r.n);
    expect(names).toEqual([
      'p1',
      'p10',
      'p11',
      'p12',
      'p13',
      'p14',
      'p15',
      'p16',
      'p17',
      'p18',
      'p19',
      'p1é',
      'p1😀',
    ]);
    expect(await t.rows("MATCH (p:Person) WHERE p.name STARTS WITH '' RETURN count(*) AS c")).toEqual([
      { c: 56n },
    ]);
  });

  it('uses one index seek per element for IN', async () => {
    await t.db.execute('CREATE INDEX FOR (p:Person) ON (p.age)');
    const r = await t.db.execute(
      'PROFILE MATCH (p:Person) WHERE p.age IN [3, 5, 3, null] RETURN p.age AS a ORDER BY a',
    );
    expect(operators(r.plan)).toContain('NodeIndexSeek(p:Person(age))');
    expect(r.rows).toEqual([[3n], [5n]]);
  });

  it('seeks by id and scans the smallest label', async () => {
    const id = await t.db.execute("MATCH (p:Person {name: 'p1'}) RETURN id(p) AS id");
    const byId = await t.db.execute('EXPLAIN MATCH (n) WHERE id(n) = $id RETURN n', { id: id.rows[0]![0]! });
    expect(operators(byId.plan)).toContain('NodeByIdSeek(n)');
    const r = await t.db.execute('MATCH (n) WHERE id(n) = $id RETURN n.name', { id: id.rows[0]![0]! });
    expect(r.rows).toEqual([['p1']]);
    const smallest = await t.db.execute('EXPLAIN MATCH (n:Person:Admin) RETURN n');
    expect(operators(smallest.plan)).toContain('NodeByLabelScan(n:Admin)');
    const whereLabel = await t.db.execute('EXPLAIN MATCH (n) WHERE n:Admin RETURN n');
    expect(operators(whereLabel.plan)).toContain('NodeByLabelScan(n:Admin)');
    expect(await t.rows('MATCH (n) WHERE n:Admin AND n.name = "a2" RETURN n.name AS x')).toEqual([
      { x: 'a2' },
    ]);
    const all = await t.db.execute('EXPLAIN MATCH (n) RETURN n');
    expect(operators(all.plan)).toContain('AllNodesScan(n)');
  });

  it('starts from a bound variable and expands', async () => {
    await t.db.execute("MATCH (a:Person {name: 'p1'}), (b:Person {name: 'p2'}) CREATE (a)-[:KNOWS]->(b)");
    const plan = (await t.db.execute('EXPLAIN MATCH (a:Admin) WITH a MATCH (a)-[:KNOWS]->(b) RETURN b')).plan;
    expect(operators(plan)).toContain('Expand(KNOWS)');
    expect(operators(plan)).toContain('Argument(a)');
  });
});

describe('relationship starts', () => {
  it('starts at the endpoint of a relationship given by id or bound earlier', async () => {
    await t.db.execute('CREATE ({n: 1})-[:R]->({n: 2})-[:R]->({n: 3})');
    const [[rid]] = (await t.db.execute('MATCH ({n: 2})-[r]->() RETURN id(r)')).rows as [[bigint]];
    const q = 'MATCH (a)-[r]->(b) WHERE id(r) = $rid RETURN a.n AS a, b.n AS b';
    expect(operators((await t.db.execute(`EXPLAIN ${q}`, { rid })).plan)).toContain(
      'RelationshipEndpoint(a)',
    );
    expect(await t.rows(q, { rid })).toEqual([{ a: 2n, b: 3n }]);
    expect(
      await t.rows('MATCH ()-[r]->({n: 2}) WITH r MATCH (x)-[r]-(y) RETURN x.n AS x, y.n AS y ORDER BY x'),
    ).toEqual([
      { x: 1n, y: 2n },
      { x: 2n, y: 1n },
    ]);
  });
});

describe('EXPLAIN and PROFILE', () => {
  it('EXPLAIN does not execute, even a write', async () => {
    const r = await t.db.execute('EXPLAIN CREATE (:X)');
    expect(r.rows).toEqual([]);
    expect(r.isWrite).toBe(true);
    expect(r.plan?.operator).toBe('Create');
    expect(await t.rows('MATCH (n) RETURN count(n) AS c')).toEqual([{ c: 0n }]);
  });

  it('PROFILE executes and reports rows per operator', async () => {
    await t.db.execute('UNWIND range(1, 10) AS i CREATE (:N {i: i})');
    const r = await t.db.execute('PROFILE MATCH (n:N) WHERE n.i > 7 RETURN n.i');
    expect(r.rows).toHaveLength(3);
    expect(r.plan?.rows).toBe(3);
    expect(find(r.plan, 'Projection')?.rows).toBe(3);
    // Each pattern step reports the rows it produced.
    expect(find(r.plan, 'NodeByLabelScan')?.rows).toBe(3);
    await t.db.execute('MATCH (n:N) WHERE n.i <= 2 CREATE (n)-[:R]->(:M)');
    const expand = await t.db.execute('PROFILE MATCH (n:N)-[:R]->(m) RETURN m');
    expect(find(expand.plan, 'NodeByLabelScan')?.rows).toBe(10);
    expect(find(expand.plan, 'Expand')?.rows).toBe(2);
  });
});

describe('plan cache', () => {
  it('reuses the compiled plan for the same query text', () => {
    const a = t.db.compile('MATCH (n) RETURN n');
    const b = t.db.compile('MATCH (n) RETURN n');
    expect(a).toBe(b);
    expect(t.db.compile('MATCH (m) RETURN m')).not.toBe(a);
  });
});
