import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { namespacePrefix } from '../../src/storage/key-layout.js';
import { recount } from '../../src/storage/namespace-audit.js';
import type { GraphStore, GraphWriter, PropertyValue } from '../../src/storage/index.js';
import { openTempStore, type TempStore } from './helpers.js';

/** One random operation; ids are picked modulo what exists when it runs. */
type Op =
  | { kind: 'createNode'; labels: string[]; props: [string, PropertyValue][] }
  | { kind: 'setNodeProperty'; pick: number; key: string; value: PropertyValue | null }
  | { kind: 'replaceNodeProperties'; pick: number; props: [string, PropertyValue][] }
  | { kind: 'addLabels'; pick: number; labels: string[] }
  | { kind: 'removeLabels'; pick: number; labels: string[] }
  | { kind: 'deleteNode'; pick: number }
  | { kind: 'createRel'; type: string; a: number; b: number; props: [string, PropertyValue][] }
  | { kind: 'setRelProperty'; pick: number; key: string; value: PropertyValue | null }
  | { kind: 'deleteRel'; pick: number }
  | { kind: 'createIndex'; label: string; key: string }
  | { kind: 'dropIndex'; label: string; key: string }
  | { kind: 'fail' };

const label = fc.constantFrom('A', 'B', 'Person', 'Ünïcode');
const key = fc.constantFrom('k', 'name', 'v', 'longer_property_key');
const value: fc.Arbitrary<PropertyValue> = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('x'.repeat(300)),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.bigInt({ min: -9n, max: 9n })), { maxLength: 4 }),
);
const propList = fc.array(fc.tuple(key, value), { maxLength: 4 });
const pick = fc.nat();

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('createNode' as const),
      labels: fc.array(label, { maxLength: 3 }),
      props: propList,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('setNodeProperty' as const),
      pick,
      key,
      value: fc.option(value, { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replaceNodeProperties' as const), pick, props: propList }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('addLabels' as const),
      pick,
      labels: fc.array(label, { maxLength: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('removeLabels' as const),
      pick,
      labels: fc.array(label, { maxLength: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteNode' as const), pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('createRel' as const),
      type: fc.constantFrom('R', 'KNOWS'),
      a: pick,
      b: pick,
      props: propList,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('setRelProperty' as const),
      pick,
      key,
      value: fc.option(value, { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteRel' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createIndex' as const), label, key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropIndex' as const), label, key }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail' as const }) },
);

function choose<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** Applies one op; returns false if it did nothing applicable. */
function apply(tx: GraphWriter, o: Op): void {
  const nodes = [...tx.scanNodes()];
  const rels = [...tx.scanRelationships()];
  switch (o.kind) {
    case 'createNode':
      tx.createNode(o.labels, new Map(o.props));
      return;
    case 'setNodeProperty': {
      const id = choose(nodes, o.pick);
      if (id !== undefined) tx.setNodeProperty(id, o.key, o.value);
      return;
    }
    case 'replaceNodeProperties': {
      const id = choose(nodes, o.pick);
      if (id !== undefined) tx.replaceNodeProperties(id, new Map(o.props));
      return;
    }
    case 'addLabels': {
      const id = choose(nodes, o.pick);
      if (id !== undefined) tx.addNodeLabels(id, o.labels);
      return;
    }
    case 'removeLabels': {
      const id = choose(nodes, o.pick);
      if (id !== undefined) tx.removeNodeLabels(id, o.labels);
      return;
    }
    case 'deleteNode': {
      const id = choose(nodes, o.pick);
      if (id === undefined) return;
      // Detach first, as DETACH DELETE would.
      for (const e of [...tx.expand(id, 'both')]) tx.deleteRelationship(e.rel);
      tx.deleteNode(id);
      return;
    }
    case 'createRel': {
      const a = choose(nodes, o.a);
      const b = choose(nodes, o.b);
      if (a !== undefined && b !== undefined) tx.createRelationship(o.type, a, b, new Map(o.props));
      return;
    }
    case 'setRelProperty': {
      const id = choose(rels, o.pick);
      if (id !== undefined) tx.setRelationshipProperty(id, o.key, o.value);
      return;
    }
    case 'deleteRel': {
      const id = choose(rels, o.pick);
      if (id !== undefined) tx.deleteRelationship(id);
      return;
    }
    case 'createIndex':
      if (tx.findIndex(o.label, o.key) === undefined) tx.createIndex(o.label, o.key);
      return;
    case 'dropIndex': {
      const def = tx.findIndex(o.label, o.key);
      if (def !== undefined) tx.dropIndex(def.name);
      return;
    }
    case 'fail':
      throw new Error('rolled back on purpose');
  }
}

function prefixOf(store: GraphStore, name: string): Buffer {
  const id = store.internals.lookupNamespace(name);
  if (id === undefined) throw new Error(`no namespace ${name}`);
  return namespacePrefix(id);
}

describe('storage accounting', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await openTempStore({ sync: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('equals a full recount after random mixes of creates, updates and deletes', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }),
        async (transactions) => {
          // A fresh namespace per run; a second one is written alongside and must not move.
          const name = `tenant:${round++}`;
          const ns = t.store.namespace(name);
          const other = t.store.namespace('bystander');
          await other.write((tx) => tx.createNode(['A'], new Map([['k', 'v']])));
          const otherStats = other.stats();
          for (const ops of transactions) {
            await ns
              .write((tx) => {
                for (const o of ops) apply(tx, o);
              })
              .catch((err: unknown) => {
                if (!(err instanceof Error) || err.message !== 'rolled back on purpose') throw err;
              });
          }
          if (t.store.internals.lookupNamespace(name) === undefined) {
            expect(ns.stats()).toEqual({ nodes: 0, relationships: 0, bytes: 0 });
            return;
          }
          const counted = recount(t.store.data, prefixOf(t.store, name));
          expect(ns.stats()).toEqual(counted);
          expect(ns.read((tx) => tx.stats())).toEqual(counted);
          expect(other.stats()).toEqual(otherStats);
          expect(recount(t.store.data, prefixOf(t.store, 'bystander'))).toEqual(otherStats);
          // Catalog listings agree with the data.
          ns.read((tx) => {
            const labels = new Set<string>();
            const keys = new Set<string>();
            for (const id of tx.scanNodes()) {
              const n = tx.getNode(id)!;
              n.labels.forEach((l) => labels.add(l));
              for (const k of n.properties.keys()) keys.add(k);
            }
            const types = new Set<string>();
            for (const id of tx.scanRelationships()) {
              const r = tx.getRelationship(id)!;
              types.add(r.type);
              for (const k of r.properties.keys()) keys.add(k);
            }
            expect(tx.labels()).toEqual([...labels].sort());
            expect(tx.relationshipTypes()).toEqual([...types].sort());
            expect(tx.propertyKeys()).toEqual([...keys].sort());
            for (const l of labels) expect(tx.countNodesByLabel(l)).toBe([...tx.scanNodesByLabel(l)].length);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('returns to exactly the catalog size after deleting everything', async () => {
    const ns = t.store.namespace('default');
    await ns.write((tx) => {
      const a = tx.createNode(['A'], new Map([['k', 1n]]));
      tx.createRelationship('R', a, a, new Map([['k', 2n]]));
    });
    const withData = ns.stats().bytes;
    await ns.write((tx) => {
      tx.deleteRelationship(0);
      tx.deleteNode(0);
    });
    const s = ns.stats();
    expect(s.nodes).toBe(0);
    expect(s.relationships).toBe(0);
    // Only the catalog entries (name <-> id for A, R, k) remain: 3 x 2 entries.
    expect(s.bytes).toBeLessThan(withData);
    expect(s.bytes).toBe(recount(t.store.data, prefixOf(t.store, 'default')).bytes);
    expect(ns.read((tx) => [tx.labels(), tx.relationshipTypes(), tx.propertyKeys()])).toEqual([[], [], []]);
  });
});
