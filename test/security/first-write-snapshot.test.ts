// The per-namespace catalog cache is shared by every transaction of a namespace. A read
// snapshot taken before the namespace's first commit has no key prefix; label / type
// lookups through it must answer "nothing" instead of failing (a TypeError became a 500 for
// a tenant whose first write landed while one of its reads was running).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/storage/index.js';

let dir: string;
let store: GraphStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-security-snap-'));
  store = await GraphStore.open({ path: join(dir, 'db'), sync: false });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a snapshot older than the namespace', () => {
  it('sees an empty namespace after the first write committed', async () => {
    const handle = store.namespace('tenant:newcomer');
    const old = handle.beginRead();
    try {
      await handle.write((tx) => {
        const a = tx.createNode(['Person'], new Map([['name', 'x']]));
        const b = tx.createNode(['Person'], new Map());
        tx.createRelationship('KNOWS', a, b, new Map());
      });
      expect([...old.scanNodesByLabel('Person')]).toEqual([]);
      expect(old.countNodesByLabel('Person')).toBe(0);
      expect([...old.scanRelationshipsByType!('KNOWS')]).toEqual([]);
      expect([...old.expand(0, 'both', ['KNOWS'])]).toEqual([]);
      expect(old.labels()).toEqual([]);
    } finally {
      old.close();
    }
    // A fresh snapshot sees the committed data.
    const fresh = handle.beginRead();
    try {
      expect([...fresh.scanNodesByLabel('Person')]).toHaveLength(2);
      expect(fresh.countNodesByLabel('Person')).toBe(2);
      expect([...fresh.scanRelationshipsByType!('KNOWS')]).toHaveLength(1);
    } finally {
      fresh.close();
    }
  });
});
