/**
 * Small statistics helpers for the benchmarks: percentiles over recorded latencies and
 * A/B interleaving, so that machine noise lands on both sides of a comparison.
 */

export interface LatencySummary {
  count: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarise(latenciesNs: number[], elapsedNs: number): LatencySummary {
  const sorted = Float64Array.from(latenciesNs).sort();
  return {
    count: latenciesNs.length,
    opsPerSec: latenciesNs.length / (elapsedNs / 1e9),
    p50Us: percentile(sorted, 50) / 1000,
    p99Us: percentile(sorted, 99) / 1000,
  };
}

/**
 * Runs `op` repeatedly for `durationMs` (at least `minOps` times), recording each call's latency.
 */
export async function measure(
  op: (i: number) => Promise<unknown>,
  durationMs: number,
  minOps = 20,
): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  let i = 0;
  while (performance.now() < end || i < minOps) {
    const t0 = process.hrtime.bigint();
    await op(i++);
    latencies.push(Number(process.hrtime.bigint() - t0));
  }
  return latencies;
}

/**
 * Interleaves two measurements: A, B, A, B, … for `rounds` rounds, and sums each side.
 * Returns the combined samples of each side.
 */
export async function interleave<T>(
  rounds: number,
  runA: (round: number) => Promise<T>,
  runB: (round: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const a: T[] = [];
  const b: T[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first so warm-up effects do not favour one side.
    if (r % 2 === 0) {
      a.push(await runA(r));
      b.push(await runB(r));
    } else {
      b.push(await runB(r));
      a.push(await runA(r));
    }
  }
  return { a, b };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
