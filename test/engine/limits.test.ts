import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
  await t.db.execute('UNWIND range(1, 300) AS i CREATE (:N {i: i})');
});
afterEach(async () => {
  await t.close();
});

const HEAVY = 'MATCH (a:N), (b:N), (c:N) RETURN count(*) AS c';

describe('limits', () => {
  it('stops a long read query with QUERY_TIMEOUT', async () => {
    const started = Date.now();
    await expect(t.db.execute(HEAVY, {}, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'QUERY_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops a long write query with QUERY_TIMEOUT and writes nothing', async () => {
    await expect(
      t.db.execute(
        'MATCH (a:N), (b:N), (c:N) WITH count(*) AS c CREATE (:Done {c: c})',
        {},
        { timeoutMs: 100 },
      ),
    ).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
    expect((await t.db.execute('MATCH (d:Done) RETURN count(d)')).rows).toEqual([[0n]]);
  });

  it('checks the timeout while unwinding a long list', async () => {
    await expect(
      t.db.execute('UNWIND range(1, 3000000) AS x WITH x WHERE x < 0 RETURN count(*)', {}, { timeoutMs: 30 }),
    ).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
  });

  it('applies the write timeout to statements that write, and only to them', async () => {
    const limits = { timeoutMs: 60_000, writeTimeoutMs: 20 };
    const LONG = 'UNWIND range(1, 1000000) AS x WITH x WHERE x < 0';
    await expect(t.db.execute(`${LONG} CREATE (:Done)`, {}, limits)).rejects.toMatchObject({
      code: 'QUERY_TIMEOUT',
    });
    expect((await t.db.execute('MATCH (d:Done) RETURN count(d)')).rows).toEqual([[0n]]);
    const started = Date.now();
    const read = await t.db.execute(`${LONG} RETURN count(*) AS c`, {}, limits);
    expect(read.rows).toEqual([[0n]]);
    // The read ran longer than the write timeout, so that timeout was not applied to it.
    expect(Date.now() - started).toBeGreaterThan(20);
  });

  it('the database-wide write timeout applies when the call sets none', async () => {
    const db = await openTestDb({ queryTimeoutMs: 60_000, writeTimeoutMs: 20 });
    try {
      await expect(
        db.db.execute('UNWIND range(1, 1000000) AS x WITH x WHERE x < 0 CREATE (:Done)'),
      ).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
    } finally {
      await db.close();
    }
  });

  it('stops a read with QUERY_CANCELLED once the caller says it is cancelled', async () => {
    let cancelled = false;
    setTimeout(() => (cancelled = true), 30);
    const started = Date.now();
    await expect(t.db.execute(HEAVY, {}, { isCancelled: () => cancelled })).rejects.toMatchObject({
      code: 'QUERY_CANCELLED',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    // Not cancelled: the same query completes.
    const r = await t.db.execute('MATCH (a:N) RETURN count(*) AS c', {}, { isCancelled: () => false });
    expect(r.rows).toEqual([[300n]]);
  });

  it('caps intermediate rows with QUERY_MEMORY_LIMIT', async () => {
    await expect(
      t.db.execute('MATCH (a:N), (b:N) RETURN a.i, b.i ORDER BY a.i', {}, { maxIntermediateRows: 1000 }),
    ).rejects.toMatchObject({ code: 'QUERY_MEMORY_LIMIT' });
    // Streaming aggregation holds one group, so the same product fits under the cap.
    const r = await t.db.execute('MATCH (a:N), (b:N) RETURN count(*)', {}, { maxIntermediateRows: 1000 });
    expect(r.rows).toEqual([[90000n]]);
  });

  it('database defaults apply when the call gives none', async () => {
    const strict = await openTestDb({ queryTimeoutMs: 50 });
    try {
      await strict.db.execute('UNWIND range(1, 300) AS i CREATE (:N)');
      await expect(strict.db.execute(HEAVY)).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
    } finally {
      await strict.close();
    }
  });

  it('a long read query yields the event loop while it runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    // ~450,000 combinations: hundreds of milliseconds even on a fast machine.
    await t.db.execute('MATCH (a:N), (b:N), (c:N) WHERE a.i < 5 RETURN count(*)');
    clearInterval(timer);
    // A query that held the event loop would let at most one tick through.
    expect(ticks).toBeGreaterThan(3);
  });
});

describe('ORDER BY with LIMIT', () => {
  it('keeps only the top rows, so the row cap is not reached', async () => {
    const r = await t.db.execute(
      'MATCH (a:N), (b:N) RETURN a.i * 1000 + b.i AS v ORDER BY v DESC SKIP 1 LIMIT 3',
      {},
      {
        maxIntermediateRows: 1000,
      },
    );
    expect(r.rows).toEqual([[300299n], [300298n], [300297n]]);
    expect(r.plan).toBeUndefined();
    const plan = (await t.db.execute('EXPLAIN MATCH (a:N) RETURN a ORDER BY a.i LIMIT 5')).plan;
    expect(JSON.stringify(plan)).toContain('"operator":"Top"');
  });
});
