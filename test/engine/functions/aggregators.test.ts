import { describe, expect, it } from 'vitest';
import {
  aggregateArity,
  createAggregator,
  INT64_MAX,
  isAggregateFunction,
} from '../../../src/engine/functions/index.js';
import type { Value } from '../../../src/engine/values.js';
import { errorOf, node } from './fake-context.js';

function run(name: string, values: Value[], distinct = false, extra: Value[] = []): Value {
  const agg = createAggregator(name, distinct);
  for (const v of values) agg.add([v, ...extra]);
  return agg.result();
}

describe('aggregate registry', () => {
  it('recognises aggregates case-insensitively', () => {
    expect(isAggregateFunction('COUNT')).toBe(true);
    expect(isAggregateFunction('stdevp')).toBe(true);
    expect(isAggregateFunction('toUpper')).toBe(false);
    expect(aggregateArity('count')).toEqual({ min: 0, max: 1 });
    expect(errorOf(() => createAggregator('toUpper', false))).toEqual({
      errorClass: 'SyntaxError',
      detail: 'UnknownFunction',
    });
  });
});

describe('count', () => {
  it('counts non-null values, and rows for count(*)', () => {
    expect(run('count', [1n, null, 'a'])).toBe(2n);
    const star = createAggregator('count', false);
    star.add([]);
    star.add([]);
    expect(star.result()).toBe(2n);
    expect(run('count', [])).toBe(0n);
  });

  it('DISTINCT dedupes by equivalence and ignores null (Aggregation8)', () => {
    expect(run('count', [null, null], true)).toBe(0n);
    expect(run('count', [1n, 1.0, 2n, node(1), node(1)], true)).toBe(3n);
    expect(run('collect', [null, 1n, null], true)).toEqual([1n]);
    expect(run('collect', [null, null], true)).toEqual([]);
  });
});

describe('sum / avg', () => {
  it('keeps integer sums exact and widens on floats', () => {
    expect(run('sum', [33n, null, 42n])).toBe(75n);
    expect(run('sum', [1n, 0.5])).toBe(1.5);
    expect(run('sum', [])).toBe(0n);
    const big: Value[] = [];
    for (let i = 1_000_000n; i < 1_003_000n; i++) big.push(i);
    expect(run('sum', big)).toBe(3004498500n);
  });

  it('raises on integer overflow and non-numbers', () => {
    expect(errorOf(() => run('sum', [INT64_MAX, 1n]))).toEqual({
      errorClass: 'ArithmeticError',
      detail: 'IntegerOverflow',
    });
    expect(errorOf(() => run('sum', ['a']))).toEqual({
      errorClass: 'TypeError',
      detail: 'InvalidArgumentType',
    });
  });

  it('avg is FLOAT and null on no input', () => {
    expect(run('avg', [1n, 2n, null])).toBe(1.5);
    expect(run('avg', [2n, 4.0])).toBe(3);
    expect(run('avg', [null])).toBeNull();
  });
});

describe('min / max (Aggregation2)', () => {
  it('over numbers, strings and lists', () => {
    expect(run('max', [1n, 2n, 0n, null, -1n])).toBe(2n);
    expect(run('min', [1n, 2n, 0n, null, -1n])).toBe(-1n);
    expect(run('max', [1n, 2.0, 5n, null, 3.2, 0.1])).toBe(5n);
    expect(run('min', [1n, 2.0, 5n, null, 3.2, 0.1])).toBe(0.1);
    expect(run('max', ['a', 'b', 'B', null, 'abc', 'abc1'])).toBe('b');
    expect(run('min', ['a', 'b', 'B', null, 'abc', 'abc1'])).toBe('B');
    expect(run('max', [[1n], [2n], [2n, 1n]])).toEqual([2n, 1n]);
    expect(run('min', [[1n], [2n], [2n, 1n]])).toEqual([1n]);
  });

  it('over mixed types uses the ORDER BY order', () => {
    const mixed: Value[] = [1n, 'a', null, [1n, 2n], 0.2, 'b'];
    expect(run('max', mixed)).toBe(1n);
    expect(run('min', mixed)).toEqual([1n, 2n]);
    expect(run('min', [null])).toBeNull();
  });
});

describe('collect / stDev', () => {
  it('collect drops nulls and keeps order', () => {
    expect(run('collect', [1n, null, 'a', 1n])).toEqual([1n, 'a', 1n]);
  });

  it('stDev is the sample deviation, stDevP the population one', () => {
    expect(run('stDev', [2n, 4n, 4n, 4n, 5n, 5n, 7n, 9n])).toBeCloseTo(2.138089935299395, 12);
    expect(run('stDevP', [2n, 4n, 4n, 4n, 5n, 5n, 7n, 9n])).toBeCloseTo(2, 12);
    expect(run('stDev', [1n])).toBe(0);
    expect(run('stDevP', [])).toBe(0);
  });
});

describe('percentiles (Aggregation6)', () => {
  const prices: Value[] = [10.0, 20.0, 30.0];
  it('percentileDisc picks an element', () => {
    expect(run('percentileDisc', prices, false, [0.0])).toBe(10.0);
    expect(run('percentileDisc', prices, false, [0.5])).toBe(20.0);
    expect(run('percentileDisc', prices, false, [1.0])).toBe(30.0);
    expect(run('percentileDisc', [1n, 2n, 3n, 4n], false, [0.5])).toBe(2n);
  });

  it('percentileCont interpolates', () => {
    expect(run('percentileCont', prices, false, [0.0])).toBe(10.0);
    expect(run('percentileCont', prices, false, [0.5])).toBe(20.0);
    expect(run('percentileCont', prices, false, [1.0])).toBe(30.0);
    expect(run('percentileCont', [1n, 2n, 3n, 4n], false, [0.5])).toBe(2.5);
    expect(run('percentileCont', [], false, [0.5])).toBeNull();
  });

  it('rejects percentiles outside [0, 1]', () => {
    const range = { errorClass: 'ArgumentError', detail: 'NumberOutOfRange' };
    for (const p of [1000n, -1n, 1.1]) {
      expect(errorOf(() => run('percentileCont', [10.0], false, [p]))).toEqual(range);
      expect(errorOf(() => run('percentileDisc', [10.0], false, [p]))).toEqual(range);
    }
    // Aggregation6 [5]: arguments swapped, so the "percentile" is a degree > 2.
    expect(errorOf(() => run('percentileDisc', [0.9], false, [3n]))).toEqual(range);
  });
});
