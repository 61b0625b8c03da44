import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { namespacePrefix } from '../../src/storage/key-layout.js';
import { recount } from '../../src/storage/namespace-audit.js';
import { GraphStore } from '../../src/storage/index.js';
import type { GraphReader, MoveProgress, NamespaceHandle } from '../../src/storage/index.js';
import { openTempStore, props, type TempStore } from './helpers.js';

/** A comparable picture of a namespace's graph (records, adjacency, catalog, indexes). */
function snapshotOf(ns: NamespaceHandle): unknown {
  return ns.read((tx: GraphReader) => ({
    nodes: [...tx.scanNodes()].map((id) => {
      const n = tx.getNode(id)!;
      return [id, n.labels, [...n.properties], [...tx.expand(id, 'both')]];
    }),
    rels: [...tx.scanRelationships()].map((id) => {
      const r = tx.getRelationship(id)!;
      return [id, r.type, r.start, r.end, [...r.properties]];
    }),
    labels: tx.labels(),
    types: tx.relationshipTypes(),
    keys: tx.propertyKeys(),
    indexes: tx.indexes(),
    seek: [...tx.indexSeek('Person', 'name', 'p7')],
    counts: [tx.stats().nodes, tx.stats().relationships],
  }));
}

async function fill(ns: NamespaceHandle, n: number): Promise<void> {
  await ns.write((tx) => {
    tx.createIndex('Person', 'name');
    for (let i = 0; i < n; i++) {
      tx.createNode(
        i % 3 === 0 ? ['Person', 'Admin'] : ['Person'],
        props({ name: `p${i}`, i: BigInt(i), f: i / 2 }),
      );
    }
    for (let i = 1; i < n; i++)
      tx.createRelationship(i % 2 ? 'KNOWS' : 'LIKES', i - 1, i, props({ w: BigInt(i) }));
    // Some deleted ids, so ids are not dense.
    tx.deleteRelationship(0);
    tx.deleteNode(0);
  });
}

function bytesByRecount(store: GraphStore, name: string): number {
  return recount(store.data, namespacePrefix(store.internals.lookupNamespace(name)!)).bytes;
}

describe('moveNamespace', () => {
  let t: TempStore;
  let store: GraphStore;

  beforeEach(async () => {
    t = await openTempStore({ sync: false });
    store = t.store;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('moves everything, keeping ids, and verifies counts', async () => {
    const src = store.namespace('default');
    await fill(src, 60);
    const expected = snapshotOf(src);
    const phases = new Set<string>();
    const result = await store.moveNamespace('default', 'tenant:abc', {
      batchSize: 50,
      onProgress: (p: MoveProgress) => phases.add(p.phase),
    });
    expect(phases).toEqual(new Set(['copy', 'verify', 'delete', 'done']));
    const dst = store.namespace('tenant:abc');
    expect(snapshotOf(dst)).toEqual(expected);
    expect(result).toMatchObject({ from: 'default', to: 'tenant:abc', nodes: 59, relationships: 58 });
    expect(result.resumed).toBe(false);
    expect(dst.stats()).toEqual({ nodes: 59, relationships: 58, bytes: result.bytes });
    expect(result.bytes).toBe(bytesByRecount(store, 'tenant:abc'));
    // The source is gone entirely.
    expect(store.namespaces()).toEqual(['tenant:abc']);
    expect(src.stats()).toEqual({ nodes: 0, relationships: 0, bytes: 0 });
    expect(src.read((tx) => [...tx.scanNodes()])).toEqual([]);
    // The moved namespace keeps allocating after its last id.
    expect(await dst.write((tx) => tx.createNode([], props()))).toBe(60);
    // Re-running is a no-op.
    const again = await store.moveNamespace('default', 'tenant:abc');
    expect(again.alreadyDone).toBe(true);
    expect(again.nodes).toBe(60);
  });

  it('accounts the same bytes whatever the target namespace id (no inference of other tenants)', async () => {
    await fill(store.namespace('default'), 10);
    // Many namespaces before the target: its id is large, its key prefix the same width.
    for (let i = 0; i < 300; i++)
      await store.namespace(`filler:${i}`).write((tx) => tx.createNode([], props()));
    const before = store.namespace('default').stats();
    const result = await store.moveNamespace('default', 'tenant:wide');
    expect(store.internals.lookupNamespace('tenant:wide')!).toBeGreaterThan(300);
    expect(namespacePrefix(store.internals.lookupNamespace('tenant:wide')!).length).toBe(4);
    expect(result.bytes).toBe(before.bytes);
    expect(store.namespace('tenant:wide').stats().bytes).toBe(bytesByRecount(store, 'tenant:wide'));
  });

  it('resumes after an interruption in the copy phase without duplicating', async () => {
    const src = store.namespace('default');
    await fill(src, 80);
    const expected = snapshotOf(src);
    let batches = 0;
    const err = await store
      .moveNamespace('default', 'tenant:x', {
        batchSize: 40,
        onProgress: (p) => {
          if (p.phase === 'copy' && ++batches === 3) throw new Error('crash');
        },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('crash');
    // Midway: the source is intact, the target holds a partial copy.
    expect(src.stats().nodes).toBe(79);
    const entriesMidway = [...store.dumpEntries().keys()].length;
    const result = await store.moveNamespace('default', 'tenant:x', { batchSize: 40 });
    expect(result.resumed).toBe(true);
    expect(snapshotOf(store.namespace('tenant:x'))).toEqual(expected);
    expect(store.namespace('tenant:x').stats().bytes).toBe(bytesByRecount(store, 'tenant:x'));
    expect([...store.dumpEntries().keys()].length).toBeLessThan(entriesMidway);
  });

  it('resumes after an interruption in the delete phase', async () => {
    const src = store.namespace('default');
    await fill(src, 80);
    const expected = snapshotOf(src);
    let deletes = 0;
    await store
      .moveNamespace('default', 'tenant:y', {
        batchSize: 30,
        onProgress: (p) => {
          if (p.phase === 'delete' && ++deletes === 2) throw new Error('crash');
        },
      })
      .catch(() => undefined);
    const result = await store.moveNamespace('default', 'tenant:y', { batchSize: 30 });
    expect(result.resumed).toBe(true);
    expect(snapshotOf(store.namespace('tenant:y'))).toEqual(expected);
    expect(store.namespaces()).toEqual(['tenant:y']);
    // Nothing of the source is left in the data database.
    const keys = [...store.dumpEntries().keys()].filter((k) => k.startsWith('data:00000000'));
    expect(keys).toEqual([]);
  });

  it('refuses a target that holds other data, and bad arguments', async () => {
    await fill(store.namespace('default'), 5);
    await store.namespace('tenant:busy').write((tx) => tx.createNode([], props()));
    const code = (p: Promise<unknown>): Promise<string | undefined> =>
      p.then(
        () => undefined,
        (e: unknown) => (e instanceof NexusError ? e.code : String(e)),
      );
    expect(await code(store.moveNamespace('default', 'tenant:busy'))).toBe('CONFLICT');
    expect(await code(store.moveNamespace('default', 'default'))).toBe('INVALID_PARAMETER');
    expect(await code(store.moveNamespace('default', 'tenant:z', { batchSize: 0 }))).toBe(
      'INVALID_PARAMETER',
    );
    // The refused moves changed nothing.
    expect(store.namespace('default').stats().nodes).toBe(4);
    expect(store.namespace('tenant:busy').stats().nodes).toBe(1);
  });

  it('moving an empty or unknown namespace does nothing', async () => {
    const result = await store.moveNamespace('default', 'tenant:empty');
    expect(result).toMatchObject({ nodes: 0, relationships: 0, bytes: 0, alreadyDone: true });
    expect(store.namespaces()).toEqual([]);
  });
});

describe('moveNamespace after a real crash', () => {
  it('finishes the job when re-run after the migrating process was killed', async () => {
    const t = await openTempStore();
    try {
      await fill(t.store.namespace('default'), 40);
      const expected = snapshotOf(t.store.namespace('default'));
      await t.store.close();
      const script = fileURLToPath(new URL('./fixtures/migrating-process.ts', import.meta.url));
      const lines = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, t.path], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // Kill midway through the copy.
          if ((out.match(/^copy /gm) ?? []).length >= 3) child.kill('SIGKILL');
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (_code, signal) =>
          signal === 'SIGKILL' ? resolve(out) : reject(new Error(err || out)),
        );
      });
      expect(lines).not.toContain('finished');
      t.store = await GraphStore.open({ path: t.path });
      // Interrupted: the source is still complete.
      expect(t.store.namespace('default').stats().nodes).toBe(39);
      const result = await t.store.moveNamespace('default', 'tenant:crash', { batchSize: 25 });
      expect(result.resumed).toBe(true);
      expect(snapshotOf(t.store.namespace('tenant:crash'))).toEqual(expected);
      expect(t.store.namespaces()).toEqual(['tenant:crash']);
      expect(t.store.namespace('tenant:crash').stats().bytes).toBe(bytesByRecount(t.store, 'tenant:crash'));
    } finally {
      await t.cleanup();
    }
  });
});
