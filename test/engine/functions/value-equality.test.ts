import { describe, expect, it } from 'vitest';
import { equals, equivalent, groupingKey, notEquals } from '../../../src/engine/functions/index.js';
import { Path } from '../../../src/engine/values.js';
import { map, node, rel } from './fake-context.js';

describe('equals (three-valued =)', () => {
  it('compares numbers across INTEGER and FLOAT exactly', () => {
    expect(equals(1n, 1.0)).toBe(true);
    expect(equals(1.0, 1n)).toBe(true);
    expect(equals(1n, 1.5)).toBe(false);
    // 2^53 + 1 is not representable as a float: it must not equal 2^53.
    expect(equals(9007199254740993n, 9007199254740992)).toBe(false);
    expect(equals(4611686018427387905n, 4611686018427387905n)).toBe(true);
    expect(equals(4611686018427387905n, 4611686018427387900n)).toBe(false);
  });

  it('treats NaN as unequal to everything including itself (Comparison1 [8])', () => {
    expect(equals(NaN, NaN)).toBe(false);
    expect(equals(NaN, 1n)).toBe(false);
    expect(equals(NaN, 'a')).toBe(false);
    expect(notEquals(NaN, NaN)).toBe(true);
  });

  it('returns null when either side is null', () => {
    expect(equals(null, null)).toBeNull();
    expect(equals(1n, null)).toBeNull();
    expect(notEquals(null, null)).toBeNull();
  });

  it('is false across types (Comparison1 [9])', () => {
    expect(equals('1', 1n)).toBe(false);
    expect(equals('1.0', 1.0)).toBe(false);
    expect(equals(true, 1n)).toBe(false);
    expect(equals([1n], 1n)).toBe(false);
  });

  it('compares lists element-wise with null propagation (Comparison1 [6])', () => {
    expect(equals([1n, 2n], [1n])).toBe(false);
    expect(equals([null], [1n])).toBeNull();
    expect(equals(['a'], [1n])).toBe(false);
    expect(equals([[1n]], [[1n], [null]])).toBe(false);
    expect(equals([[1n], [2n]], [[1n], [null]])).toBeNull();
    expect(equals([[1n], [2n, 3n]], [[1n], [null]])).toBe(false);
    expect(equals([1n, 2.0], [1.0, 2n])).toBe(true);
  });

  it('compares maps by keys then values (Comparison1 [7])', () => {
    expect(equals(map({}), map({}))).toBe(true);
    expect(equals(map({ k: 1n }), map({ k: 1n }))).toBe(true);
    expect(equals(map({ k: 1n }), map({ l: 1n }))).toBe(false);
    expect(equals(map({ k: null }), map({ k: null }))).toBeNull();
    expect(equals(map({ k: 1n, l: null }), map({ k: null, l: 1n }))).toBeNull();
    expect(equals(map({ k: 1n, l: null }), map({ k: 2n, l: 1n }))).toBe(false);
    expect(equals(map({ k: 1n }), map({ k: 1n, l: null }))).toBe(false);
  });

  it('compares graph entities by id and paths by their elements', () => {
    expect(equals(node(1, ['A']), node(1, ['B']))).toBe(true);
    expect(equals(node(1), node(2))).toBe(false);
    expect(equals(rel(1, 'T', 1, 2), rel(1, 'T', 1, 2))).toBe(true);
    expect(equals(node(1), rel(1, 'T', 1, 1))).toBe(false);
    const p1 = new Path([node(1), node(1)], [rel(5, 'LOOP', 1, 1)]);
    const p2 = new Path([node(1), node(1)], [rel(5, 'LOOP', 1, 1)]);
    expect(equals(p1, p2)).toBe(true);
    expect(equals(p1, new Path([node(1)], []))).toBe(false);
  });
});

describe('groupingKey / equivalent', () => {
  it('puts null with null and NaN with NaN', () => {
    expect(equivalent(null, null)).toBe(true);
    expect(equivalent(NaN, NaN)).toBe(true);
    expect(equivalent(null, NaN)).toBe(false);
  });

  it('groups 1 with 1.0 but keeps 1 and "1" apart', () => {
    expect(groupingKey(1n)).toBe(groupingKey(1.0));
    expect(groupingKey(1n)).not.toBe(groupingKey('1'));
    expect(groupingKey(1.5)).not.toBe(groupingKey(1n));
    expect(groupingKey(2n ** 60n)).toBe(groupingKey(2 ** 60));
    expect(groupingKey(2n ** 60n + 1n)).not.toBe(groupingKey(2 ** 60));
  });

  it('keys nested values unambiguously', () => {
    expect(groupingKey(['a,b'])).not.toBe(groupingKey(['a', 'b']));
    expect(groupingKey([null])).toBe(groupingKey([null]));
    expect(groupingKey([1n, [2.0]])).toBe(groupingKey([1.0, [2n]]));
    expect(groupingKey(map({ a: 1n, b: 2n }))).toBe(groupingKey(map({ b: 2n, a: 1n })));
    expect(groupingKey(map({ a: 1n }))).not.toBe(groupingKey(map({ a: '1' })));
    expect(groupingKey(node(3))).toBe(groupingKey(node(3, ['X'])));
    expect(groupingKey(node(3))).not.toBe(groupingKey(rel(3, 'T', 1, 2)));
    expect(groupingKey(true)).not.toBe(groupingKey('T'));
  });
});
