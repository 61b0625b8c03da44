import { describe, expect, it } from 'vitest';
import {
  compare,
  greaterThan,
  greaterThanOrEqual,
  lessThan,
  lessThanOrEqual,
  orderCompare,
} from '../../../src/engine/functions/index.js';
import { Path, type Value } from '../../../src/engine/values.js';
import { map, node, rel } from './fake-context.js';

describe('compare (three-valued <, <=, >, >=)', () => {
  it('compares INTEGER and FLOAT numerically and exactly', () => {
    expect(compare(1n, 2n)).toBeLessThan(0);
    expect(compare(2n, 1.5)).toBeGreaterThan(0);
    expect(compare(1n, 1.0)).toBe(0);
    expect(compare(1.5, 2n)).toBeLessThan(0);
    // Beyond 2^53 the float 2^53 and the integer 2^53 + 1 must still be ordered.
    expect(compare(9007199254740993n, 9007199254740992)).toBeGreaterThan(0);
    expect(compare(9007199254740992, 9007199254740993n)).toBeLessThan(0);
    expect(compare(2n ** 62n, Infinity)).toBeLessThan(0);
    expect(compare(-(2n ** 62n), -Infinity)).toBeGreaterThan(0);
    expect(compare(-(2n ** 62n), -(2 ** 62) - 0.5 * 2 ** 11)).toBeGreaterThan(0);
  });

  it('makes every comparison with NaN false', () => {
    for (const other of [1n, 1.0, NaN]) {
      expect(lessThan(NaN, other)).toBe(false);
      expect(lessThanOrEqual(NaN, other)).toBe(false);
      expect(greaterThan(other, NaN)).toBe(false);
      expect(greaterThanOrEqual(other, NaN)).toBe(false);
    }
  });

  it('orders strings, booleans and lists', () => {
    expect(lessThan('a', 'b')).toBe(true);
    expect(lessThan('B', 'a')).toBe(true);
    expect(lessThan(false, true)).toBe(true);
    expect(lessThan([1n, 2n], [1n, 3n])).toBe(true);
    expect(lessThan([1n], [1n, 0n])).toBe(true);
    expect(greaterThanOrEqual([2n], [1n, 5n])).toBe(true);
  });

  it('is null for incomparable or null operands', () => {
    expect(compare(1n, 'a')).toBeNull();
    expect(compare('1', 1n)).toBeNull();
    expect(compare(true, 1n)).toBeNull();
    expect(compare(null, 1n)).toBeNull();
    expect(compare(1n, null)).toBeNull();
    expect(compare(map({ a: 1n }), map({ a: 1n }))).toBeNull();
    expect(compare(node(1), node(2))).toBeNull();
    expect(lessThan([1n, null], [1n, 2n])).toBeNull();
    expect(lessThan([1n, 'a'], [1n, 2n])).toBeNull();
    // The first differing element decides before a later null is seen.
    expect(lessThan([1n, null], [2n, 2n])).toBe(true);
    expect(lessThanOrEqual(null, null)).toBeNull();
  });
});

describe('orderCompare (ORDER BY total order)', () => {
  const n = node(1, ['N']);
  const r = rel(1, 'REL', 1, 2);
  const p = new Path([n, node(2)], [r]);

  it('orders distinct types as ReturnOrderBy1 [11] expects', () => {
    const input: Value[] = [n, r, p, 1.5, ['list'], 'text', null, false, NaN, map({ a: 'map' })];
    const sorted = [...input].sort(orderCompare);
    expect(sorted).toEqual([map({ a: 'map' }), n, r, ['list'], p, 'text', false, 1.5, NaN, null]);
  });

  it('sorts numbers numerically with NaN above all numbers and null last', () => {
    const sorted = [3n, NaN, null, -Infinity, 2.5, Infinity, 1n].sort(orderCompare);
    expect(sorted).toEqual([-Infinity, 1n, 2.5, 3n, Infinity, NaN, null]);
    expect(orderCompare(1n, 1.0)).toBe(0);
    expect(orderCompare(NaN, NaN)).toBe(0);
  });

  it('orders lists lexicographically and shorter first', () => {
    const sorted = [[2n, 1n], [1n], [2n], [], [1n, null]].sort(orderCompare);
    expect(sorted).toEqual([[], [1n], [1n, null], [2n], [2n, 1n]]);
  });

  it('orders mixed values for min/max like Aggregation2 [11]/[12]', () => {
    const values: Value[] = [1n, 'a', [1n, 2n], 0.2, 'b'];
    const sorted = [...values].sort(orderCompare);
    expect(sorted[0]).toEqual([1n, 2n]);
    expect(sorted[sorted.length - 1]).toBe(1n);
  });

  it('orders nodes and relationships by id', () => {
    expect(orderCompare(node(1), node(2))).toBeLessThan(0);
    expect(orderCompare(rel(9, 'T', 1, 2), rel(3, 'T', 1, 2))).toBeGreaterThan(0);
  });
});

describe('orderCompare on maps and paths', () => {
  it('orders maps by size, then sorted keys, then values', () => {
    expect(orderCompare(map({ a: 1n }), map({ a: 1n, b: 1n }))).toBeLessThan(0);
    expect(orderCompare(map({ a: 1n }), map({ b: 0n }))).toBeLessThan(0);
    expect(orderCompare(map({ a: 2n }), map({ a: 1n }))).toBeGreaterThan(0);
    expect(orderCompare(map({ b: 1n, a: 1n }), map({ a: 1n, b: 1n }))).toBe(0);
  });

  it('orders paths element by element, shorter first', () => {
    const a = node(1);
    const b = node(2);
    const c = node(3);
    const short = new Path([a], []);
    const ab = new Path([a, b], [rel(10, 'T', 1, 2)]);
    const ab2 = new Path([a, b], [rel(11, 'T', 1, 2)]);
    const ac = new Path([a, c], [rel(10, 'T', 1, 3)]);
    expect(orderCompare(short, ab)).toBeLessThan(0);
    expect(orderCompare(ab, ab2)).toBeLessThan(0);
    expect(orderCompare(ab, ac)).toBeLessThan(0);
    expect(orderCompare(ac, ab)).toBeGreaterThan(0);
    expect(orderCompare(ab, new Path([a, b], [rel(10, 'T', 1, 2)]))).toBe(0);
  });

  it('orders booleans false before true', () => {
    expect([true, false].sort(orderCompare)).toEqual([false, true]);
  });
});
