/**
 * In-process measure of the noisy neighbour's query for one source tree: 50,000 `Person`
 * nodes, then the full-scan aggregation of bench/http.ts run 8 times; prints the fastest
 * and median run and the garbage collections per query by kind (count, total and longest
 * pause, from `perf_hooks` GC entries). Run alternately per tree:
 *
 *   npx tsx bench/ab-heavy-scan.ts /tmp/old && npx tsx bench/ab-heavy-scan.ts .
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const root = resolve(process.argv[2] ?? '.');
const { Nexus } = (await import(
  join(root, 'src/engine/index.ts')
)) as typeof import('../src/engine/index.js');
const HEAVY =
  'MATCH (p:Person) RETURN p.age AS age, count(*) AS n, collect(p.name)[0] AS sample ORDER BY age';
const N = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'nexus-heavy-'));
const db = await Nexus.open({ path: dir, sync: false });
// GC pauses by kind (perf_hooks `detail.kind`: 1 scavenge, 2 minor mark-sweep, 4 mark-sweep-compact, ...).
const gc = new Map<number, { count: number; ms: number; maxMs: number }>();
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
    const g = gc.get(kind) ?? { count: 0, ms: 0, maxMs: 0 };
    g.count++;
    g.ms += e.duration;
    g.maxMs = Math.max(g.maxMs, e.duration);
    gc.set(kind, g);
  }
});
try {
  await db.execute(
    `UNWIND range(0, ${N - 1}) AS i CREATE (:Person {name: "person-" + toString(i), email: "p" + toString(i) + "@example.com", age: i % 70})`,
  );
  await db.execute(HEAVY);
  obs.observe({ entryTypes: ['gc'] });
  // Marks the start of the measured phase for `--trace-gc-nvp` readers of stdout.
  process.stdout.write('-- measured phase --\n');
  const times: number[] = [];
  const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
  for (let r = 0; r < 8; r++) {
    const t0 = performance.now();
    await db.execute(HEAVY);
    times.push(performance.now() - t0);
  }
  await new Promise((res) => setTimeout(res, 50));
  times.sort((a, b) => a - b);
  process.stdout.write(
    `${root}: heavy scan ms min ${times[0]!.toFixed(1)}, median ${times[4]!.toFixed(1)}; ` +
      `new space ${(newSpace().space_size / 2 ** 20).toFixed(0)} MiB; GC per query by kind: ` +
      [...gc]
        .map(
          ([k, g]) =>
            `${k}: ${(g.count / 8).toFixed(1)} × (${(g.ms / 8).toFixed(1)} ms, max ${g.maxMs.toFixed(1)})`,
        )
        .join(', ') +
      '\n',
  );
} finally {
  obs.disconnect();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
