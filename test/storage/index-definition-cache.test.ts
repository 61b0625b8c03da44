/**
 * Readers reuse parsed index definitions per index-definition version: every snapshot
 * still sees exactly the definitions of its own point in time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { openTempStore, props, type TempStore } from './helpers.js';

describe('index definitions across snapshots', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await openTempStore();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('each snapshot sees the definitions of its own point in time', async () => {
    const ns = t.store.namespace('n');
    await ns.write((tx) => tx.createNode(['P'], props({ e: 'a' })));
    const before = ns.beginRead();
    expect(before.indexes()).toEqual([]);
    await ns.write((tx) => tx.createIndex('P', 'e', 'p_e'));
    // A new snapshot sees (and caches) the new definition...
    expect(ns.read((tx) => tx.findIndex('P', 'e'))).toEqual({ name: 'p_e', label: 'P', property: 'e' });
    expect(ns.read((tx) => [...tx.indexSeek('P', 'e', 'a')])).toHaveLength(1);
    // ...the older one still does not.
    expect(before.findIndex('P', 'e')).toBeUndefined();
    expect(before.indexes()).toEqual([]);
    before.close();
    const withIndex = ns.beginRead();
    await ns.write((tx) => tx.dropIndex('p_e'));
    await ns.write((tx) => tx.createIndex('P', 'e', 'renamed'));
    expect(ns.read((tx) => tx.indexes())).toEqual([{ name: 'renamed', label: 'P', property: 'e' }]);
    expect(withIndex.indexes()).toEqual([{ name: 'p_e', label: 'P', property: 'e' }]);
    withIndex.close();
    // Drop and re-create under another name in ONE transaction: same entries, new name.
    await ns.write((tx) => {
      tx.dropIndex('renamed');
      tx.createIndex('P', 'e', 'again');
    });
    expect(ns.read((tx) => tx.indexes().map((d) => d.name))).toEqual(['again']);
  });

  it('a rolled-back index creation leaves the definitions unchanged', async () => {
    const ns = t.store.namespace('n');
    await ns.write((tx) => tx.createNode(['P'], props({ e: 'a' })));
    expect(ns.read((tx) => tx.indexes())).toEqual([]);
    await expect(
      ns.write((tx) => {
        tx.createIndex('P', 'e');
        throw new NexusError('INVALID_PARAMETER', 'rolled back');
      }),
    ).rejects.toBeInstanceOf(NexusError);
    expect(ns.read((tx) => tx.indexes())).toEqual([]);
    await ns.write((tx) => tx.createIndex('P', 'e', 'real'));
    expect(ns.read((tx) => tx.indexes().map((d) => d.name))).toEqual(['real']);
  });

  it('sees an index created through another store on the same environment', async () => {
    const ns = t.store.namespace('n');
    await ns.write((tx) => tx.createNode(['P'], props({ e: 'a' })));
    expect(ns.read((tx) => tx.indexes())).toEqual([]);
    const { GraphStore } = await import('../../src/storage/index.js');
    const other = await GraphStore.open({ path: t.path });
    try {
      await other.namespace('n').write((tx) => tx.createIndex('P', 'e', 'from_other'));
    } finally {
      await other.close();
    }
    // lmdb-js reuses a read transaction until a 0 ms timer resets it, so a commit made
    // through another environment handle (another process, in production) becomes visible
    // to this store's snapshots within one timer turn — wait for it instead of racing it.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ns.read((tx) => tx.indexes().map((d) => d.name))).toEqual(['from_other']);
  });
});
