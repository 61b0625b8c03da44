/**
 * Group commit: concurrent `write` calls share one durable commit while each stays
 * all-or-nothing on its own, in FIFO order, with exact byte accounting and catalog caches.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { namespacePrefix } from '../../src/storage/key-layout.js';
import { recount } from '../../src/storage/namespace-audit.js';
import type { GraphStore, GraphWriter } from '../../src/storage/index.js';
import { openTempStore, props, type TempStore } from './helpers.js';

function prefixOf(store: GraphStore, name: string): Buffer {
  const id = store.internals.lookupNamespace(name);
  if (id === undefined) throw new Error(`no namespace ${name}`);
  return namespacePrefix(id);
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Data entries of the environment except the registry (namespace ids may differ). */
function dataDump(store: GraphStore): [string, string][] {
  return [...store.dumpEntries()].filter(([k]) => k.startsWith('data:')).sort();
}

describe('group commit', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await openTempStore();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('commits concurrent writes with one synced commit, results in call order', async () => {
    const ns = t.store.namespace('g');
    await ns.write((tx) => tx.createNode(['Warm'], props()));
    const before = t.store.gate.commits;
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ns.write((tx) => tx.createNode(['P'], props({ i: BigInt(i) })))),
    );
    expect(t.store.gate.commits - before).toBe(1);
    // FIFO: ids were allocated in call order.
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(20);
    ns.read((tx) => {
      ids.forEach((id, i) => expect(tx.getNode(id)?.properties.get('i')).toBe(BigInt(i)));
    });
    expect(ns.stats()).toEqual(recount(t.store.data, prefixOf(t.store, 'g')));
  });

  it('commits one batch per event-loop turn, and serves other namespaces round-robin', async () => {
    const flood = t.store.namespace('flood');
    const other = t.store.namespace('other');
    await flood.write((tx) => tx.createNode(['Warm'], props()));
    await other.write((tx) => tx.createNode(['Warm'], props()));
    const before = t.store.gate.commits;
    // 600 writes of one namespace in one turn: three batches (256, 256, 88).
    const order: string[] = [];
    const floodWrites = Array.from({ length: 600 }, (_, i) =>
      flood
        .write((tx) => tx.createNode(['F'], props({ i: BigInt(i) })))
        .then((id) => {
          order.push(`flood-${i}`);
          return id;
        }),
    );
    // Runs after the first batch, in the same turn: the event loop was not held for all three.
    let otherWrite: Promise<number> | undefined;
    let commitsWhenTurned = -1;
    setImmediate(() => {
      commitsWhenTurned = t.store.gate.commits - before;
      otherWrite = other
        .write((tx) => tx.createNode(['O'], props()))
        .then((id) => {
          order.push('other');
          return id;
        });
    });
    const floodIds = await Promise.all(floodWrites);
    await otherWrite;
    expect(commitsWhenTurned).toBe(1);
    expect(t.store.gate.commits - before).toBe(3);
    // The other namespace's write went into the second batch, ahead of the flood's last 88.
    expect(order.indexOf('other')).toBeLessThan(order.indexOf('flood-599'));
    expect(order.indexOf('other')).toBeGreaterThan(order.indexOf('flood-255'));
    // FIFO within the flood.
    expect(floodIds).toEqual([...floodIds].sort((a, b) => a - b));
    expect(flood.stats()).toEqual(recount(t.store.data, prefixOf(t.store, 'flood')));
    expect(other.stats().nodes).toBe(2);
  });

  it('resolves a write only once its data is committed and visible to new snapshots', async () => {
    const ns = t.store.namespace('g');
    const pending = [1, 2, 3].map((i) => ns.write((tx) => tx.createNode(['V'], props({ i: BigInt(i) }))));
    // Queued, not yet committed: a snapshot taken now does not see them.
    expect(ns.stats().nodes).toBe(0);
    const first = await pending[0]!;
    ns.read((tx) => expect(tx.getNode(first)).toBeDefined());
    expect(ns.stats().nodes).toBe(3);
    await Promise.all(pending);
  });

  it('rolls back only the failing member of a batch', async () => {
    const ns = t.store.namespace('g');
    const other = t.store.namespace('h');
    const before = t.store.gate.commits;
    const results = await Promise.all([
      settle(ns.write((tx) => tx.createNode(['Kept'], props({ a: 'x' })))),
      settle(
        ns.write((tx) => {
          // New catalog names inside a failing member must not leak into the caches.
          tx.createNode(['Ghost'], props({ ghostKey: 'y' }));
          throw new NexusError('INVALID_PARAMETER', 'boom');
        }),
      ),
      settle(other.write((tx) => tx.createNode(['Kept'], props({ b: 1n })))),
      settle(ns.write((tx) => tx.createNode(['Kept', 'Late'], props({ a: 'z' })))),
    ]);
    expect(t.store.gate.commits - before).toBe(1);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect((results[1] as { error: unknown }).error).toBeInstanceOf(NexusError);
    ns.read((tx) => {
      expect([...tx.scanNodesByLabel('Kept')]).toHaveLength(2);
      expect([...tx.scanNodesByLabel('Ghost')]).toHaveLength(0);
      expect(tx.labels().sort()).toEqual(['Kept', 'Late']);
      expect(tx.propertyKeys()).toEqual(['a']);
    });
    expect(ns.stats()).toEqual(recount(t.store.data, prefixOf(t.store, 'g')));
    expect(other.stats()).toEqual(recount(t.store.data, prefixOf(t.store, 'h')));
    // The label id the failed member had taken is reused consistently afterwards.
    const ghost = await ns.write((tx) => tx.createNode(['Ghost'], props()));
    ns.read((tx) => expect(tx.getNode(ghost)?.labels).toEqual(['Ghost']));
  });

  it('applies the quota per member: one overflow does not roll back the others', async () => {
    const ns = t.store.namespace('q');
    await ns.write((tx) => tx.createNode(['A'], props({ s: 'seed' })));
    const base = ns.stats().bytes;
    const maxBytes = base + 200;
    const results = await Promise.all([
      settle(ns.write((tx) => tx.createNode(['A'], props({ s: 'small' })), { maxBytes })),
      settle(ns.write((tx) => tx.createNode(['A'], props({ s: 'x'.repeat(1000) })), { maxBytes })),
      settle(ns.write((tx) => tx.createNode(['A'], props({ s: 'small2' })), { maxBytes })),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(((results[1] as { error: unknown }).error as NexusError).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(ns.stats().nodes).toBe(3);
    expect(ns.stats().bytes).toBeLessThanOrEqual(maxBytes);
    expect(ns.stats()).toEqual(recount(t.store.data, prefixOf(t.store, 'q')));
  });

  it('lets a member read its own writes and the writes of earlier members', async () => {
    const ns = t.store.namespace('r');
    const first = ns.write((tx) => tx.createNode(['N'], props({ v: 1n })));
    const second = ns.write((tx) => {
      const seen = [...tx.scanNodesByLabel('N')].length;
      const id = tx.createNode(['N'], props({ v: 2n }));
      const viaRead = ns.read((r) => r.getNode(id)?.properties.get('v'));
      return { seen, viaRead, countNow: tx.stats().nodes };
    });
    await first;
    expect(await second).toEqual({ seen: 1, viaRead: 2n, countNow: 2 });
  });

  it('registers a new namespace once even when its first writes share a batch', async () => {
    const ns = t.store.namespace('fresh');
    const results = await Promise.all([
      settle(
        ns.write(() => {
          throw new NexusError('INVALID_PARAMETER', 'first fails');
        }),
      ),
      settle(ns.write((tx) => tx.createNode(['A'], props()))),
      settle(ns.write((tx) => tx.createNode(['A'], props()))),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    expect(ns.stats().nodes).toBe(2);
    expect(t.store.namespaces()).toEqual(['fresh']);
  });

  it('refuses a write started inside a write callback', async () => {
    const ns = t.store.namespace('n');
    let inner: Promise<unknown> | undefined;
    await ns.write((tx) => {
      inner = ns.write((o) => o.createNode([], props()));
      tx.createNode([], props());
    });
    const r = await settle(inner!);
    expect(r.ok).toBe(false);
    expect(((r as { error: unknown }).error as NexusError).code).toBe('INTERNAL_ERROR');
    expect(ns.stats().nodes).toBe(1);
  });

  it('commits queued writes before a system-table write and before close', async () => {
    const ns = t.store.namespace('o');
    const table = t.store.systemTable<string>('tbl');
    const w = ns.write((tx) => tx.createNode(['A'], props()));
    await table.put('k', 'v');
    // The queued namespace write was committed first (order follows call order).
    expect(ns.stats().nodes).toBe(1);
    await w;
    const late = ns.write((tx) => tx.createNode(['A'], props()));
    await t.store.close();
    await late;
    const { GraphStore } = await import('../../src/storage/index.js');
    t.store = await GraphStore.open({ path: t.path });
    expect(t.store.namespace('o').stats().nodes).toBe(2);
  });
});

type Step =
  | { kind: 'node'; label: string; key: string }
  | { kind: 'rel'; type: string }
  | { kind: 'fail' }
  | { kind: 'big' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('node' as const),
    label: fc.constantFrom('A', 'B', 'C'),
    key: fc.constantFrom('k', 'name', 'x'),
  }),
  fc.record({ kind: fc.constant('rel' as const), type: fc.constantFrom('R', 'S') }),
  fc.constant({ kind: 'fail' as const }),
  fc.constant({ kind: 'big' as const }),
);

/** Runs one member's steps; 'fail' throws, 'big' may overflow the quota. */
function runSteps(tx: GraphWriter, steps: Step[]): number {
  for (const s of steps) {
    if (s.kind === 'node') tx.createNode([s.label], new Map([[s.key, 'v']]));
    else if (s.kind === 'big') tx.createNode(['Big'], new Map([['blob', 'b'.repeat(400)]]));
    else if (s.kind === 'fail') throw new NexusError('INVALID_PARAMETER', 'planned failure');
    else {
      const nodes = [...tx.scanNodes()];
      if (nodes.length >= 2) tx.createRelationship(s.type, nodes[0]!, nodes[nodes.length - 1]!, new Map());
    }
  }
  return tx.stats().nodes;
}

describe('group commit property', () => {
  it('a concurrent batch leaves exactly what sequential writes leave', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 12 }),
        fc.integer({ min: 300, max: 3000 }),
        async (members, quota) => {
          const a = await openTempStore({ sync: false });
          const b = await openTempStore({ sync: false });
          try {
            const name = `t${round++}`;
            const nsA = a.store.namespace(name);
            const nsB = b.store.namespace(name);
            const before = a.store.gate.commits;
            const concurrent = await Promise.all(
              members.map((m) => settle(nsA.write((tx) => runSteps(tx, m), { maxBytes: quota }))),
            );
            expect(a.store.gate.commits - before).toBe(1);
            const sequential = [];
            for (const m of members)
              sequential.push(await settle(nsB.write((tx) => runSteps(tx, m), { maxBytes: quota })));
            expect(concurrent.map((r) => (r.ok ? r.value : 'failed'))).toEqual(
              sequential.map((r) => (r.ok ? r.value : 'failed')),
            );
            expect(dataDump(a.store)).toEqual(dataDump(b.store));
            if (a.store.internals.lookupNamespace(name) !== undefined) {
              expect(nsA.stats()).toEqual(recount(a.store.data, prefixOf(a.store, name)));
              // The caches agree with the data: catalog listings through the cached path.
              expect(nsA.read((tx) => tx.labels().sort())).toEqual(nsB.read((tx) => tx.labels().sort()));
              expect(nsA.read((tx) => tx.propertyKeys().sort())).toEqual(
                nsB.read((tx) => tx.propertyKeys().sort()),
              );
            }
          } finally {
            await a.cleanup();
            await b.cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
