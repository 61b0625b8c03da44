/**
 * Aggregate functions. The executor creates one aggregator per group and aggregate
 * expression, feeds it the evaluated arguments of each row, and reads `result()` once.
 * Nulls are skipped by every aggregate; DISTINCT dedupes by equivalence (groupingKey).
 */
import { CypherError } from '../../cypher/errors.js';
import type { Value } from '../values.js';
import { argumentError, typeError } from './errors.js';
import { checkInt } from './arithmetic.js';
import { groupingKey } from './value-equality.js';
import { orderCompare } from './value-order.js';
import { typeName } from './type-name.js';
import { addDurations, divideDuration, DurationValue } from './temporal/index.js';

export interface Aggregator {
  /** Arguments of one row, in call order (empty for count(*)). */
  add(args: readonly Value[]): void;
  result(): Value;
}

interface AggregateSpec {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly create: () => Aggregator;
}

function numberArg(fn: string, v: Value): bigint | number {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  throw typeError('InvalidArgumentType', `${fn}() expects numeric values, got ${typeName(v)}`);
}

/** count(expr) counts non-null values; count(*) is `add([])` and counts rows. */
class CountAggregator implements Aggregator {
  private n = 0n;
  add(args: readonly Value[]): void {
    if (args.length === 0 || args[0] !== null) this.n++;
  }
  result(): Value {
    return this.n;
  }
}

/**
 * Durations sum (and average) component-wise, as in Neo4j; a group may not mix them
 * with numbers. Returns the running total, or undefined for a non-duration value.
 */
function durationTotal(
  fn: string,
  total: DurationValue | undefined,
  seenNumber: boolean,
  v: Value,
): DurationValue | undefined {
  if (!(v instanceof DurationValue)) {
    if (total !== undefined) {
      throw typeError('InvalidArgumentType', `${fn}() cannot mix DURATION and ${typeName(v)}`);
    }
    return undefined;
  }
  if (seenNumber) throw typeError('InvalidArgumentType', `${fn}() cannot mix numbers and DURATION`);
  return total === undefined ? v : addDurations(total, v);
}

/** Stays INTEGER (overflow-checked) until a FLOAT arrives (Aggregation3 [2]). */
class SumAggregator implements Aggregator {
  private int = 0n;
  private float = 0;
  private isFloat = false;
  private duration: DurationValue | undefined;
  private seenNumber = false;
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    this.duration = durationTotal('sum', this.duration, this.seenNumber, v);
    if (this.duration !== undefined) return;
    this.seenNumber = true;
    const n = numberArg('sum', v);
    if (typeof n === 'bigint' && !this.isFloat) {
      this.int = checkInt(this.int + n, 'sum()');
    } else {
      if (!this.isFloat) {
        this.float = Number(this.int);
        this.isFloat = true;
      }
      this.float += Number(n);
    }
  }
  result(): Value {
    if (this.duration !== undefined) return this.duration;
    return this.isFloat ? this.float : this.int;
  }
}

class AvgAggregator implements Aggregator {
  private int = 0n;
  private float = 0;
  private count = 0;
  private duration: DurationValue | undefined;
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    this.duration = durationTotal('avg', this.duration, this.count > 0 && this.duration === undefined, v);
    if (this.duration !== undefined) {
      this.count++;
      return;
    }
    const n = numberArg('avg', v);
    // Integers accumulate exactly so a long run of big values does not drift.
    if (typeof n === 'bigint') this.int += n;
    else this.float += n;
    this.count++;
  }
  result(): Value {
    if (this.count === 0) return null;
    if (this.duration !== undefined) return divideDuration(this.duration, this.count);
    return (Number(this.int) + this.float) / this.count;
  }
}

class ExtremeAggregator implements Aggregator {
  private best: Value = null;
  private seen = false;
  constructor(private readonly sign: 1 | -1) {}
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    if (!this.seen || orderCompare(v, this.best) * this.sign > 0) {
      this.best = v;
      this.seen = true;
    }
  }
  result(): Value {
    return this.best;
  }
}

class CollectAggregator implements Aggregator {
  private readonly items: Value[] = [];
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v !== null) this.items.push(v);
  }
  result(): Value {
    return this.items.slice();
  }
}

/** Welford's algorithm: numerically stable single pass. */
class StDevAggregator implements Aggregator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  constructor(private readonly population: boolean) {}
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    const x = Number(numberArg(this.population ? 'stDevP' : 'stDev', v));
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  result(): Value {
    if (this.population) return this.n === 0 ? 0 : Math.sqrt(this.m2 / this.n);
    return this.n < 2 ? 0 : Math.sqrt(this.m2 / (this.n - 1));
  }
}

function checkPercentile(fn: string, p: Value): number {
  if (typeof p !== 'bigint' && typeof p !== 'number') {
    throw argumentError(
      'NumberOutOfRange',
      `${fn}() percentile must be a number in [0, 1], got ${typeName(p)}`,
    );
  }
  const x = Number(p);
  if (!(x >= 0 && x <= 1)) {
    throw argumentError('NumberOutOfRange', `${fn}() percentile must be in [0, 1], got ${x}`);
  }
  return x;
}

/**
 * Neo4j's percentile algorithms. The percentile argument is checked on every row,
 * even when the value is null, so a bad constant fails like Aggregation6 [3]-[5] expect.
 */
class PercentileAggregator implements Aggregator {
  private readonly values: (bigint | number)[] = [];
  private percentile = 0;
  constructor(private readonly continuous: boolean) {}
  add(args: readonly Value[]): void {
    const fn = this.continuous ? 'percentileCont' : 'percentileDisc';
    this.percentile = checkPercentile(fn, args[1] ?? null);
    const v = args[0] ?? null;
    if (v === null) return;
    this.values.push(numberArg(fn, v));
  }
  result(): Value {
    const n = this.values.length;
    if (n === 0) return null;
    const sorted = this.values.slice().sort(orderCompare);
    const p = this.percentile;
    if (this.continuous) {
      const idx = p * (n - 1);
      const lo = Math.floor(idx);
      const hi = Math.ceil(idx);
      const a = Number(sorted[lo]);
      if (lo === hi || lo === n - 1) return a;
      const b = Number(sorted[hi]);
      return a * (hi - idx) + b * (idx - lo);
    }
    if (p === 1 || n === 1) return sorted[n - 1] ?? null;
    const f = p * n;
    let idx = Math.floor(f);
    if (f === idx && idx !== 0) idx--;
    return sorted[idx] ?? null;
  }
}

/** Drops null and already-seen values (by equivalence of the first argument). */
class DistinctAggregator implements Aggregator {
  private readonly seen = new Set<string>();
  constructor(private readonly inner: Aggregator) {}
  add(args: readonly Value[]): void {
    const v = args[0] ?? null;
    if (v === null) {
      // Still forwarded so per-row argument checks (percentile range) keep running.
      this.inner.add(args);
      return;
    }
    const key = groupingKey(v);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.inner.add(args);
  }
  result(): Value {
    return this.inner.result();
  }
}

const AGGREGATES: readonly AggregateSpec[] = [
  { name: 'count', minArgs: 0, maxArgs: 1, create: () => new CountAggregator() },
  { name: 'sum', minArgs: 1, maxArgs: 1, create: () => new SumAggregator() },
  { name: 'avg', minArgs: 1, maxArgs: 1, create: () => new AvgAggregator() },
  { name: 'min', minArgs: 1, maxArgs: 1, create: () => new ExtremeAggregator(-1) },
  { name: 'max', minArgs: 1, maxArgs: 1, create: () => new ExtremeAggregator(1) },
  { name: 'collect', minArgs: 1, maxArgs: 1, create: () => new CollectAggregator() },
  { name: 'stDev', minArgs: 1, maxArgs: 1, create: () => new StDevAggregator(false) },
  { name: 'stDevP', minArgs: 1, maxArgs: 1, create: () => new StDevAggregator(true) },
  { name: 'percentileCont', minArgs: 2, maxArgs: 2, create: () => new PercentileAggregator(true) },
  { name: 'percentileDisc', minArgs: 2, maxArgs: 2, create: () => new PercentileAggregator(false) },
];

const BY_NAME = new Map(AGGREGATES.map((a) => [a.name.toLowerCase(), a]));

export function isAggregateFunction(name: string): boolean {
  return BY_NAME.has(name.toLowerCase());
}

/** Arity of an aggregate, or undefined if `name` is not one. count's 0 is count(*). */
export function aggregateArity(name: string): { min: number; max: number } | undefined {
  const a = BY_NAME.get(name.toLowerCase());
  return a ? { min: a.minArgs, max: a.maxArgs } : undefined;
}

/**
 * A fresh aggregator. For count(*) call `createAggregator('count', false)` and feed it
 * `add([])` per row. Throws SyntaxError UnknownFunction for a non-aggregate name.
 */
export function createAggregator(name: string, distinct: boolean): Aggregator {
  const a = BY_NAME.get(name.toLowerCase());
  if (!a) throw new CypherError('SyntaxError', 'UnknownFunction', `unknown aggregate function '${name}'`);
  const inner = a.create();
  return distinct ? new DistinctAggregator(inner) : inner;
}
