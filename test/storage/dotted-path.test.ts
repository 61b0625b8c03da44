/**
 * A data directory whose last path segment contains a dot (`data.v2`, `tmp.AbC` from
 * mktemp) is still a directory: lmdb-js would otherwise treat it as a file name.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/storage/index.js';
import { props, tempDir } from './helpers.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('GraphStore on a directory name with a dot', () => {
  it('opens an existing dotted directory, keeps its files inside, and reopens with the data', async () => {
    const root = tempDir();
    roots.push(root);
    const path = join(root, 'data.v2');
    mkdirSync(path);
    const store = await GraphStore.open({ path });
    const ns = store.namespace('default');
    const id = await ns.write((w) => w.createNode(['Person'], props({ name: 'Ada' })));
    await store.close();
    expect(statSync(path).isDirectory()).toBe(true);
    expect(existsSync(join(path, 'data.mdb'))).toBe(true);

    const again = await GraphStore.open({ path });
    try {
      const node = again.namespace('default').read((r) => r.getNode(id));
      expect(node?.labels).toEqual(['Person']);
      expect(again.namespace('default').stats().nodes).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('creates a missing dotted directory as a directory', async () => {
    const root = tempDir();
    roots.push(root);
    const path = join(root, 'tmp.AbC');
    const store = await GraphStore.open({ path });
    await store.close();
    expect(statSync(path).isDirectory()).toBe(true);
  });
});
