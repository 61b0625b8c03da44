import { describe, expect, it } from 'vitest';
import { Nexus } from '../../../src/engine/index.js';
import { LazyReadTransaction } from '../../../src/engine/runtime/lazy-read-transaction.js';
import { NexusError } from '../../../src/errors.js';
import type { NamespaceHandle, ReadTransaction } from '../../../src/storage/types.js';
import { MemoryStore } from '../support/memory-store.js';

/** A handle whose snapshots are counted (opened and still open). */
function countingHandle(store: MemoryStore): {
  handle: NamespaceHandle;
  opened: () => number;
  open: () => number;
} {
  const handle = store.namespace('default');
  const begin = handle.beginRead.bind(handle);
  let opened = 0;
  let open = 0;
  handle.beginRead = (): ReadTransaction => {
    opened++;
    open++;
    const tx = begin();
    const close = tx.close.bind(tx);
    tx.close = () => {
      open--;
      close();
    };
    return tx;
  };
  return { handle, opened: () => opened, open: () => open };
}

describe('LazyReadTransaction', () => {
  it('opens no snapshot for a statement that never reads the graph', async () => {
    const store = new MemoryStore();
    const counted = countingHandle(store);
    const db = Nexus.fromStore(store);
    expect((await db.execute('RETURN 1 AS one')).rows).toEqual([[1n]]);
    expect((await db.execute('UNWIND $xs AS x RETURN sum(x) AS s', { xs: [1n, 2n] })).rows).toEqual([[3n]]);
    expect(counted.opened()).toBe(0);
  });

  it('opens one snapshot for a statement that reads, and closes it', async () => {
    const store = new MemoryStore();
    const counted = countingHandle(store);
    const db = Nexus.fromStore(store);
    await db.execute('CREATE (:A {v: 1}), (:A {v: 2})');
    const r = await db.execute('MATCH (a:A) WITH a MATCH (b:A) RETURN count(*) AS c, labels(a) AS l');
    expect(r.rows).toEqual([[4n, ['A']]]);
    expect(counted.opened()).toBe(1);
    expect(counted.open()).toBe(0);
    // A failing read query closes its snapshot too.
    await expect(db.execute('MATCH (a:A) RETURN a.v / 0 AS x')).rejects.toMatchObject({
      code: 'CYPHER_ARITHMETIC_ERROR',
    });
    expect(counted.opened()).toBe(2);
    expect(counted.open()).toBe(0);
  });

  it('keeps the snapshot of its first read until it is closed', async () => {
    const store = new MemoryStore();
    const handle = store.namespace('default');
    await handle.write((w) => w.createNode(['A'], new Map()));
    const lazy = new LazyReadTransaction(handle);
    expect(lazy.countNodesByLabel('A')).toBe(1);
    await handle.write((w) => w.createNode(['A'], new Map()));
    // Still the first snapshot: the second node is not visible to this transaction.
    expect([...lazy.scanNodesByLabel('A')]).toHaveLength(1);
    lazy.close();
    const later = new LazyReadTransaction(handle);
    expect(later.countNodesByLabel('A')).toBe(2);
    later.close();
  });

  it('close before any read is harmless; a read after close is refused', () => {
    const store = new MemoryStore();
    const counted = countingHandle(store);
    const lazy = new LazyReadTransaction(counted.handle);
    lazy.close();
    lazy.close();
    expect(counted.opened()).toBe(0);
    expect(() => lazy.labels()).toThrow(NexusError);
    expect(counted.opened()).toBe(0);
  });
});
