import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { openTempStore, props, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await openTempStore();
});
afterEach(async () => {
  await t.cleanup();
});

describe('NamespaceHandle.scratch', () => {
  it('runs in a write transaction that is always rolled back, returning the result', async () => {
    const ns = t.store.namespace('default');
    await ns.write((tx) => tx.createNode(['A'], props({ v: 1n })));
    const before = t.store.dumpEntries();
    const seen = await ns.scratch!((tx) => {
      const id = tx.createNode(['B'], props({ w: 2n }));
      tx.setNodeProperty(0, 'v', 5n);
      return { id, nodes: tx.stats().nodes, v: tx.getNode(0)?.properties.get('v') };
    });
    expect(seen).toEqual({ id: 1, nodes: 2, v: 5n });
    expect(t.store.dumpEntries()).toEqual(before);
    // A new namespace registered inside a scratch transaction is rolled back too.
    await t.store.namespace('fresh').scratch!((tx) => tx.createNode(['X'], props()));
    expect(t.store.dumpEntries()).toEqual(before);
    await expect(
      ns.scratch!(() => {
        throw new NexusError('CONFLICT', 'boom');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('does not disturb writes batched in the same group commit', async () => {
    const ns = t.store.namespace('default');
    const other = t.store.namespace('other');
    const results = await Promise.all([
      ns.write((tx) => tx.createNode(['Kept'], props())),
      ns.scratch!((tx) => tx.createNode(['Dropped'], props())),
      other.write((tx) => tx.createNode(['Kept'], props())),
    ]);
    expect(results).toEqual([0, 1, 0]);
    expect(ns.read((tx) => tx.countNodesByLabel('Kept'))).toBe(1);
    expect(ns.read((tx) => tx.countNodesByLabel('Dropped'))).toBe(0);
    expect(other.stats().nodes).toBe(1);
  });

  it('reserves the ids it handed out; createNodeWithId / createRelationshipWithId reuse them', async () => {
    const ns = t.store.namespace('default');
    const reserved = await ns.scratch!((tx) => {
      const a = tx.createNode(['A'], props());
      const b = tx.createNode(['A'], props());
      return { a, b, r: tx.createRelationship('R', a, b, props()) };
    });
    const later = await ns.write((tx) => tx.createNode(['Later'], props()));
    expect(later).toBeGreaterThan(reserved.b);
    await ns.write((tx) => {
      tx.createNodeWithId!(reserved.a, ['A'], props({ k: 1n }));
      tx.createNodeWithId!(reserved.b, ['A'], props());
      tx.createRelationshipWithId!(reserved.r, 'R', reserved.a, reserved.b, props());
    });
    expect(ns.read((tx) => tx.getNode(reserved.a)?.properties.get('k'))).toBe(1n);
    expect(ns.read((tx) => tx.getRelationship(reserved.r)?.end)).toBe(reserved.b);
    expect(ns.stats()).toMatchObject({ nodes: 3, relationships: 1 });
    await expect(ns.write((tx) => tx.createNodeWithId!(later, [], props()))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      ns.write((tx) => tx.createRelationshipWithId!(reserved.r, 'R', reserved.a, reserved.b, props())),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // Ids above every allocated one move the allocator past them.
    await ns.write((tx) => tx.createNodeWithId!(100, [], props()));
    expect(await ns.write((tx) => tx.createNode([], props()))).toBe(101);
  });
});
