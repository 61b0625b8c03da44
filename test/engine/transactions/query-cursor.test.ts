import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Nexus } from '../../../src/engine/index.js';
import type { NexusStore } from '../../../src/engine/nexus.js';
import type { NamespaceHandle } from '../../../src/storage/types.js';
import { openTxDb, type TxDb } from './tx-db.js';

let t: TxDb;
beforeEach(async () => {
  t = await openTxDb();
});
afterEach(async () => {
  await t.close();
});

describe('stream() cursors', () => {
  it('pull(n) hands out at most n rows; done is exact; pull after done is empty', async () => {
    const c = await t.db.stream('UNWIND range(1, 10) AS x RETURN x, x * 2 AS y');
    expect(c.columns).toEqual(['x', 'y']);
    expect(c.isWrite).toBe(false);
    const a = await c.pull(3);
    expect(a).toEqual({
      rows: [
        [1n, 2n],
        [2n, 4n],
        [3n, 6n],
      ],
      done: false,
    });
    const b = await c.pull(7);
    expect(b.rows.map((r) => r[0])).toEqual([4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(b.done).toBe(true);
    expect(await c.pull(5)).toEqual({ rows: [], done: true });
    const all = await t.db.stream('UNWIND range(1, 4) AS x RETURN x');
    expect(await all.pull(0)).toEqual({ rows: [[1n], [2n], [3n], [4n]], done: true });
    const empty = await t.db.stream('MATCH (n:Nothing) RETURN n');
    expect(await empty.pull(10)).toEqual({ rows: [], done: true });
  });

  it('streams 100k rows without holding them: the row cap and the memory budget apply per pull', async () => {
    await t.db.execute('CREATE (:Row {s: "a property of the node returned in every row"})');
    const query = 'MATCH (r:Row) UNWIND range(1, 100000) AS i RETURN i, "row-" + toString(i) AS s, r AS node';
    const limits = { maxIntermediateRows: 5000, maxQueryMemoryBytes: 4 * 1024 * 1024 };
    // Built up front, the result is over both limits...
    await expect(t.db.execute(query, {}, limits)).rejects.toMatchObject({ code: 'QUERY_MEMORY_LIMIT' });
    // ...streamed, it never holds more than one pull (plus one row read ahead).
    const c = await t.db.stream(query, {}, limits);
    let seen = 0;
    let sum = 0n;
    let done = false;
    while (!done) {
      const batch = await c.pull(1000);
      expect(batch.rows.length).toBeLessThanOrEqual(1000);
      expect((c as unknown as { rowsHeld: number }).rowsHeld).toBeLessThanOrEqual(1);
      for (const row of batch.rows) sum += row[0] as bigint;
      seen += batch.rows.length;
      done = batch.done;
    }
    expect(seen).toBe(100_000);
    expect(sum).toBe((100_000n * 100_001n) / 2n);
    // A single pull of everything is held at once, so it meets the limits again.
    const greedy = await t.db.stream(query, {}, limits);
    await expect(greedy.pull(0)).rejects.toMatchObject({ code: 'QUERY_MEMORY_LIMIT' });
  });

  it('close() mid-way stops the query and frees its snapshot', async () => {
    let open = 0;
    const store: NexusStore = {
      namespace(name) {
        const inner = t.store.namespace(name);
        const handle: NamespaceHandle = {
          namespace: inner.namespace,
          read: (fn) => inner.read(fn),
          write: (fn, o) => inner.write(fn, o),
          stats: () => inner.stats(),
          beginRead() {
            const r = inner.beginRead();
            open++;
            const close = r.close.bind(r);
            r.close = () => {
              open--;
              close();
            };
            return r;
          },
        };
        return handle;
      },
      close: () => Promise.resolve(),
    };
    const db = Nexus.fromStore(store);
    await t.db.execute('UNWIND range(1, 1000) AS i CREATE (:N {i: i})');
    const c = await db.stream('MATCH (n:N) RETURN n.i ORDER BY n.i');
    expect((await c.pull(10)).rows.map((r) => r[0])).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(open).toBe(1);
    c.close();
    expect(open).toBe(0);
    c.close(); // idempotent
    expect(await c.pull(10)).toEqual({ rows: [], done: true });
    // Exhausting a cursor closes its snapshot too.
    const d = await db.stream('MATCH (n:N) RETURN count(n)');
    expect(await d.pull(10)).toEqual({ rows: [[1000n]], done: true });
    expect(open).toBe(0);
  });

  it('a cancelled stream fails with QUERY_CANCELLED; errors surface on pull', async () => {
    let cancelled = false;
    const c = await t.db.stream('UNWIND range(1, 100) AS x RETURN x', {}, { isCancelled: () => cancelled });
    expect((await c.pull(2)).rows).toEqual([[1n], [2n]]);
    cancelled = true;
    await expect(c.pull(2)).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    const bad = await t.db.stream('UNWIND [1, 2, 0] AS x RETURN 10 / x');
    await expect(bad.pull(10)).rejects.toMatchObject({ code: 'CYPHER_ARITHMETIC_ERROR' });
    await expect(t.db.stream('MATCH (n) RETURN $p')).rejects.toMatchObject({ code: 'CYPHER_SEMANTIC_ERROR' });
    await expect(t.db.stream('CREATE (:X)', {}, { accessMode: 'read' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a write statement runs at once and its rows are handed out from a buffer', async () => {
    const c = await t.db.stream('UNWIND range(1, 5) AS i CREATE (n:W {i: i}) RETURN n.i AS i');
    expect(c.isWrite).toBe(true);
    // Already committed before the first pull.
    expect(t.db.stats().nodes).toBe(5);
    expect((await c.pull(2)).rows).toEqual([[1n], [2n]]);
    expect(await c.pull(10)).toEqual({ rows: [[3n], [4n], [5n]], done: true });
    expect(c.summary().stats.nodesCreated).toBe(5);
    const explain = await t.db.stream('EXPLAIN MATCH (n) RETURN n');
    expect(await explain.pull(1)).toEqual({ rows: [], done: true });
    expect(explain.summary().plan).toBeDefined();
  });
});
