import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CypherError } from '../../src/cypher/errors.js';
import { Node, Path, Relationship } from '../../src/engine/values.js';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

async function expectCypherError(p: Promise<unknown>, errorClass: string, detail: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CypherError);
  expect((err as CypherError).errorClass).toBe(errorClass);
  expect((err as CypherError).detail).toBe(detail);
}

describe('CREATE and MATCH', () => {
  it('creates a pattern and returns snapshots with bigint ids', async () => {
    const r = await t.db.execute(
      "CREATE (a:Person {name: 'Ada', age: 36})-[k:KNOWS {since: 2020}]->(b:Person {name: 'Bob'}) RETURN a, k, b, id(a) AS ida",
    );
    expect(r.isWrite).toBe(true);
    expect(r.stats).toMatchObject({
      nodesCreated: 2,
      relationshipsCreated: 1,
      labelsAdded: 2,
      propertiesSet: 4,
    });
    const [a, k, b, ida] = r.rows[0]!;
    expect(a).toBeInstanceOf(Node);
    expect((a as Node).labels).toEqual(['Person']);
    expect((a as Node).properties.get('age')).toBe(36n);
    expect(k).toBeInstanceOf(Relationship);
    expect((k as Relationship).start).toBe((a as Node).id);
    expect((k as Relationship).end).toBe((b as Node).id);
    expect(typeof ida).toBe('bigint');
  });

  it('matches by label, property and direction', async () => {
    await t.db.execute('CREATE (:P {n: 1})-[:R]->(:P {n: 2})-[:R]->(:Q {n: 3})');
    expect(await t.rows('MATCH (a:P)-[:R]->(b) RETURN a.n AS a, b.n AS b ORDER BY a')).toEqual([
      { a: 1n, b: 2n },
      { a: 2n, b: 3n },
    ]);
    expect(await t.rows('MATCH (a)<-[:R]-(b {n: 1}) RETURN a.n AS a')).toEqual([{ a: 2n }]);
    expect(await t.rows('MATCH (a)-[:R]-(b:Q) RETURN a.n AS a')).toEqual([{ a: 2n }]);
  });

  it('expands variable-length paths with relationship uniqueness and named paths', async () => {
    await t.db.execute('CREATE (a {n: 1})-[:R]->(b {n: 2})-[:R]->(c {n: 3}), (c)-[:R]->(a)');
    const r = await t.rows('MATCH p = ({n: 1})-[:R*1..5]->(x) RETURN length(p) AS l, x.n AS x ORDER BY l');
    // The cycle a->b->c->a stops after 3 hops: each relationship at most once per path.
    expect(r).toEqual([
      { l: 1n, x: 2n },
      { l: 2n, x: 3n },
      { l: 3n, x: 1n },
    ]);
    const [[p]] = (await t.db.execute('MATCH p = ({n: 1})-[:R*2]->() RETURN p')).rows as [[Path]];
    expect(p).toBeInstanceOf(Path);
    expect(p.nodes.map((n) => n.properties.get('n'))).toEqual([1n, 2n, 3n]);
  });

  it('finds shortest paths breadth-first', async () => {
    await t.db.execute(
      'CREATE (a:S {n: 1})-[:R]->({n: 2})-[:R]->({n: 3})-[:R]->(d:E {n: 4}), (a)-[:R]->({n: 5})-[:R]->(d), (a)-[:R]->({n: 6})-[:R]->(d)',
    );
    const one = await t.rows(
      'MATCH (a:S), (d:E) MATCH p = shortestPath((a)-[:R*]->(d)) RETURN length(p) AS l',
    );
    expect(one).toEqual([{ l: 2n }]);
    const all = await t.rows(
      'MATCH (a:S), (d:E) MATCH p = allShortestPaths((a)-[:R*]->(d)) RETURN [n IN nodes(p) | n.n] AS ns ORDER BY ns',
    );
    expect(all).toEqual([{ ns: [1n, 5n, 4n] }, { ns: [1n, 6n, 4n] }]);
  });

  it('OPTIONAL MATCH yields nulls when nothing matches', async () => {
    await t.db.execute('CREATE (:A {n: 1}), (:A {n: 2})-[:R]->(:B)');
    const r = await t.rows(
      'MATCH (a:A) OPTIONAL MATCH (a)-[:R]->(b) RETURN a.n AS n, b IS NULL AS none ORDER BY n',
    );
    expect(r).toEqual([
      { n: 1n, none: true },
      { n: 2n, none: false },
    ]);
  });

  it('filters with WHERE, pattern predicates and EXISTS', async () => {
    await t.db.execute('CREATE (:A {n: 1})-[:R]->(:B), (:A {n: 2})');
    expect(await t.rows('MATCH (a:A) WHERE (a)-->() RETURN a.n AS n')).toEqual([{ n: 1n }]);
    expect(await t.rows('MATCH (a:A) WHERE NOT exists { (a)-->(:B) } RETURN a.n AS n')).toEqual([{ n: 2n }]);
    expect(await t.rows('MATCH (a:A) WHERE a.n > 1 RETURN a.n AS n')).toEqual([{ n: 2n }]);
  });
});

describe('projection', () => {
  it('aggregates with implicit grouping keys, DISTINCT, ORDER BY, SKIP, LIMIT', async () => {
    await t.db.execute("UNWIND [['a', 1], ['a', 2], ['b', 5]] AS p CREATE (:X {k: p[0], v: p[1]})");
    expect(await t.rows('MATCH (x:X) RETURN x.k AS k, sum(x.v) AS s, count(*) AS c ORDER BY k')).toEqual([
      { k: 'a', s: 3n, c: 2n },
      { k: 'b', s: 5n, c: 1n },
    ]);
    expect(await t.rows('MATCH (x:X) RETURN DISTINCT x.k AS k ORDER BY k DESC')).toEqual([
      { k: 'b' },
      { k: 'a' },
    ]);
    expect(await t.rows('MATCH (x:X) RETURN x.v AS v ORDER BY v SKIP 1 LIMIT 1')).toEqual([{ v: 2n }]);
    expect(await t.rows('MATCH (x:Nope) RETURN count(x) AS c')).toEqual([{ c: 0n }]);
  });

  it('WITH rescopes and filters; RETURN * lists variables', async () => {
    const r = await t.db.execute('UNWIND [1, 2, 3] AS x WITH x * 10 AS y WHERE y > 10 RETURN *');
    expect(r.columns).toEqual(['y']);
    expect(r.rows).toEqual([[20n], [30n]]);
  });

  it('evaluates comprehensions, quantifiers, reduce, CASE and map projections', async () => {
    await t.db.execute("CREATE (:P {name: 'Ada', age: 36})");
    const [row] = await t.rows(
      `MATCH (p:P) RETURN [x IN range(1, 5) WHERE x % 2 = 1 | x * x] AS sq,
         all(x IN [2, 4] WHERE x % 2 = 0) AS ev, reduce(s = 0, x IN [1, 2, 3] | s + x) AS sum,
         CASE p.age WHEN 36 THEN 'yes' ELSE 'no' END AS c, p {.name, twice: p.age * 2} AS m`,
    );
    expect(row).toEqual({
      sq: [1n, 9n, 25n],
      ev: true,
      sum: 6n,
      c: 'yes',
      m: new Map<string, unknown>([
        ['name', 'Ada'],
        ['twice', 72n],
      ]),
    });
  });

  it('evaluates pattern comprehensions', async () => {
    await t.db.execute('CREATE (a:A)-[:R]->(:B {v: 1}), (a)-[:R]->(:B {v: 2})');
    const [row] = await t.rows('MATCH (a:A) RETURN [(a)-->(b) | b.v] AS vs');
    expect([...(row!.vs as bigint[])].sort()).toEqual([1n, 2n]);
  });

  it('UNION removes duplicates and UNION ALL keeps them', async () => {
    expect(await t.rows('RETURN 1 AS x UNION RETURN 1 AS x')).toEqual([{ x: 1n }]);
    expect(await t.rows('RETURN 1 AS x UNION ALL RETURN 1 AS x')).toEqual([{ x: 1n }, { x: 1n }]);
  });
});

describe('updating clauses', () => {
  it('names Cypher types, not JavaScript ones, in write errors', async () => {
    const err = await t.db.execute('CREATE (n {p: 1}) WITH n DELETE n.p').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CypherError);
    expect((err as CypherError).message).toBe('Cannot delete a value of type INTEGER');
    expect((await t.db.execute('MATCH (n) RETURN count(n)')).rows).toEqual([[0n]]);
  });

  it('MERGE matches or creates, with ON CREATE / ON MATCH', async () => {
    const first = await t.db.execute(
      "MERGE (c:City {name: 'Oslo'}) ON CREATE SET c.created = true RETURN c.created",
    );
    expect(first.rows).toEqual([[true]]);
    expect(first.stats.nodesCreated).toBe(1);
    const second = await t.db.execute("MERGE (c:City {name: 'Oslo'}) ON MATCH SET c.seen = 1 RETURN c.seen");
    expect(second.rows).toEqual([[1n]]);
    expect(second.stats.nodesCreated).toBe(0);
    // Each row sees what earlier rows merged.
    const r = await t.db.execute("UNWIND ['x', 'x', 'y'] AS n MERGE (:T {n: n})");
    expect(r.stats.nodesCreated).toBe(2);
  });

  it('SET property, = map, += map, labels; REMOVE', async () => {
    await t.db.execute('CREATE (:N {a: 1, b: 2})');
    await t.db.execute('MATCH (n:N) SET n.c = 3, n:M');
    expect(await t.rows('MATCH (n:N:M) RETURN n.a AS a, n.c AS c')).toEqual([{ a: 1n, c: 3n }]);
    await t.db.execute('MATCH (n:N) SET n += {a: 10, d: 4}');
    expect(await t.rows('MATCH (n:N) RETURN n.a AS a, n.b AS b, n.d AS d')).toEqual([
      { a: 10n, b: 2n, d: 4n },
    ]);
    await t.db.execute('MATCH (n:N) SET n = {z: 1}');
    expect(await t.rows('MATCH (n:N) RETURN keys(n) AS k')).toEqual([{ k: ['z'] }]);
    const r = await t.db.execute('MATCH (n:N) REMOVE n.z, n:M');
    expect(r.stats).toMatchObject({ propertiesSet: 1, labelsRemoved: 1 });
    expect(await t.rows('MATCH (n:N) RETURN labels(n) AS l, n.z AS z')).toEqual([{ l: ['N'], z: null }]);
  });

  it('SET with null removes, and maps are not storable', async () => {
    await t.db.execute('CREATE (:N {a: 1})');
    await t.db.execute('MATCH (n:N) SET n.a = null');
    expect(await t.rows('MATCH (n:N) RETURN n.a AS a')).toEqual([{ a: null }]);
    await expectCypherError(t.db.execute('MATCH (n:N) SET n.a = {x: 1}'), 'TypeError', 'InvalidPropertyType');
    await t.db.execute('MATCH (n:N) SET n.l = [1, 2]');
    expect(await t.rows('MATCH (n:N) RETURN n.l AS l')).toEqual([{ l: [1n, 2n] }]);
  });

  it('DELETE refuses connected nodes; DETACH DELETE removes relationships too', async () => {
    await t.db.execute('CREATE (:A)-[:R]->(:B)');
    await expectCypherError(
      t.db.execute('MATCH (a:A) DELETE a'),
      'ConstraintVerificationFailed',
      'DeleteConnectedNode',
    );
    const r = await t.db.execute('MATCH (a:A) DETACH DELETE a');
    expect(r.stats).toMatchObject({ nodesDeleted: 1, relationshipsDeleted: 1 });
    // Deleting a relationship and its nodes in one clause works in any order.
    await t.db.execute('CREATE (:C)-[:R]->(:D)');
    const r2 = await t.db.execute('MATCH (c:C)-[r]->(d) DELETE c, r, d');
    expect(r2.stats).toMatchObject({ nodesDeleted: 2, relationshipsDeleted: 1 });
    expect(await t.rows('MATCH (n) RETURN count(n) AS c')).toEqual([{ c: 1n }]);
  });

  it('reading a deleted entity fails with DeletedEntityAccess', async () => {
    await t.db.execute('CREATE ({num: 0})');
    await expectCypherError(
      t.db.execute('MATCH (n) DELETE n RETURN n.num'),
      'EntityNotFound',
      'DeletedEntityAccess',
    );
  });

  it('FOREACH runs updating clauses per element', async () => {
    const r = await t.db.execute('FOREACH (i IN range(1, 3) | CREATE (:F {i: i}))');
    expect(r.stats.nodesCreated).toBe(3);
    expect(r.rows).toEqual([]);
    expect(await t.rows('MATCH (f:F) RETURN sum(f.i) AS s')).toEqual([{ s: 6n }]);
  });
});

describe('procedures and parameters', () => {
  it('calls built-in catalogue procedures', async () => {
    await t.db.execute('CREATE (:B {x: 1})-[:T]->(:A {y: 2})');
    expect(await t.rows('CALL db.labels()')).toEqual([{ label: 'A' }, { label: 'B' }]);
    expect(
      await t.rows('CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType'),
    ).toEqual([{ relationshipType: 'T' }]);
    expect(await t.rows('CALL db.propertyKeys() YIELD propertyKey AS k RETURN k')).toEqual([
      { k: 'x' },
      { k: 'y' },
    ]);
  });

  it('calls runtime-registered procedures', async () => {
    t.db.registerProcedure({
      name: 'test.my.proc',
      inputs: [{ name: 'in', type: 'INTEGER?' }],
      outputs: [{ name: 'out', type: 'STRING?' }],
      rows: [
        [1n, 'one'],
        [2n, 'two'],
      ],
    });
    expect(await t.rows('CALL test.my.proc(2) YIELD out RETURN out')).toEqual([{ out: 'two' }]);
    expect(await t.rows('CALL test.my.proc', { in: 1n })).toEqual([{ out: 'one' }]);
    await expectCypherError(t.db.execute('CALL test.nope()'), 'ProcedureError', 'ProcedureNotFound');
  });

  it('uses parameters and reports missing ones', async () => {
    expect(await t.rows('RETURN $a + 1 AS x', { a: 41n })).toEqual([{ x: 42n }]);
    await expectCypherError(t.db.execute('RETURN $a AS x'), 'ParameterMissing', 'MissingParameter');
  });
});

describe('schema', () => {
  it('refuses index kinds it does not support', async () => {
    await expect(t.db.execute('CREATE INDEX FOR (p:P) ON (p.a, p.b)')).rejects.toMatchObject({
      code: 'CYPHER_UNSUPPORTED',
    });
  });

  it('creates, shows and drops indexes', async () => {
    const c = await t.db.execute('CREATE INDEX person_name FOR (p:Person) ON (p.name)');
    expect(c.stats.indexesAdded).toBe(1);
    expect(c.isWrite).toBe(true);
    expect(await t.rows('SHOW INDEXES')).toEqual([
      {
        name: 'person_name',
        type: 'RANGE',
        entityType: 'NODE',
        labelsOrTypes: ['Person'],
        properties: ['name'],
        state: 'ONLINE',
        populationPercent: 100,
        indexProvider: 'range-1.0',
        owningConstraint: null,
        options: new Map(),
      },
    ]);
    const d = await t.db.execute('DROP INDEX person_name');
    expect(d.stats.indexesRemoved).toBe(1);
    expect(await t.rows('SHOW INDEXES')).toEqual([]);
  });
});

describe('errors and edge cases', () => {
  it('SKIP / LIMIT from parameters must be non-negative integers', async () => {
    await expectCypherError(
      t.db.execute('UNWIND [1, 2] AS x RETURN x LIMIT $l', { l: -1n }),
      'SyntaxError',
      'NegativeIntegerArgument',
    );
    await expectCypherError(
      t.db.execute('UNWIND [1, 2] AS x RETURN x SKIP $s', { s: 1.5 }),
      'SyntaxError',
      'InvalidArgumentType',
    );
    expect(await t.rows('UNWIND [1, 2, 3] AS x RETURN x SKIP $s LIMIT $l', { s: 1n, l: 1n })).toEqual([
      { x: 2n },
    ]);
  });

  it('reading a deleted relationship fails, its type does not', async () => {
    await t.db.execute('CREATE ()-[:T {num: 1}]->()');
    expect(await t.rows('MATCH ()-[r]->() DELETE r RETURN type(r) AS t')).toEqual([{ t: 'T' }]);
    await t.db.execute('CREATE ()-[:T {num: 1}]->()');
    await expectCypherError(
      t.db.execute('MATCH ()-[r]->() DELETE r RETURN r.num'),
      'EntityNotFound',
      'DeletedEntityAccess',
    );
  });

  it('filters procedure output with YIELD ... WHERE', async () => {
    await t.db.execute('CREATE (:Alpha), (:Beta), (:Also)');
    expect(
      await t.rows("CALL db.labels() YIELD label WHERE label STARTS WITH 'A' RETURN label ORDER BY label"),
    ).toEqual([{ label: 'Alpha' }, { label: 'Also' }]);
  });

  it('returns no rows for a query without RETURN, and counts what it did', async () => {
    const r = await t.db.execute('UNWIND range(1, 4) AS i CREATE (:N {i: i})');
    expect(r.columns).toEqual([]);
    expect(r.rows).toEqual([]);
    expect(r.stats).toMatchObject({ nodesCreated: 4, propertiesSet: 4, labelsAdded: 4 });
  });

  it('returns entities as they are at the end of the query', async () => {
    await t.db.execute('CREATE (:N {v: 1})');
    const r = await t.db.execute('MATCH (n:N) WITH n, n.v AS old SET n.v = 2 RETURN n, old');
    const [n, old] = r.rows[0]!;
    expect((n as Node).properties.get('v')).toBe(2n);
    expect(old).toBe(1n);
  });
});

describe('one bound tree: analyzer and planner agree', () => {
  it('matches ORDER BY COUNT(n) to the projected count(n) whatever the function-name case', async () => {
    await t.db.execute('CREATE (:N), (:N)');
    expect(await t.rows('MATCH (n:N) RETURN count(n) AS c ORDER BY COUNT(n)')).toEqual([{ c: 2n }]);
  });

  it('names the Cypher type of a non-boolean operand of AND', async () => {
    const err = await t.db.execute("WITH {d: date('2024-01-02')} AS m RETURN m.d AND true AS b").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CypherError);
    expect((err as CypherError).errorClass).toBe('TypeError');
    expect((err as CypherError).message).toContain('Expected a boolean but got a value of type DATE');
  });
});
