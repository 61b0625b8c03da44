/**
 * Compile time of one very wide statement: `RETURN 1 AS c0, …, 1 AS c<n-1>` (issue 11: it
 * took 25 s at n = 100,000, quadratic in semantic analysis). Prints parse+analyze and plan
 * times, then a full execute on an in-memory-sized store.
 *
 *   npx tsx bench/compile-projections.ts [n=100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../src/cypher/index.js';
import { Nexus } from '../src/engine/index.js';

const n = Number(process.argv[2] ?? 100_000);
const query = `RETURN ${Array.from({ length: n }, (_, i) => `1 AS c${i}`).join(', ')}`;
let t = performance.now();
parse(query);
console.log(
  `parse + analyze (${n} projections, ${query.length} chars): ${(performance.now() - t).toFixed(0)} ms`,
);
const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-'));
const db = await Nexus.open({ path: dir, sync: false });
for (let i = 0; i < 3; i++) {
  t = performance.now();
  await db.execute(`${query}${' '.repeat(i)}`, {}, { timeoutMs: 0 });
  console.log(`execute #${i + 1} (compile + run, uncached): ${(performance.now() - t).toFixed(0)} ms`);
}
await db.close();
rmSync(dir, { recursive: true, force: true });
