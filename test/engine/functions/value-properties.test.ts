import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  compare,
  equals,
  groupingKey,
  INT64_MAX,
  INT64_MIN,
  multiply,
  orderCompare,
  subtract,
} from '../../../src/engine/functions/index.js';
import type { Value } from '../../../src/engine/values.js';
import { node, rel } from './fake-context.js';

const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  int64,
  fc.bigInt({ min: -5n, max: 5n }),
  fc.double(),
  fc.constantFrom(0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 60),
  fc.string({ maxLength: 4 }),
  fc.integer({ min: 0, max: 3 }).map((i) => node(i)),
  fc.integer({ min: 0, max: 3 }).map((i) => rel(i, 'T', 0, 1)),
);
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc
      .dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 2 })
      .map((o) => new Map(Object.entries(o)) as ReadonlyMap<string, Value>),
  ),
})).v;

const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0);
const opposite = (x: number): number => (x < 0 ? 1 : x > 0 ? -1 : 0);

describe('value semantics properties', () => {
  it('orderCompare is reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(orderCompare(a, a)).toBe(0);
        expect(sign(orderCompare(a, b))).toBe(opposite(orderCompare(b, a)));
      }),
      { numRuns: 2000 },
    );
  });

  it('orderCompare is transitive', () => {
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(orderCompare) as [Value, Value, Value];
        expect(orderCompare(x, y)).toBeLessThanOrEqual(0);
        expect(orderCompare(y, z)).toBeLessThanOrEqual(0);
        expect(orderCompare(x, z)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('equals is symmetric', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(equals(a, b)).toBe(equals(b, a));
      }),
      { numRuns: 2000 },
    );
  });

  it('equal values share a grouping key and compare as 0', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        if (equals(a, b) === true) {
          expect(groupingKey(a)).toBe(groupingKey(b));
          expect(orderCompare(a, b)).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('compare agrees with orderCompare whenever it is defined and not NaN', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const c = compare(a, b);
        if (c !== null && !Number.isNaN(c)) expect(sign(c)).toBe(sign(orderCompare(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('integer arithmetic is exact or raises, never a silent float', () => {
    const ops: [string, (a: Value, b: Value) => Value, (a: bigint, b: bigint) => bigint][] = [
      ['+', add, (a, b) => a + b],
      ['-', subtract, (a, b) => a - b],
      ['*', multiply, (a, b) => a * b],
    ];
    fc.assert(
      fc.property(int64, int64, fc.constantFrom(0, 1, 2), (a, b, i) => {
        const [, op, exact] = ops[i]!;
        const expected = exact(a, b);
        if (expected > INT64_MAX || expected < INT64_MIN) {
          expect(() => op(a, b)).toThrow(/overflow/);
        } else {
          expect(op(a, b)).toBe(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
