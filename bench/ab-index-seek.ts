/**
 * In-process A/B of the indexed point read for one source tree: 20,000 `Person` nodes with
 * an index on `email`, 12 batches of 3,000 `MATCH (p:Person {email: $e}) RETURN p.id`
 * queries; prints the fastest and the median batch (µs per query). Run it alternately
 * against two trees (e.g. an export of the base commit and the working tree):
 *
 *   npx tsx bench/ab-index-seek.ts /tmp/old && npx tsx bench/ab-index-seek.ts .
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const { Nexus } = (await import(
  join(root, 'src/engine/index.ts')
)) as typeof import('../src/engine/index.js');
const dir = mkdtempSync(join(tmpdir(), 'nexus-seek-'));
const db = await Nexus.open({ path: dir, sync: false });
try {
  await db.execute('UNWIND range(0, 19999) AS i CREATE (:Person {id: i, email: "p" + toString(i) + "@x"})');
  await db.execute('CREATE INDEX person_email FOR (p:Person) ON (p.email)');
  const batches: number[] = [];
  for (let r = 0; r < 12; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++)
      await db.execute('MATCH (p:Person {email: $e}) RETURN p.id AS id', { e: `p${i}@x` });
    batches.push(((performance.now() - t0) * 1000) / 3000);
  }
  batches.sort((a, b) => a - b);
  process.stdout.write(
    `${root}: index seek µs/query min ${batches[0]!.toFixed(1)}, median ${batches[6]!.toFixed(1)}\n`,
  );
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
