import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { namespacePrefix } from '../../src/storage/key-layout.js';
import { recount } from '../../src/storage/namespace-audit.js';
import type { GraphStore, PropertyValue } from '../../src/storage/index.js';
import { openTempStore, type TempStore } from './helpers.js';

interface GraphSpec {
  nodes: { labels: string[]; props: [string, PropertyValue][] }[];
  rels: { type: string; a: number; b: number; props: [string, PropertyValue][] }[];
}

const label = fc.constantFrom('A', 'B', 'Person', 'Ünïcode');
const key = fc.constantFrom('k', 'name', 'v', 'longer_property_key');
const value: fc.Arbitrary<PropertyValue> = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.bigInt({ min: -9n, max: 9n })), { maxLength: 3 }),
);
const uniqueProps = fc.uniqueArray(fc.tuple(key, value), { maxLength: 4, selector: ([k]) => k });
const spec: fc.Arbitrary<GraphSpec> = fc.record({
  nodes: fc.array(fc.record({ labels: fc.uniqueArray(label, { maxLength: 3 }), props: uniqueProps }), {
    minLength: 1,
    maxLength: 25,
  }),
  rels: fc.array(
    fc.record({
      type: fc.constantFrom('KNOWS', 'LIKES', 'R'),
      a: fc.nat(),
      b: fc.nat(),
      props: uniqueProps,
    }),
    { maxLength: 60 },
  ),
});

/** The namespace's entries with its 4-byte prefix stripped, hex key → hex value. */
function entriesOf(store: GraphStore, name: string): Map<string, string> {
  const id = store.internals.lookupNamespace(name)!;
  const prefixHex = namespacePrefix(id).toString('hex');
  const out = new Map<string, string>();
  for (const [k, v] of store.dumpEntries()) {
    if (k.startsWith(`data:${prefixHex}`)) out.set(k.slice(`data:${prefixHex}`.length), v);
  }
  return out;
}

async function writeNormally(store: GraphStore, name: string, g: GraphSpec): Promise<void> {
  await store.namespace(name).write((tx) => {
    const ids = g.nodes.map((n) => tx.createNode(n.labels, new Map(n.props)));
    for (const r of g.rels)
      tx.createRelationship(r.type, ids[r.a % ids.length]!, ids[r.b % ids.length]!, new Map(r.props));
  });
}

function loadInBulk(store: GraphStore, name: string, g: GraphSpec, append = true) {
  const loader = store.bulkLoader(name);
  // Catalog ids in the order the normal writer allocates them (labels, then keys).
  for (const n of g.nodes) {
    const labels = n.labels.map((l) => loader.labelId(l));
    const keys = n.props.map(([k]) => loader.keyId(k));
    loader.addNode(
      labels,
      keys,
      n.props.map(([, v]) => v),
    );
  }
  for (const r of g.rels) {
    const t = loader.typeId(r.type);
    const keys = r.props.map(([k]) => loader.keyId(k));
    loader.addRelationship(
      t,
      r.a % g.nodes.length,
      r.b % g.nodes.length,
      keys,
      r.props.map(([, v]) => v),
    );
  }
  const exact = loader.exactBytes();
  const result = loader.commit({ append });
  expect(result.bytes).toBe(exact);
  return result;
}

describe('BulkLoader', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await openTempStore({ sync: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('writes exactly the entries the normal writer writes, with exact byte counters', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(spec, fc.boolean(), async (g, append) => {
        round++;
        await writeNormally(t.store, `normal-${round}`, g);
        const result = loadInBulk(t.store, `bulk-${round}`, g, append);
        expect(entriesOf(t.store, `bulk-${round}`)).toEqual(entriesOf(t.store, `normal-${round}`));
        const stats = t.store.namespace(`bulk-${round}`).stats();
        expect(stats).toEqual(t.store.namespace(`normal-${round}`).stats());
        expect(result.bytes).toBe(stats.bytes);
        const prefix = namespacePrefix(t.store.internals.lookupNamespace(`bulk-${round}`)!);
        expect(recount(t.store.internals.data, prefix)).toEqual(stats);
      }),
      { numRuns: 40 },
    );
  });

  it('orders adjacency by the bytes of the type id when there are more than 128 types', async () => {
    const g: GraphSpec = {
      nodes: [
        { labels: ['N'], props: [] },
        { labels: [], props: [] },
      ],
      rels: [],
    };
    for (let i = 0; i < 300; i++) g.rels.push({ type: `T${i}`, a: i % 2, b: (i >> 1) % 2, props: [] });
    await writeNormally(t.store, 'normal', g);
    const result = loadInBulk(t.store, 'bulk', g);
    expect(result.appended).toBe(true);
    expect(entriesOf(t.store, 'bulk')).toEqual(entriesOf(t.store, 'normal'));
    const node0 = t.store.namespace('bulk').read((tx) => [...tx.expand(0, 'both')].length);
    expect(node0).toBe(t.store.namespace('normal').read((tx) => [...tx.expand(0, 'both')].length));
  });

  it('leaves a namespace the normal writer and readers keep using', async () => {
    const loader = t.store.bulkLoader('g');
    const person = loader.labelId('Person');
    const name = loader.keyId('name');
    const a = loader.addNode([person], [name], ['a']);
    const b = loader.addNode([person], [name], ['b']);
    loader.addRelationship(loader.typeId('KNOWS'), a, b, [], []);
    loader.commit();
    const h = t.store.namespace('g');
    const c = await h.write((tx) => {
      const id = tx.createNode(['Person'], new Map([['name', 'c']]));
      tx.createRelationship('KNOWS', id, a, new Map());
      return id;
    });
    expect(c).toBe(2);
    h.read((tx) => {
      expect([...tx.scanNodesByLabel('Person')]).toEqual([0, 1, 2]);
      expect(tx.getNode(1)?.properties.get('name')).toBe('b');
      expect([...tx.expand(a, 'both')].map((e) => e.other)).toEqual([b, c]);
      expect(tx.countNodesByLabel('Person')).toBe(3);
    });
    const prefix = namespacePrefix(t.store.internals.lookupNamespace('g')!);
    expect(recount(t.store.internals.data, prefix)).toEqual(h.stats());
  });

  it('refuses a non-empty target and writes nothing when an endpoint is unknown', async () => {
    await t.store.namespace('full').write((tx) => tx.createNode([], new Map()));
    expect(() => t.store.bulkLoader('full')).toThrow(/not empty/);
    const loader = t.store.bulkLoader('empty');
    loader.addNode([], [], []);
    expect(() => loader.addRelationship(loader.typeId('R'), 0, 5, [], [])).toThrow(/does not exist/);
    expect(t.store.internals.lookupNamespace('empty')).toBeUndefined();
  });
});
