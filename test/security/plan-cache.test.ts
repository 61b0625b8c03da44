// The compiled-plan cache is shared process state. A plan holds nothing of a namespace
// (the start / index choice is made per execution from the caller's own transaction), but a
// cache shared by query text alone is a timing oracle: a tenant could tell whether another
// tenant recently ran a given query text. Entries are therefore per namespace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nexus } from '../../src/engine/nexus.js';

let dir: string;
let db: Nexus;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-security-plans-'));
  db = await Nexus.open({ path: join(dir, 'db'), sync: false });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('compiled-plan cache', () => {
  it('is keyed by namespace and query text', async () => {
    const q = "MATCH (p:Patient {ssn: '123-45-6789'}) RETURN p.name AS name";
    await db.execute(q, {}, { namespace: 'tenant:alice' });
    const alicePlan = db.compile(q, 'tenant:alice');
    // alice's entry is reused for alice...
    expect(db.compile(q, 'tenant:alice')).toBe(alicePlan);
    // ...but bob's first run of the same text is a miss, not alice's entry.
    const bobPlan = db.compile(q, 'tenant:bob');
    expect(bobPlan).not.toBe(alicePlan);
    expect(db.compile(q, 'tenant:bob')).toBe(bobPlan);
  });

  it('a plan first compiled for one tenant answers each tenant from its own data', async () => {
    const q = 'MATCH (n:Item) WHERE n.k = $k RETURN count(n) AS c';
    await db.execute('CREATE (:Item {k: 1}), (:Item {k: 1})', {}, { namespace: 'tenant:alice' });
    await db.execute('CREATE INDEX FOR (n:Item) ON (n.k)', {}, { namespace: 'tenant:alice' });
    await db.execute('CREATE (:Item {k: 1})', {}, { namespace: 'tenant:bob' });
    const a = await db.execute(q, { k: 1n }, { namespace: 'tenant:alice' });
    const b = await db.execute(q, { k: 1n }, { namespace: 'tenant:bob' });
    const c = await db.execute(q, { k: 1n }, { namespace: 'tenant:carol' });
    expect(a.rows).toEqual([[2n]]);
    expect(b.rows).toEqual([[1n]]);
    expect(c.rows).toEqual([[0n]]);
  });
});
