import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NexusError } from '../../../src/errors.js';
import { asObjects, openTxDb, type TxDb } from './tx-db.js';

let t: TxDb;
beforeEach(async () => {
  t = await openTxDb();
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

async function values(query: string, namespace?: string): Promise<unknown[]> {
  return (await t.rows(query, {}, namespace)).map((r) => Object.values(r)[0]);
}

describe('explicit transactions', () => {
  it('statements see the transaction’s own earlier writes; others see nothing until commit', async () => {
    await t.db.execute('CREATE (:P {name: "old", n: 1})');
    const tx = t.db.openTransaction();
    expect(tx.state).toBe('open');
    await tx.run('CREATE (:P {name: "new", n: 2})');
    await tx.run('MATCH (p:P {name: "old"}) SET p.n = 10');
    await tx.run('MATCH (a:P {name: "old"}), (b:P {name: "new"}) CREATE (a)-[:KNOWS {since: 2020}]->(b)');
    const inside = await tx.run('MATCH (a:P)-[r:KNOWS]->(b) RETURN a.n AS a, b.name AS b, r.since AS since');
    expect(asObjects(inside)).toEqual([{ a: 10n, b: 'new', since: 2020n }]);
    expect(asObjects(await tx.run('MATCH (p:P) RETURN count(p) AS c'))).toEqual([{ c: 2n }]);

    // Nothing is visible outside, not even the new label/type names.
    expect(await values('MATCH (p:P) RETURN p.n ORDER BY p.n')).toEqual([1n]);
    expect(await values('MATCH ()-[r]->() RETURN count(r)')).toEqual([0n]);
    expect(t.db.stats().nodes).toBe(1);

    const { bookmark } = await tx.commit();
    expect(bookmark).toMatch(/^nexus:[0-9a-f-]{36}$/);
    expect(tx.state).toBe('committed');
    expect(await values('MATCH (p:P) RETURN p.n ORDER BY p.n')).toEqual([2n, 10n]);
    expect(await values('MATCH (:P)-[r:KNOWS]->(:P) RETURN r.since')).toEqual([2020n]);
    expect(t.db.stats()).toMatchObject({ nodes: 2, relationships: 1 });
  });

  it('commit is atomic and durable: every statement or none, visible after reopen', async () => {
    const tx = t.db.openTransaction();
    for (let i = 0; i < 5; i++) await tx.run('CREATE (:Item {i: $i})', { i: BigInt(i) });
    await tx.run('MATCH (x:Item) WHERE x.i % 2 = 0 DELETE x');
    expect(await values('MATCH (x:Item) RETURN count(x)')).toEqual([0n]);
    await tx.commit();
    await t.reopen();
    expect(await values('MATCH (x:Item) RETURN x.i ORDER BY x.i')).toEqual([1n, 3n]);
    expect(t.db.stats().nodes).toBe(2);
  });

  it('rollback leaves the store byte-identical', async () => {
    await t.db.execute('CREATE (a:A {v: 1})-[:R {w: 1}]->(b:B {v: 2}), (:C)');
    await t.db.execute('CREATE INDEX FOR (a:A) ON (a.v)');
    const before = t.store.dumpEntries();
    const stats = t.db.stats();
    const tx = t.db.openTransaction();
    await tx.run('CREATE (:New:A {v: 3, s: "x"})-[:NEWTYPE]->(:Other {k: [1, 2]})');
    await tx.run('MATCH (a:A {v: 1}) SET a.v = 100, a:Extra REMOVE a:A');
    await tx.run('MATCH (c:C) DETACH DELETE c');
    await tx.run('MATCH ()-[r:R]->() SET r.w = 5');
    await tx.run('CREATE INDEX FOR (o:Other) ON (o.k)');
    expect(tx.logSize).toBeGreaterThan(5);
    await tx.rollback();
    expect(tx.state).toBe('rolled_back');
    await tx.rollback(); // idempotent
    expect(t.db.stats()).toEqual(stats);
    expect(t.store.dumpEntries()).toEqual(before);
    await expect(tx.run('RETURN 1')).rejects.toMatchObject({ code: 'TRANSACTION_NOT_FOUND' });
    await expect(tx.commit()).rejects.toMatchObject({ code: 'TRANSACTION_NOT_FOUND' });
  });

  it('does not hold the writer between statements: other writers, in this and other namespaces, proceed', async () => {
    const tx = t.db.openTransaction();
    await tx.run('CREATE (:InTx {v: 1})');
    // These resolve while the transaction is open (it would deadlock if it held the writer).
    await t.db.execute('CREATE (:Outside {v: 2})');
    await t.db.execute('CREATE (:Other {v: 3})', {}, { namespace: 'tenant:other' });
    const other = t.db.openTransaction({ namespace: 'tenant:other' });
    await other.run('CREATE (:OtherTx)');
    await other.commit();
    await tx.run('CREATE (:InTx {v: 4})');
    // The transaction sees others' committed writes (read committed) and its own.
    expect(asObjects(await tx.run('MATCH (n) RETURN n.v AS v ORDER BY v'))).toEqual([
      { v: 1n },
      { v: 2n },
      { v: 4n },
    ]);
    await tx.commit();
    expect(await values('MATCH (n) RETURN n.v ORDER BY n.v')).toEqual([1n, 2n, 4n]);
    expect(await values('MATCH (n) RETURN labels(n)[0] ORDER BY labels(n)[0]', 'tenant:other')).toEqual([
      'Other',
      'OtherTx',
    ]);
  });

  it('ids handed out inside an open transaction are never given to a concurrent create', async () => {
    const tx = t.db.openTransaction();
    const inTx = (await tx.run('CREATE (n:T) RETURN id(n) AS id')).rows[0]![0];
    const outside = (await t.db.execute('CREATE (n:U) RETURN id(n) AS id')).rows[0]![0];
    expect(outside).not.toBe(inTx);
    // The id the statement returned stays the node's id after commit.
    await tx.run('MATCH (n) WHERE id(n) = $id SET n.seen = true', { id: inTx! });
    await tx.commit();
    expect(await t.rows('MATCH (n:T) RETURN id(n) AS id, n.seen AS seen')).toEqual([
      { id: inTx, seen: true },
    ]);
  });

  it('never loses an update: two transactions incrementing the same counter → one conflicts', async () => {
    await t.db.execute('CREATE (:Counter {c: 0})');
    const a = t.db.openTransaction();
    const b = t.db.openTransaction();
    await a.run('MATCH (n:Counter) SET n.c = n.c + 1');
    await b.run('MATCH (n:Counter) SET n.c = n.c + 1');
    await a.commit();
    const err = await b.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NexusError);
    expect(err).toMatchObject({ code: 'TRANSACTION_CONFLICT' });
    expect((err as Error).message).toMatch(/node \d+ was changed by another transaction.*retry/);
    expect(b.state).toBe('rolled_back');
    expect(await values('MATCH (n:Counter) RETURN n.c')).toEqual([1n]);
  });

  it('detects the conflict at the next statement too, and on deleted or re-linked entities', async () => {
    await t.db.execute('CREATE (:K {id: 1, v: 0}), (:K {id: 2, v: 0})');
    const a = t.db.openTransaction();
    await a.run('MATCH (n:K {id: 1}) SET n.v = 1');
    await t.db.execute('MATCH (n:K {id: 1}) SET n.v = 5');
    await expect(a.run('RETURN 1')).rejects.toMatchObject({ code: 'TRANSACTION_CONFLICT' });
    expect(a.state).toBe('rolled_back');

    // Deleted under the transaction.
    const b = t.db.openTransaction();
    await b.run('MATCH (n:K {id: 2}) SET n.v = 2');
    await t.db.execute('MATCH (n:K {id: 2}) DELETE n');
    await expect(b.commit()).rejects.toMatchObject({ code: 'TRANSACTION_CONFLICT' });

    // A node the transaction deletes gets a relationship meanwhile.
    await t.db.execute('CREATE (:D), (:E)');
    const c = t.db.openTransaction();
    await c.run('MATCH (d:D) DELETE d');
    await t.db.execute('MATCH (d:D), (e:E) CREATE (d)-[:R]->(e)');
    await expect(c.commit()).rejects.toMatchObject({ code: 'TRANSACTION_CONFLICT' });
    expect(await values('MATCH (:D)-[r:R]->(:E) RETURN count(r)')).toEqual([1n]);

    // A relationship is created to a node another commit deletes.
    const d = t.db.openTransaction();
    await d.run('MATCH (e:E) CREATE (e)-[:TO]->(:F)');
    await t.db.execute('MATCH (e:E) DETACH DELETE e');
    await expect(d.commit()).rejects.toMatchObject({ code: 'TRANSACTION_CONFLICT' });
    expect(await values('MATCH (f:F) RETURN count(f)')).toEqual([0n]);
  });

  it('disjoint writes of concurrent transactions both commit', async () => {
    await t.db.execute('CREATE (:K {id: 1, v: 0}), (:K {id: 2, v: 0})');
    const a = t.db.openTransaction();
    const b = t.db.openTransaction();
    await a.run('MATCH (n:K {id: 1}) SET n.v = 1 CREATE (:FromA)');
    await b.run('MATCH (n:K {id: 2}) SET n.v = 2 CREATE (:FromB)');
    await b.commit();
    await a.commit();
    expect(await values('MATCH (n:K) RETURN n.v ORDER BY n.id')).toEqual([1n, 2n]);
    expect(await values('MATCH (n) WHERE n:FromA OR n:FromB RETURN count(n)')).toEqual([2n]);
  });

  it('enforces the storage quota at commit on the whole transaction', async () => {
    await t.db.execute('CREATE (:Seed)');
    const before = t.store.dumpEntries();
    const quota = t.db.stats().bytes + 3000;
    const tx = t.db.openTransaction({ maxStorageBytes: quota });
    // Each statement alone fits; together they do not.
    for (let i = 0; i < 4; i++) await tx.run('CREATE (:Big {s: $s})', { s: 'x'.repeat(1000) });
    await expect(tx.commit()).rejects.toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
    expect(tx.state).toBe('rolled_back');
    expect(t.store.dumpEntries()).toEqual(before);

    const small = t.db.openTransaction({ maxStorageBytes: quota });
    await small.run('CREATE (:Big {s: $s})', { s: 'x'.repeat(1000) });
    await small.commit();
    expect(await values('MATCH (b:Big) RETURN count(b)')).toEqual([1n]);
  });

  it('a statement error fails the transaction: only rollback is allowed, commit rolls back', async () => {
    const tx = t.db.openTransaction();
    await tx.run('CREATE (:Kept)');
    await expect(tx.run('RETURN 1 / 0')).rejects.toMatchObject({ code: 'CYPHER_ARITHMETIC_ERROR' });
    expect(tx.state).toBe('failed');
    await expect(tx.run('RETURN 1')).rejects.toMatchObject({ code: 'TRANSACTION_FAILED' });
    await expect(tx.commit()).rejects.toMatchObject({ code: 'TRANSACTION_FAILED' });
    expect(tx.state).toBe('rolled_back');
    expect(await values('MATCH (n) RETURN count(n)')).toEqual([0n]);

    const other = t.db.openTransaction();
    await expect(other.run('MATCH (n) RETURN $missing')).rejects.toMatchObject({
      code: 'CYPHER_SEMANTIC_ERROR',
    });
    expect(other.state).toBe('failed');
    await other.rollback();
    expect(other.state).toBe('rolled_back');
  });

  it('a read-only transaction refuses writes (FORBIDDEN) and runs reads on snapshots', async () => {
    await t.db.execute('CREATE (:R {v: 1})');
    const tx = t.db.openTransaction({ accessMode: 'read' });
    expect(asObjects(await tx.run('MATCH (n:R) RETURN n.v AS v'))).toEqual([{ v: 1n }]);
    await expect(tx.run('CREATE (:X)')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(tx.state).toBe('failed');
    await tx.rollback();
    expect(await values('MATCH (x:X) RETURN count(x)')).toEqual([0n]);
  });

  it('MERGE, schema statements and PROFILE inside a transaction', async () => {
    await t.db.execute('CREATE (:M {k: 1})');
    const tx = t.db.openTransaction();
    // MERGE of an existing pattern writes nothing (dry run), a missing one is created.
    await tx.run('MERGE (:M {k: 1})');
    expect(tx.logSize).toBe(0);
    await tx.run('MERGE (:M {k: 2})');
    expect(tx.logSize).toBe(1);
    await tx.run('CREATE INDEX idx_m FOR (m:M) ON (m.k)');
    const prof = await tx.run('PROFILE MATCH (m:M {k: 2}) RETURN m.k AS k');
    expect(asObjects(prof)).toEqual([{ k: 2n }]);
    expect(prof.plan).toBeDefined();
    expect(await t.db.execute('SHOW INDEXES').then((r) => r.rows.length)).toBe(0);
    await tx.commit();
    expect((await t.db.execute('SHOW INDEXES')).rows.length).toBe(1);
    expect(await values('MATCH (m:M) RETURN m.k ORDER BY m.k')).toEqual([1n, 2n]);
  });

  it('statements of one transaction run one at a time, in call order', async () => {
    const tx = t.db.openTransaction();
    const results = await Promise.all([
      tx.run('CREATE (:Seq {i: 1})'),
      tx.run('MATCH (s:Seq) RETURN count(s) AS c'),
      tx.run('CREATE (:Seq {i: 2})'),
      tx.run('MATCH (s:Seq) RETURN count(s) AS c'),
    ]);
    expect(asObjects(results[1]!)).toEqual([{ c: 1n }]);
    expect(asObjects(results[3]!)).toEqual([{ c: 2n }]);
    await tx.commit();
  });

  it('is rolled back after the idle timeout; the whole-transaction timeout gives TRANSACTION_TIMED_OUT', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const endedByTimer: string[] = [];
    const idle = t.db.openTransaction({ idleTimeoutMs: 1000, onEnd: (tx) => endedByTimer.push(tx.state) });
    await idle.run('CREATE (:Idle)');
    expect(t.db.transaction(idle.id)).toBe(idle);
    vi.advanceTimersByTime(900);
    await idle.run('RETURN 1'); // activity resets the idle clock
    vi.advanceTimersByTime(900);
    expect(idle.state).toBe('open');
    vi.advanceTimersByTime(200);
    expect(idle.state).toBe('rolled_back');
    expect(endedByTimer).toEqual(['rolled_back']);
    expect(t.db.transaction(idle.id)).toBeUndefined();
    await expect(idle.run('RETURN 1')).rejects.toMatchObject({
      code: 'TRANSACTION_NOT_FOUND',
      message: expect.stringMatching(/idle/),
    });

    const timed = t.db.openTransaction({ timeoutMs: 5000, idleTimeoutMs: 0 });
    await timed.run('CREATE (:Timed)');
    vi.advanceTimersByTime(5001);
    expect(timed.state).toBe('rolled_back');
    await expect(timed.commit()).rejects.toMatchObject({ code: 'TRANSACTION_TIMED_OUT' });
    vi.useRealTimers();
    expect(await values('MATCH (n) RETURN count(n)')).toEqual([0n]);
  });

  it('uses the database default idle timeout (transactionIdleTimeoutMs)', async () => {
    await t.close();
    t = await openTxDb({ transactionIdleTimeoutMs: 2000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const tx = t.db.openTransaction();
    vi.advanceTimersByTime(2001);
    expect(tx.state).toBe('rolled_back');
  });

  it('ids are unguessable and lookups see only open transactions; close rolls back', async () => {
    const ended: string[] = [];
    const onEnd = (tx: { id: string; state: string }) => ended.push(`${tx.id}:${tx.state}`);
    const a = t.db.openTransaction({ onEnd });
    const b = t.db.openTransaction({ namespace: 'tenant:x', onEnd });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(t.db.transaction(b.id)?.namespace).toBe('tenant:x');
    expect(t.db.openTransactions()).toBe(2);
    expect(t.db.openTransactions('tenant:x')).toBe(1);
    await a.run('CREATE (:Gone)');
    await a.commit();
    expect(t.db.transaction(a.id)).toBeUndefined();
    expect(ended).toEqual([`${a.id}:committed`]);
    await t.db.close();
    expect(b.state).toBe('rolled_back');
    expect(ended).toEqual([`${a.id}:committed`, `${b.id}:rolled_back`]);
    expect(() => t.db.openTransaction()).toThrow(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }));
    await t.reopen();
  });

  it('the transaction timeout bounds a statement deadline', async () => {
    const tx = t.db.openTransaction({ timeoutMs: 50 });
    await expect(
      tx.run('UNWIND range(1, 100000000) AS x WITH x WHERE x < 0 RETURN count(x)'),
    ).rejects.toMatchObject({ code: 'TRANSACTION_TIMED_OUT' });
    expect(tx.state).toBe('rolled_back');
  });
});

describe('transaction cursors', () => {
  it('stream() inside a transaction hands out the statement’s rows in batches', async () => {
    const tx = t.db.openTransaction();
    const c = await tx.stream('UNWIND range(1, 5) AS i CREATE (n:S {i: i}) RETURN n.i AS i');
    expect(c.isWrite).toBe(true);
    expect((await c.pull(2)).rows).toEqual([[1n], [2n]]);
    expect(await c.pull(10)).toEqual({ rows: [[3n], [4n], [5n]], done: true });
    expect(c.summary().stats.nodesCreated).toBe(5);
    const read = await tx.stream('MATCH (n:S) RETURN count(n) AS c');
    expect(await read.pull(1)).toEqual({ rows: [[5n]], done: true });
    await tx.rollback();
  });
});
