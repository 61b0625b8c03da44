/**
 * Constraints: syntax, enforcement on every Cypher write form and on the storage API (the
 * door REST, ingest and MCP use), creation over existing data, concurrency, namespaces,
 * and a property test against a model.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import type { Value } from '../../src/engine/values.js';
import { openTestDb, type TestDb } from '../engine/support/test-db.js';

let t: TestDb;
let nsCounter = 0;
/** A fresh namespace per test keeps tests independent inside one store. */
function ns(): { namespace: string } {
  return { namespace: `c${++nsCounter}` };
}

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t.close();
});

async function run(o: { namespace: string }, q: string, p: Record<string, Value> = {}): Promise<Value[][]> {
  return (await t.db.execute(q, p, o)).rows as Value[][];
}

async function violation(p: Promise<unknown>, message?: RegExp): Promise<NexusError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NexusError);
  expect((e as NexusError).code).toBe('CONSTRAINT_VIOLATION');
  if (message) expect((e as NexusError).message).toMatch(message);
  return e as NexusError;
}

describe('unique constraints', () => {
  it('refuse a duplicate from CREATE, MERGE-then-SET, SET, SET +=, label add; nothing of the statement is written', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT user_email FOR (u:User) REQUIRE u.email IS UNIQUE');
    await run(o, "CREATE (:User {email: 'a@x'})");
    const e = await violation(
      run(o, "CREATE (:Other {n: 1}) CREATE (:User {email: 'a@x'})"),
      /already exists with label `User` and property `email` = 'a@x'/,
    );
    expect(e.details?.constraint).toBe('user_email');
    expect(await run(o, 'MATCH (n) RETURN count(n)')).toEqual([[1n]]);
    await run(o, "CREATE (:User {email: 'b@x'})");
    await violation(run(o, "MATCH (u:User {email: 'b@x'}) SET u.email = 'a@x'"));
    await violation(run(o, "MATCH (u:User {email: 'b@x'}) SET u += {email: 'a@x'}"));
    await violation(run(o, "MATCH (u:User {email: 'b@x'}) SET u = {email: 'a@x'}"));
    await run(o, "CREATE (:Guest {email: 'a@x'})");
    await violation(run(o, 'MATCH (g:Guest) SET g:User'));
    // 1 and 1.0 are equal in Cypher
    await run(o, 'CREATE (:User {email: 1})');
    await violation(run(o, 'CREATE (:User {email: 1.0})'));
    // swapping keys inside one statement is fine (checked at the end of the write)
    await run(
      o,
      "MATCH (a:User {email: 'a@x'}), (b:User {email: 'b@x'}) SET a.email = 'b@x', b.email = 'a@x'",
    );
    // deleting and re-creating a key in one statement is fine
    await run(o, "MATCH (a:User {email: 'a@x'}) DELETE a CREATE (:User {email: 'a@x'})");
    expect(await run(o, 'MATCH (u:User) RETURN count(u)')).toEqual([[3n]]);
    // a node without the property is not constrained
    await run(o, 'CREATE (:User), (:User)');
  });

  it('MERGE on the key is an index seek and never duplicates', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (p:Person) REQUIRE p.id IS UNIQUE');
    // the pattern matcher seeks through the backing RANGE index (compile-pattern.ts)
    expect(t.db.namespace(o.namespace).read((r) => r.findIndex('Person', 'id'))).toBeDefined();
    await run(o, 'MERGE (:Person {id: 1})');
    await run(o, 'MERGE (:Person {id: 1})');
    expect(await run(o, 'MATCH (p:Person) RETURN count(p)')).toEqual([[1n]]);
    const idx = (await t.db.execute('SHOW INDEXES', {}, o)).rows;
    expect(idx).toHaveLength(1);
    const c = (await run(o, 'SHOW CONSTRAINTS'))[0]!;
    expect(idx[0]![0]).toBe(c[1]); // the backing index has the constraint's name
    expect(idx[0]![8]).toBe(c[1]); // owningConstraint
    const err = await run(o, `DROP INDEX ${String(c[1])}`).catch((x: unknown) => x);
    expect((err as NexusError).code).toBe('CONFLICT');
  });

  it('concurrent writers cannot both insert the same key', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (a:Acct) REQUIRE a.no IS UNIQUE');
    const attempts = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? run(o, 'CREATE (:Acct {no: 7, by: $i})', { i: BigInt(i) })
        : run(o, 'MATCH (x) WITH count(x) AS c CREATE (:Acct {no: 7, seen: c})'),
    );
    const settled = await Promise.allSettled(attempts);
    const ok = settled.filter((s) => s.status === 'fulfilled').length;
    expect(ok).toBe(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect((s.reason as NexusError).code).toBe('CONSTRAINT_VIOLATION');
    }
    expect(await run(o, 'MATCH (a:Acct {no: 7}) RETURN count(a)')).toEqual([[1n]]);
  });

  it('composite keys and relationship uniqueness', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT pair IF NOT EXISTS FOR (n:P) REQUIRE (n.a, n.b) IS UNIQUE');
    await run(o, 'CREATE CONSTRAINT pair IF NOT EXISTS FOR (n:P) REQUIRE (n.a, n.b) IS UNIQUE');
    await run(o, 'CREATE (:P {a: 1, b: 1}), (:P {a: 1, b: 2}), (:P {a: 1})');
    await violation(run(o, 'CREATE (:P {a: 1, b: 2})'), /properties `a` = 1, `b` = 2/);
    await run(o, 'CREATE CONSTRAINT rel_u FOR ()-[r:PAID]-() REQUIRE r.tx IS UNIQUE');
    await run(o, "CREATE (x:Q)-[:PAID {tx: 't1'}]->(y:Q)");
    await violation(run(o, "MATCH (x:Q)-->(y:Q) CREATE (y)-[:PAID {tx: 't1'}]->(x)"), /Relationship\(\d+\)/);
    await run(o, "MATCH (x:Q)-->(y:Q) CREATE (y)-[r:PAID {tx: 't2'}]->(x)");
    await violation(run(o, "MATCH ()-[r:PAID {tx: 't2'}]->() SET r.tx = 't1'"));
  });
});

describe('existence, key and type constraints', () => {
  it('NOT NULL refuses a missing property on CREATE, REMOVE, SET null and label add', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (b:Book) REQUIRE b.isbn IS NOT NULL');
    await violation(run(o, 'CREATE (:Book {title: 1})'), /must have the property `isbn`/);
    await run(o, "CREATE (:Book {isbn: 'x'})");
    await violation(run(o, 'MATCH (b:Book) REMOVE b.isbn'));
    await violation(run(o, 'MATCH (b:Book) SET b.isbn = null'));
    await violation(run(o, 'MATCH (b:Book) SET b = {}'));
    await run(o, 'CREATE (:Draft)');
    await violation(run(o, 'MATCH (d:Draft) SET d:Book'));
    // removing the label lifts the rule
    await run(o, 'MATCH (b:Book) REMOVE b:Book REMOVE b.isbn');
    await run(o, 'CREATE CONSTRAINT FOR ()-[r:RATED]-() REQUIRE r.stars IS NOT NULL');
    await violation(run(o, 'CREATE (:A)-[:RATED]->(:A)'));
  });

  it('NODE KEY = unique + exists over all properties', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT k FOR (n:K) REQUIRE (n.x, n.y) IS NODE KEY');
    await violation(run(o, 'CREATE (:K {x: 1})'), /must have the property `y`/);
    await run(o, 'CREATE (:K {x: 1, y: 1})');
    await violation(run(o, 'CREATE (:K {x: 1, y: 1})'));
    expect((await run(o, 'SHOW CONSTRAINTS'))[0]![2]).toBe('NODE_KEY');
  });

  it('IS :: TYPE refuses other types; unions and lists', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (n:T) REQUIRE n.age IS :: INTEGER');
    await run(o, 'CREATE CONSTRAINT FOR (n:T) REQUIRE n.score IS TYPED INTEGER | FLOAT');
    await run(o, 'CREATE CONSTRAINT FOR (n:T) REQUIRE n.tags IS :: LIST<STRING NOT NULL>');
    await run(o, "CREATE (:T {age: 3, score: 1.5, tags: ['a']}), (:T)");
    await violation(run(o, "CREATE (:T {age: '3'})"), /of type STRING, it must be of type INTEGER/);
    await violation(run(o, "CREATE (:T {score: 'x'})"));
    await violation(run(o, 'CREATE (:T {tags: [1]})'));
    const shown = await run(o, 'SHOW CONSTRAINTS');
    expect(shown.map((r) => r[7]).sort()).toEqual(['INTEGER', 'INTEGER | FLOAT', 'LIST<STRING NOT NULL>']);
  });
});

describe('constraint lifecycle', () => {
  it('creating over violating data fails, names the node and leaves nothing behind', async () => {
    const o = ns();
    const [[a], [b]] = await run(o, "UNWIND [1, 2] AS i CREATE (n:D {k: 'same'}) RETURN id(n)");
    const e = await violation(run(o, 'CREATE CONSTRAINT d_k FOR (n:D) REQUIRE n.k IS UNIQUE'));
    expect(e.message).toMatch(/Unable to create constraint 'd_k'/);
    expect(e.message).toMatch(new RegExp(`Node\\((${String(a)}|${String(b)})\\)`));
    expect(await run(o, 'SHOW CONSTRAINTS')).toEqual([]);
    expect(await run(o, 'SHOW INDEXES')).toEqual([]);
    await violation(run(o, 'CREATE CONSTRAINT FOR (n:D) REQUIRE n.other IS NOT NULL'), /Node\(/);
  });

  it('DROP CONSTRAINT [IF EXISTS] removes the rule and its index; names are shared with indexes', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT c1 FOR (n:E) REQUIRE n.k IS UNIQUE');
    let err = await run(o, 'CREATE INDEX c1 FOR (n:F) ON (n.k)').catch((x: unknown) => x);
    expect((err as NexusError).code).toBe('CONFLICT');
    err = await run(o, 'CREATE CONSTRAINT c2 FOR (n:E) REQUIRE n.k IS UNIQUE').catch((x: unknown) => x);
    expect((err as NexusError).code).toBe('CONFLICT');
    await run(o, 'DROP CONSTRAINT c1');
    expect(await run(o, 'SHOW INDEXES')).toEqual([]);
    await run(o, 'CREATE (:E {k: 1}), (:E {k: 1})');
    await run(o, 'DROP CONSTRAINT c1 IF EXISTS');
    err = await run(o, 'DROP CONSTRAINT c1').catch((x: unknown) => x);
    expect((err as NexusError).code).toBe('NOT_FOUND');
  });

  it('is enforced on the storage API (the door of REST, ingest and MCP)', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (n:S) REQUIRE n.k IS UNIQUE');
    const handle = t.db.namespace(o.namespace);
    await handle.write((w) => w.createNode(['S'], new Map([['k', 'v']])));
    const e = await handle
      .write((w) => {
        w.createNode(['X'], new Map());
        w.createNode(['S'], new Map([['k', 'v']]));
      })
      .catch((x: unknown) => x);
    expect((e as NexusError).code).toBe('CONSTRAINT_VIOLATION');
    expect(handle.read((r) => r.stats().nodes)).toBe(1);
  });

  it('hold inside explicit transactions: the statement fails at once, the commit writes no duplicate', async () => {
    const o = ns();
    await run(o, 'CREATE CONSTRAINT FOR (n:X) REQUIRE n.k IS UNIQUE');
    await run(o, 'CREATE (:X {k: 1})');
    const tx = t.db.beginTransaction!({ namespace: o.namespace });
    await tx.run('CREATE (:X {k: 2})');
    const e = await tx.run('CREATE (:X {k: 1})').catch((x: unknown) => x);
    expect((e as NexusError).code).toBe('CONSTRAINT_VIOLATION');
    await tx.rollback().catch(() => undefined);
    expect(await run(o, 'MATCH (n:X) RETURN n.k ORDER BY n.k')).toEqual([[1n]]);
    const tx2 = t.db.beginTransaction!({ namespace: o.namespace });
    await tx2.run('CREATE (:X {k: 3})');
    await tx2.commit();
    expect(await run(o, 'MATCH (n:X) RETURN n.k ORDER BY n.k')).toEqual([[1n], [3n]]);
  });

  it('constraints are per namespace', async () => {
    const a = ns();
    const b = ns();
    await run(a, 'CREATE CONSTRAINT same_name FOR (n:U) REQUIRE n.k IS UNIQUE');
    await run(b, 'CREATE (:U {k: 1}), (:U {k: 1})');
    expect(await run(b, 'SHOW CONSTRAINTS')).toEqual([]);
    await run(b, 'CREATE CONSTRAINT same_name FOR (n:U) REQUIRE n.other IS UNIQUE');
    await run(a, 'CREATE (:U {k: 1})');
    await violation(run(a, 'CREATE (:U {k: 1})'));
  });
});

describe('property test: enforcement matches a model', () => {
  it('random writes under unique + not-null + type constraints', async () => {
    type Op =
      | { op: 'create'; k: number | null; s: string | null }
      | { op: 'set'; at: number; k: number | null }
      | { op: 'delete'; at: number }
      | { op: 'relabel'; at: number; on: boolean };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        op: fc.constant('create' as const),
        k: fc.option(fc.integer({ min: 0, max: 4 })),
        s: fc.option(fc.constantFrom('a', 'b')),
      }),
      fc.record({
        op: fc.constant('set' as const),
        at: fc.nat(),
        k: fc.option(fc.integer({ min: 0, max: 4 })),
      }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('relabel' as const), at: fc.nat(), on: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const o = ns();
        await run(o, 'CREATE CONSTRAINT FOR (n:M) REQUIRE n.k IS UNIQUE');
        await run(o, 'CREATE CONSTRAINT FOR (n:M) REQUIRE n.s IS NOT NULL');
        // model: id → {k, s, labelled}
        const model = new Map<bigint, { k: number | null; s: string | null; m: boolean }>();
        const valid = (): boolean => {
          const seen = new Set<number>();
          for (const n of model.values()) {
            if (!n.m) continue;
            if (n.s === null) return false;
            if (n.k !== null) {
              if (seen.has(n.k)) return false;
              seen.add(n.k);
            }
          }
          return true;
        };
        for (const op of ops) {
          const ids = [...model.keys()];
          const before = new Map([...model].map(([id, n]) => [id, { ...n }]));
          let query: Promise<Value[][]>;
          let created: { k: number | null; s: string | null } | undefined;
          if (op.op === 'create') {
            created = { k: op.k, s: op.s };
            query = run(o, 'CREATE (n:M) SET n.k = $k, n.s = $s RETURN id(n)', {
              k: op.k === null ? null : BigInt(op.k),
              s: op.s,
            });
          } else {
            if (ids.length === 0) continue;
            const id = ids[op.at % ids.length]!;
            const n = model.get(id)!;
            if (op.op === 'set') {
              n.k = op.k;
              query = run(o, 'MATCH (n) WHERE id(n) = $id SET n.k = $k', {
                id,
                k: op.k === null ? null : BigInt(op.k),
              });
            } else if (op.op === 'delete') {
              model.delete(id);
              query = run(o, 'MATCH (n) WHERE id(n) = $id DELETE n', { id });
            } else {
              n.m = op.on;
              query = run(
                o,
                op.on ? 'MATCH (n) WHERE id(n) = $id SET n:M' : 'MATCH (n) WHERE id(n) = $id REMOVE n:M',
                { id },
              );
            }
          }
          if (created !== undefined) {
            const ok =
              valid() &&
              created.s !== null &&
              (created.k === null || ![...model.values()].some((n) => n.m && n.k === created.k));
            const r = await query.then(
              (rows) => rows,
              (e: unknown) => e,
            );
            if (ok) {
              expect(Array.isArray(r)).toBe(true);
              model.set((r as Value[][])[0]![0] as bigint, { ...created, m: true });
            } else {
              expect((r as NexusError).code).toBe('CONSTRAINT_VIOLATION');
            }
            continue;
          }
          const expectOk = valid();
          const r = await query.then(
            () => undefined,
            (e: unknown) => e,
          );
          if (expectOk) expect(r).toBeUndefined();
          else {
            expect((r as NexusError).code).toBe('CONSTRAINT_VIOLATION');
            model.clear();
            for (const [id, n] of before) model.set(id, n);
          }
        }
        // the store matches the model
        const rows = await run(o, 'MATCH (n) RETURN id(n), n.k, n.s, n:M ORDER BY id(n)');
        const expected = [...model]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([id, n]) => [id, n.k === null ? null : BigInt(n.k), n.s, n.m]);
        expect(rows).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
