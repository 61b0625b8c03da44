import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Nexus } from '../../src/engine/index.js';
import { NexusError } from '../../src/errors.js';
import { MemoryStore } from './support/memory-store.js';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(async () => {
  await t.close();
});

async function count(): Promise<bigint> {
  return (await t.db.execute('MATCH (n) RETURN count(n)')).rows[0]![0] as bigint;
}

describe('transactions', () => {
  it('a query failing halfway leaves nothing behind', async () => {
    await t.db.execute('CREATE (:Keep)');
    await expect(t.db.execute('UNWIND [1, 2, 0] AS x CREATE (:T {v: 10 / x})')).rejects.toMatchObject({
      code: 'CYPHER_ARITHMETIC_ERROR',
    });
    expect(await count()).toBe(1n);
    await expect(
      t.db.execute('MATCH (k:Keep) SET k.a = 1 WITH k CREATE (:U) WITH k DELETE k WITH k RETURN k.a'),
    ).rejects.toMatchObject({ code: 'CYPHER_ENTITY_NOT_FOUND' });
    expect(await t.rows('MATCH (n) RETURN labels(n) AS l, n.a AS a')).toEqual([{ l: ['Keep'], a: null }]);
  });

  it('read access mode refuses a write query before running it', async () => {
    const err = await t.db.execute('CREATE (:X)', {}, { accessMode: 'read' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusError);
    expect((err as NexusError).code).toBe('FORBIDDEN');
    expect(await count()).toBe(0n);
    const r = await t.db.execute('MATCH (n) RETURN n', {}, { accessMode: 'read' });
    expect(r.isWrite).toBe(false);
  });

  it('isWrite comes from the plan, not keywords', async () => {
    expect((await t.db.execute("RETURN 'CREATE (x)' AS s")).isWrite).toBe(false);
    expect((await t.db.execute('MATCH (n) SET n.x = 1')).isWrite).toBe(true);
  });

  it('enforces the storage quota for the whole query', async () => {
    const err = await t.db
      .execute(
        "UNWIND range(1, 200) AS i CREATE (:Big {s: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'})",
        {},
        { maxStorageBytes: 1000 },
      )
      .catch((e: unknown) => e);
    expect((err as NexusError).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await count()).toBe(0n);
  });

  it('a read sees a consistent snapshot while a write commits', async () => {
    await t.db.execute('UNWIND range(1, 3000) AS i CREATE (:N)');
    const reading = t.db.execute('MATCH (a:N) MATCH (b:N) WHERE id(b) = id(a) RETURN count(*) AS c');
    const writing = t.db.execute('CREATE (:N)');
    const [r] = await Promise.all([reading, writing]);
    expect(r.rows[0]![0]).toBe(3000n);
    expect(await count()).toBe(3001n);
  });
});

describe('MERGE dry run', () => {
  it('a MERGE that matches completes without a write transaction', async () => {
    const store = new MemoryStore();
    let writes = 0;
    const handle = store.namespace('default');
    const write = handle.write.bind(handle);
    handle.write = ((fn, opts) => {
      writes++;
      return write(fn, opts);
    }) as typeof handle.write;
    const db = Nexus.fromStore(store);
    const first = await db.execute("MERGE (c:City {name: 'Oslo'}) RETURN c.name");
    expect(first.stats.nodesCreated).toBe(1);
    expect(writes).toBe(1);
    const again = await db.execute("MERGE (c:City {name: 'Oslo'}) RETURN c.name");
    expect(again.rows).toEqual([['Oslo']]);
    expect(again.stats.nodesCreated).toBe(0);
    expect(writes).toBe(1);
    // ON MATCH SET must write: the dry run gives way to a real transaction.
    const set = await db.execute("MERGE (c:City {name: 'Oslo'}) ON MATCH SET c.n = 1 RETURN c.n");
    expect(set.rows).toEqual([[1n]]);
    expect(set.stats.propertiesSet).toBe(1);
    expect(writes).toBe(2);
  });
});
