import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './support/test-db.js';

let t: TestDb;
const A = { namespace: 'tenant:a' };
const B = { namespace: 'tenant:b' };

beforeAll(async () => {
  t = await openTestDb();
  await t.db.execute("CREATE (:SecretA {k: 'a'})-[:REL_A]->(:SecretA)", {}, A);
  await t.db.execute('CREATE INDEX idx_a FOR (n:SecretA) ON (n.k)', {}, A);
  await t.db.execute("CREATE (:OnlyB {kb: 'b'})", {}, B);
});
afterAll(async () => {
  await t.close();
});

async function rows(q: string, opts: { namespace: string }) {
  return (await t.db.execute(q, {}, opts)).rows;
}

describe('namespace isolation through every clause', () => {
  it('MATCH (n) and MATCH ()-[r]->() only see the own namespace', async () => {
    expect(await rows('MATCH (n) RETURN labels(n)', B)).toEqual([[['OnlyB']]]);
    expect(await rows('MATCH ()-[r]->() RETURN count(r)', B)).toEqual([[0n]]);
    expect(await rows('MATCH ()-[r]->() RETURN type(r)', A)).toEqual([['REL_A']]);
    expect(await rows('MATCH (n:SecretA) RETURN count(n)', B)).toEqual([[0n]]);
  });

  it('ids from another namespace do not reach its entities', async () => {
    const [[id]] = (await rows("MATCH (n:SecretA {k: 'a'}) RETURN id(n)", A)) as [[bigint]];
    const seen = await rows('MATCH (n) WHERE id(n) = $id RETURN labels(n)', B).catch(() => []);
    expect(JSON.stringify(seen)).not.toContain('SecretA');
    const r = await t.db.execute('MATCH (n) WHERE id(n) = $id RETURN labels(n) AS l', { id }, B);
    expect(r.rows.flat(2)).not.toContain('SecretA');
  });

  it('catalogue procedures and SHOW INDEXES are per namespace', async () => {
    expect(await rows('CALL db.labels()', B)).toEqual([['OnlyB']]);
    expect(await rows('CALL db.relationshipTypes()', B)).toEqual([]);
    expect(await rows('CALL db.propertyKeys()', B)).toEqual([['kb']]);
    expect(await rows('SHOW INDEXES', B)).toEqual([]);
    expect((await rows('SHOW INDEXES', A)).map((r) => r[0])).toEqual(['idx_a']);
  });

  it('writes and deletes stay in their namespace', async () => {
    await t.db.execute('MATCH (n) DETACH DELETE n', {}, { namespace: 'tenant:c' });
    expect(await rows('MATCH (n) RETURN count(n)', A)).toEqual([[2n]]);
    await t.db.execute('MERGE (x:SecretA {k: "a"})', {}, B);
    expect(await rows('MATCH (n:SecretA) RETURN count(n)', A)).toEqual([[2n]]);
    expect(await rows('MATCH (n:SecretA) RETURN count(n)', B)).toEqual([[1n]]);
    expect(t.db.stats('tenant:a').nodes).toBe(2);
  });
});
