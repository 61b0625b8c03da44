import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import type { GraphStore, NamespaceHandle } from '../../src/storage/index.js';
import { openTempStore, props, type TempStore } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof NexusError ? err.code : `not a NexusError: ${String(err)}`;
  }
  return undefined;
}

async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof NexusError ? err.code : `not a NexusError: ${String(err)}`;
  }
  return undefined;
}

describe('GraphStore', () => {
  let t: TempStore;
  let store: GraphStore;
  let ns: NamespaceHandle;

  beforeEach(async () => {
    t = await openTempStore();
    store = t.store;
    ns = store.namespace('default');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  describe('nodes and relationships', () => {
    it('creates and reads nodes with labels and typed properties', async () => {
      const id = await ns.write((tx) =>
        tx.createNode(
          ['Person', 'Admin', 'Person'],
          props({ name: 'Ann', age: 42n, score: 1.0, ok: true, tags: ['a', 2n, 2.5, false], empty: [] }),
        ),
      );
      expect(id).toBe(0);
      const node = ns.read((tx) => tx.getNode(id));
      expect(node?.labels).toEqual(['Person', 'Admin']);
      expect(node?.properties.get('name')).toBe('Ann');
      expect(node?.properties.get('age')).toBe(42n);
      // 1.0 stays a float and 42 stays an integer.
      expect(typeof node?.properties.get('score')).toBe('number');
      expect(node?.properties.get('tags')).toEqual(['a', 2n, 2.5, false]);
      expect(node?.properties.get('empty')).toEqual([]);
      expect(node?.properties.get('ok')).toBe(true);
      expect(ns.read((tx) => tx.getNode(99))).toBeUndefined();
      expect(ns.read((tx) => tx.getNode(-1))).toBeUndefined();
    });

    it('updates properties and labels', async () => {
      const id = await ns.write((tx) => tx.createNode(['A'], props({ x: 1n, y: 'keep' })));
      await ns.write((tx) => {
        tx.setNodeProperty(id, 'x', 2.5);
        tx.setNodeProperty(id, 'y', null);
        tx.setNodeProperty(id, 'z', 'new');
        tx.addNodeLabels(id, ['B', 'A']);
        tx.removeNodeLabels(id, ['A', 'Missing']);
      });
      let node = ns.read((tx) => tx.getNode(id))!;
      expect(node.labels).toEqual(['B']);
      expect([...node.properties]).toEqual([
        ['x', 2.5],
        ['z', 'new'],
      ]);
      await ns.write((tx) => tx.replaceNodeProperties(id, props({ only: 7n })));
      node = ns.read((tx) => tx.getNode(id))!;
      expect([...node.properties]).toEqual([['only', 7n]]);
      ns.read((tx) => {
        expect(tx.labels()).toEqual(['B']);
        expect(tx.propertyKeys()).toEqual(['only']);
        expect(tx.countNodesByLabel('A')).toBe(0);
        expect(tx.countNodesByLabel('B')).toBe(1);
      });
    });

    it('creates relationships and expands them by direction and type', async () => {
      const ids = await ns.write((tx) => {
        const a = tx.createNode(['N'], props());
        const b = tx.createNode(['N'], props());
        const c = tx.createNode(['N'], props());
        const ab = tx.createRelationship('KNOWS', a, b, props({ since: 2020n }));
        const ac = tx.createRelationship('LIKES', a, c, props());
        const ca = tx.createRelationship('KNOWS', c, a, props());
        const aa = tx.createRelationship('SELF', a, a, props());
        return { a, b, c, ab, ac, ca, aa };
      });
      const { a, b, c, ab, ac, ca, aa } = ids;
      ns.read((tx) => {
        expect(tx.getRelationship(ab)).toEqual({
          id: ab,
          type: 'KNOWS',
          start: a,
          end: b,
          properties: new Map([['since', 2020n]]),
        });
        const out = [...tx.expand(a, 'out')];
        expect(out.map((e) => e.rel).sort()).toEqual([ab, ac, aa].sort());
        expect(out.every((e) => e.direction === 'out')).toBe(true);
        expect([...tx.expand(a, 'out', ['KNOWS'])]).toEqual([
          { rel: ab, type: 'KNOWS', other: b, direction: 'out' },
        ]);
        expect([...tx.expand(a, 'in', ['KNOWS', 'NOPE'])]).toEqual([
          { rel: ca, type: 'KNOWS', other: c, direction: 'in' },
        ]);
        // The self-loop appears once under 'both', as 'out'.
        const both = [...tx.expand(a, 'both')];
        expect(both.filter((e) => e.rel === aa)).toEqual([
          { rel: aa, type: 'SELF', other: a, direction: 'out' },
        ]);
        expect(both).toHaveLength(4);
        expect(tx.degree(a, 'both')).toBe(4);
        expect(tx.degree(a, 'out')).toBe(3);
        expect(tx.degree(a, 'in')).toBe(2);
        expect(tx.degree(a, 'out', ['LIKES'])).toBe(1);
        expect(tx.degree(b, 'in')).toBe(1);
        expect([...tx.expand(a, 'both', ['UNKNOWN'])]).toEqual([]);
        expect([...tx.scanRelationships()]).toEqual([ab, ac, ca, aa]);
        expect([...tx.scanRelationshipsByType!('KNOWS')]).toEqual([ab, ca]);
        expect(tx.relationshipTypes()).toEqual(['KNOWS', 'LIKES', 'SELF']);
        expect(tx.stats()).toMatchObject({ nodes: 3, relationships: 4 });
      });
      await ns.write((tx) => {
        tx.deleteRelationship(aa);
        tx.setRelationshipProperty(ab, 'since', 1999n);
        tx.setRelationshipProperty(ab, 'w', 0.5);
        tx.replaceRelationshipProperties(ac, props({ k: 'v' }));
      });
      ns.read((tx) => {
        expect(tx.getRelationship(aa)).toBeUndefined();
        expect([...tx.getRelationship(ab)!.properties]).toEqual([
          ['since', 1999n],
          ['w', 0.5],
        ]);
        expect([...tx.getRelationship(ac)!.properties]).toEqual([['k', 'v']]);
        expect(tx.relationshipTypes()).toEqual(['KNOWS', 'LIKES']);
        expect(tx.degree(a, 'both')).toBe(3);
      });
    });

    it('reads a node with a single LMDB get once the catalog is cached', async () => {
      await ns.write((tx) => tx.createNode(['A', 'B'], props({ x: 1n, y: 'two' })));
      ns.read((tx) => tx.getNode(0));
      const db = store.data as unknown as { getBinaryFast: (...args: unknown[]) => unknown };
      const original = db.getBinaryFast;
      let calls = 0;
      db.getBinaryFast = function (this: unknown, ...args: unknown[]) {
        calls++;
        return original.apply(this, args);
      };
      try {
        const node = ns.read((tx) => tx.getNode(0));
        expect(node?.labels).toEqual(['A', 'B']);
        expect(calls).toBe(1);
      } finally {
        db.getBinaryFast = original;
      }
    });

    it('lists ids in ascending order past 255 (ordered id encoding)', async () => {
      await ns.write((tx) => {
        for (let i = 0; i < 300; i++) tx.createNode(i % 2 === 0 ? ['Even'] : [], props());
      });
      const ids = ns.read((tx) => [...tx.scanNodes()]);
      expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i));
      const even = ns.read((tx) => [...tx.scanNodesByLabel('Even')]);
      expect(even).toEqual(Array.from({ length: 150 }, (_, i) => i * 2));
      expect(ns.read((tx) => tx.countNodesByLabel('Even'))).toBe(150);
    });

    it('refuses to delete a node that still has relationships', async () => {
      const { a, r } = await ns.write((tx) => {
        const a = tx.createNode([], props());
        const b = tx.createNode([], props());
        return { a, r: tx.createRelationship('R', b, a, props()) };
      });
      expect(await rejectionCode(ns.write((tx) => tx.deleteNode(a)))).toBe('CONSTRAINT_VIOLATION');
      await ns.write((tx) => {
        tx.deleteRelationship(r);
        tx.deleteNode(a);
      });
      expect(ns.read((tx) => tx.getNode(a))).toBeUndefined();
      expect(ns.stats()).toMatchObject({ nodes: 1, relationships: 0 });
    });

    it('reports missing entities as NOT_FOUND and bad values as INVALID_PARAMETER', async () => {
      const a = await ns.write((tx) => tx.createNode([], props()));
      const cases: [string, Parameters<NamespaceHandle['write']>[0]][] = [
        ['rel to missing node', (tx) => tx.createRelationship('R', a, 42, props())],
        ['rel from missing node', (tx) => tx.createRelationship('R', 42, a, props())],
        ['set on missing node', (tx) => tx.setNodeProperty(42, 'x', 1n)],
        ['delete missing node', (tx) => tx.deleteNode(42)],
        ['delete missing rel', (tx) => tx.deleteRelationship(0)],
        ['label missing node', (tx) => tx.addNodeLabels(7, ['X'])],
        ['set on missing rel', (tx) => tx.setRelationshipProperty(3, 'x', 1n)],
      ];
      for (const [name, fn] of cases) expect(await rejectionCode(ns.write(fn)), name).toBe('NOT_FOUND');
      expect(await rejectionCode(ns.write((tx) => tx.createNode([], props({ big: 2n ** 63n }))))).toBe(
        'INVALID_PARAMETER',
      );
      expect(
        await rejectionCode(ns.write((tx) => tx.createNode([], new Map([['o', {} as unknown as string]])))),
      ).toBe('INVALID_PARAMETER');
      expect(
        await rejectionCode(
          ns.write((tx) => tx.createNode([], new Map([['l', [[1n]] as unknown as string[]]]))),
        ),
      ).toBe('INVALID_PARAMETER');
      expect(await rejectionCode(ns.write((tx) => tx.createNode([''], props())))).toBe('INVALID_PARAMETER');
      expect(codeOf(() => ns.read((tx) => tx.indexSeek('X', 'y', 1n)))).toBe('NOT_FOUND');
      expect(codeOf(() => store.namespace(''))).toBe('INVALID_PARAMETER');
      expect(codeOf(() => store.namespace('n'.repeat(2000)))).toBe('INVALID_PARAMETER');
      expect(await rejectionCode(ns.write((tx) => tx.createNode(['L'.repeat(1025)], props())))).toBe(
        'INVALID_PARAMETER',
      );
      expect(
        await rejectionCode(ns.write((tx) => tx.createNode([], props({ ['k'.repeat(1025)]: 1n })))),
      ).toBe('INVALID_PARAMETER');
      // A long name within the limit works.
      const long = 'é'.repeat(512);
      await ns.write((tx) => tx.createNode([long], props({ [long]: 1n })));
      expect(ns.read((tx) => tx.labels())).toEqual([long]);
      expect(await rejectionCode(store.systemTable('t').put('k'.repeat(1900), 1))).toBe('INVALID_PARAMETER');
      expect(await rejectionCode(store.systemTable('t').put('k', undefined))).toBe('INVALID_PARAMETER');
    });
  });

  describe('transactions', () => {
    it('sees its own writes inside the transaction', async () => {
      await ns.write((tx) => {
        const a = tx.createNode(['L'], props({ k: 'v' }));
        expect(tx.getNode(a)?.properties.get('k')).toBe('v');
        expect([...tx.scanNodesByLabel('L')]).toEqual([a]);
        expect(tx.labels()).toEqual(['L']);
        expect(tx.stats().nodes).toBe(1);
        tx.deleteNode(a);
        expect(tx.getNode(a)).toBeUndefined();
        expect(tx.labels()).toEqual([]);
        expect(ns.read((inner) => inner.stats().nodes)).toBe(0);
      });
    });

    it('leaves the environment byte-for-byte unchanged when the write throws halfway', async () => {
      await ns.write((tx) => {
        const a = tx.createNode(['Keep'], props({ v: 1n }));
        tx.createIndex('Keep', 'v');
        tx.createRelationship('R', a, a, props());
      });
      await store.systemTable<number>('t').put('k', 1);
      const before = store.dumpEntries();
      const err = await ns
        .write((tx) => {
          const b = tx.createNode(['New', 'Keep'], props({ v: 2n, fresh: 'x' }));
          tx.createRelationship('NEWTYPE', b, 0, props());
          tx.setNodeProperty(0, 'v', 5n);
          tx.createIndex('New', 'fresh');
          throw new Error('boom');
        })
        .catch((e: unknown) => e);
      expect((err as Error).message).toBe('boom');
      expect(store.dumpEntries()).toEqual(before);
      // The failed write's catalog entries did not leak into the cache either.
      ns.read((tx) => {
        expect(tx.labels()).toEqual(['Keep']);
        expect([...tx.scanNodesByLabel('New')]).toEqual([]);
        expect(tx.relationshipTypes()).toEqual(['R']);
      });
      // A new namespace created by a failed write is rolled back as well.
      const before2 = store.dumpEntries();
      await store
        .namespace('tenant:new')
        .write((tx) => {
          tx.createNode(['X'], props());
          throw new Error('no');
        })
        .catch(() => undefined);
      expect(store.dumpEntries()).toEqual(before2);
      expect(store.namespaces()).toEqual(['default']);
      // ...and the next write there still works and gets its own id space.
      expect(await store.namespace('tenant:new').write((tx) => tx.createNode(['Y'], props()))).toBe(0);
      expect(store.namespace('tenant:new').read((tx) => tx.labels())).toEqual(['Y']);
    });

    it('enforces maxBytes only when the namespace grows past it', async () => {
      await ns.write((tx) => tx.createNode([], props({ s: 'x'.repeat(100) })));
      const size = ns.stats().bytes;
      expect(size).toBeGreaterThan(100);
      const before = store.dumpEntries();
      const err = await ns
        .write((tx) => tx.createNode([], props({ s: 'y'.repeat(100) })), { maxBytes: size + 50 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NexusError);
      expect((err as NexusError).code).toBe('STORAGE_QUOTA_EXCEEDED');
      expect(store.dumpEntries()).toEqual(before);
      // Already over the quota: shrinking (or staying level) is still allowed.
      await ns.write((tx) => tx.setNodeProperty(0, 's', 'z'), { maxBytes: 10 });
      expect(ns.stats().bytes).toBeLessThan(size);
      const small = ns.stats().bytes;
      await ns.write((tx) => tx.setNodeProperty(0, 's', 'q'), { maxBytes: 10 });
      expect(ns.stats().bytes).toBe(small);
      // Within the quota: fine.
      await ns.write((tx) => tx.createNode([], props()), { maxBytes: small + 1000 });
      expect(ns.stats().nodes).toBe(2);
    });

    it('refuses asynchronous and nested write callbacks', async () => {
      expect(await rejectionCode(ns.write(async (tx) => tx.createNode([], props())))).toBe('INTERNAL_ERROR');
      expect(ns.stats().nodes).toBe(0);
      let inner: Promise<unknown> | undefined;
      await ns.write((tx) => {
        tx.createNode([], props());
        inner = store.namespace('other').write((o) => o.createNode([], props()));
      });
      expect(await rejectionCode(inner!)).toBe('INTERNAL_ERROR');
      expect(ns.stats().nodes).toBe(1);
      expect(store.namespace('other').stats().nodes).toBe(0);
    });

    it('gives a long read a consistent snapshot while writes commit', async () => {
      await ns.write((tx) => tx.createNode(['A'], props({ v: 1n })));
      const snap = ns.beginRead();
      try {
        await ns.write((tx) => {
          tx.setNodeProperty(0, 'v', 2n);
          tx.createNode(['A'], props());
        });
        // Awaited commit above; the snapshot still shows the old state.
        await new Promise((r) => setTimeout(r, 5));
        expect(snap.getNode(0)?.properties.get('v')).toBe(1n);
        expect([...snap.scanNodes()]).toEqual([0]);
        expect(snap.countNodesByLabel('A')).toBe(1);
        expect(snap.stats().nodes).toBe(1);
        expect(ns.read((tx) => tx.getNode(0)?.properties.get('v'))).toBe(2n);
        expect(ns.read((tx) => [...tx.scanNodes()])).toEqual([0, 1]);
      } finally {
        snap.close();
      }
      expect(ns.beginRead().stats().nodes).toBe(2);
    });

    it('a snapshot taken before a namespace exists stays empty', async () => {
      const fresh = store.namespace('tenant:late');
      const snap = fresh.beginRead();
      await fresh.write((tx) => tx.createNode([], props()));
      expect([...snap.scanNodes()]).toEqual([]);
      snap.close();
      expect(fresh.read((tx) => [...tx.scanNodes()])).toEqual([0]);
    });
  });

  describe('namespaces', () => {
    it('isolates namespaces that use the same names, with ids per namespace', async () => {
      const a = store.namespace('tenant:a');
      const b = store.namespace('tenant:b');
      const ida = await a.write((tx) => {
        const x = tx.createNode(['Person'], props({ name: 'A' }));
        tx.createRelationship('KNOWS', x, x, props());
        tx.createIndex('Person', 'name');
        return x;
      });
      const idb = await b.write((tx) => [
        tx.createNode(['Other'], props({ other: 1n })),
        tx.createNode(['Person'], props({ name: 'B' })),
      ]);
      // Ids start at 0 in each namespace.
      expect(ida).toBe(0);
      expect(idb).toEqual([0, 1]);
      a.read((tx) => {
        expect(tx.getNode(0)?.properties.get('name')).toBe('A');
        expect(tx.getNode(1)).toBeUndefined();
        expect(tx.labels()).toEqual(['Person']);
        expect(tx.propertyKeys()).toEqual(['name']);
        expect(tx.relationshipTypes()).toEqual(['KNOWS']);
        expect([...tx.indexSeek('Person', 'name', 'B')]).toEqual([]);
        expect([...tx.indexSeek('Person', 'name', 'A')]).toEqual([0]);
      });
      b.read((tx) => {
        expect(tx.getNode(0)?.labels).toEqual(['Other']);
        expect([...tx.scanNodesByLabel('Person')]).toEqual([1]);
        expect(tx.labels()).toEqual(['Other', 'Person']);
        expect(tx.relationshipTypes()).toEqual([]);
        expect([...tx.scanRelationships()]).toEqual([]);
        expect(tx.indexes()).toEqual([]);
        expect(tx.findIndex('Person', 'name')).toBeUndefined();
        expect([...tx.expand(0, 'both')]).toEqual([]);
      });
      // Same index name in another namespace is no conflict.
      await b.write((tx) => tx.createIndex('Person', 'name'));
      expect(b.read((tx) => [...tx.indexSeek('Person', 'name', 'B')])).toEqual([1]);
      expect(store.namespaces()).toEqual(['tenant:a', 'tenant:b']);
      expect(a.stats().nodes).toBe(1);
      expect(b.stats().nodes).toBe(2);
    });

    it('starts every data key with the namespace id', async () => {
      await store.namespace('n0').write((tx) => tx.createNode(['L'], props({ k: 1n })));
      await store.namespace('n1').write((tx) => {
        const x = tx.createNode(['L'], props({ k: 1n }));
        tx.createRelationship('T', x, x, props());
        tx.createIndex('L', 'k');
      });
      const keys = [...store.dumpEntries().keys()].filter((k) => k.startsWith('data:'));
      expect(keys.length).toBeGreaterThan(10);
      // Namespace ids are allocated in order of first write (n0 → 0, n1 → 1), as a
      // fixed-width 4-byte prefix.
      const n0 = keys.filter((k) => k.startsWith('data:00000000'));
      const n1 = keys.filter((k) => k.startsWith('data:00000001'));
      expect(n0.length + n1.length).toBe(keys.length);
      expect(n1.length).toBeGreaterThan(n0.length);
    });
  });

  describe('system tables', () => {
    it('stores JSON values by key, lists by prefix and keeps tables apart', async () => {
      const keys = store.systemTable<{ n: number; tags: string[] }>('api_keys');
      const outbox = store.systemTable<number>('usage_outbox');
      await keys.put('k:2', { n: 2, tags: ['b'] });
      await keys.put('k:1', { n: 1, tags: ['a'] });
      await keys.put('x', { n: 3, tags: [] });
      await outbox.put('k:9', 9);
      expect(keys.get('k:1')).toEqual({ n: 1, tags: ['a'] });
      expect(keys.get('missing')).toBeUndefined();
      expect([...keys.entries('k:')].map(([k]) => k)).toEqual(['k:1', 'k:2']);
      expect([...keys.entries()].map(([k]) => k)).toEqual(['k:1', 'k:2', 'x']);
      expect([...outbox.entries()]).toEqual([['k:9', 9]]);
      expect(await keys.remove('k:1')).toBe(true);
      expect(await keys.remove('k:1')).toBe(false);
      expect(keys.get('k:1')).toBeUndefined();
      // System tables are outside every namespace.
      expect(store.namespaces()).toEqual([]);
    });

    it('applies a batch of puts and removes in one commit, or none of it', async () => {
      const table = store.systemTable<number>('usage_outbox');
      await table.put('draft', 7);
      const commits = () => store.dumpEntries().size;
      await table.batch!([{ key: 'report:1', value: 1 }, { key: 'report:2', value: 2 }, { key: 'draft' }]);
      expect([...table.entries()]).toEqual([
        ['report:1', 1],
        ['report:2', 2],
      ]);
      const before = commits();
      // One bad value (not JSON-serialisable) or key refuses the whole batch: nothing written.
      expect(
        await rejectionCode(
          table.batch!([
            { key: 'report:3', value: 3 },
            { key: 'report:1', value: undefined },
            { key: 'x', value: (() => 1) as unknown as number },
          ]),
        ),
      ).toBe('INVALID_PARAMETER');
      expect(
        await rejectionCode(
          table.batch!([
            { key: 'report:4', value: 4 },
            { key: 'k'.repeat(1900), value: 1 },
          ]),
        ),
      ).toBe('INVALID_PARAMETER');
      expect(commits()).toBe(before);
      expect([...table.entries()].map(([k]) => k)).toEqual(['report:1', 'report:2']);
    });

    it('persists across reopen', async () => {
      await store.systemTable<string>('t').put('a', 'b');
      await ns.write((tx) => tx.createNode(['L'], props({ x: 1n })));
      await store.close();
      const { GraphStore } = await import('../../src/storage/index.js');
      const reopened = await GraphStore.open({ path: t.path });
      t.store = reopened;
      expect(reopened.systemTable<string>('t').get('a')).toBe('b');
      expect(reopened.namespace('default').read((tx) => tx.getNode(0)?.properties.get('x'))).toBe(1n);
      expect(reopened.namespace('default').read((tx) => tx.labels())).toEqual(['L']);
      // The id allocator continues after the reopen.
      expect(await reopened.namespace('default').write((tx) => tx.createNode([], props()))).toBe(1);
    });
  });
});
