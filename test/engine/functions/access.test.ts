import { describe, expect, it } from 'vitest';
import { indexAccess, inList, propertyAccess, sliceList } from '../../../src/engine/functions/index.js';
import { errorOf, fakeContext, map, node, rel } from './fake-context.js';

const ctx = fakeContext({
  nodeProps: new Map([[1, new Map([['name', 'fresh']])]]),
  relProps: new Map([[7, new Map([['w', 2n]])]]),
});

describe('IN', () => {
  it('is three-valued (List5)', () => {
    expect(inList(1n, [1n, 2n])).toBe(true);
    expect(inList(1n, ['1'])).toBe(false);
    expect(inList([1n, 2n], [[1n, 2n], 3n])).toBe(true);
    expect(inList([1n], [[1n, 2n]])).toBe(false);
    expect(inList(null, null)).toBeNull();
    expect(inList(null, [null])).toBeNull();
    expect(inList(null, [])).toBe(false);
    expect(inList(3n, [1n, null])).toBeNull();
    expect(inList(1n, [null, 1n])).toBe(true);
    expect(inList([1n, null], [[1n, 2n]])).toBeNull();
    expect(
      inList(
        [1n, 2n],
        [
          [1n, null],
          [1n, 2n],
        ],
      ),
    ).toBe(true);
    expect(inList([1n, 2n], [[1n, null, 3n]])).toBe(false);
    expect(inList([], [[]])).toBe(true);
    expect(inList(1.0, [1n])).toBe(true);
  });

  it('rejects a non-list right-hand side', () => {
    expect(errorOf(() => inList(1n, 'foo'))).toEqual({
      errorClass: 'TypeError',
      detail: 'InvalidArgumentType',
    });
  });
});

describe('index access', () => {
  it('indexes lists with negative and out-of-range indexes', () => {
    const list = [1n, 2n, 3n];
    expect(indexAccess(list, 0n, ctx)).toBe(1n);
    expect(indexAccess(list, -1n, ctx)).toBe(3n);
    expect(indexAccess(list, 3n, ctx)).toBeNull();
    expect(indexAccess(list, -4n, ctx)).toBeNull();
    expect(indexAccess([[1n, [2n]]], 0n, ctx)).toEqual([1n, [2n]]);
    expect(indexAccess(null, 0n, ctx)).toBeNull();
    expect(indexAccess(list, null, ctx)).toBeNull();
  });

  it('rejects non-integer list indexes and non-container targets (List1 [6]-[9])', () => {
    const type = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
    expect(errorOf(() => indexAccess([1n], 1.0, ctx))).toEqual(type);
    expect(errorOf(() => indexAccess([1n], '0', ctx))).toEqual(type);
    expect(errorOf(() => indexAccess(true, 0n, ctx))).toEqual(type);
    expect(errorOf(() => indexAccess('1', 0n, ctx))).toEqual(type);
    expect(errorOf(() => indexAccess(100n, 0n, ctx))).toEqual(type);
  });

  it('reads maps and entities by string key (Map2, Graph7)', () => {
    const m = map({ name: 'Apa', NULL: 'Pontus' });
    expect(indexAccess(m, 'name', ctx)).toBe('Apa');
    expect(indexAccess(m, 'NULL', ctx)).toBe('Pontus');
    expect(indexAccess(m, 'missing', ctx)).toBeNull();
    expect(indexAccess(node(1, [], { name: 'stale' }), 'name', ctx)).toBe('fresh');
    expect(indexAccess(rel(7, 'T', 1, 2), 'w', ctx)).toBe(2n);
    const err = { errorClass: 'TypeError', detail: 'MapElementAccessByNonString' };
    expect(errorOf(() => indexAccess(m, 0n, ctx))).toEqual(err);
    expect(errorOf(() => indexAccess(m, 12.3, ctx))).toEqual(err);
  });

  it('reads properties through ctx.graph and returns null for null targets', () => {
    expect(propertyAccess(node(1, [], { name: 'stale' }), 'name', ctx)).toBe('fresh');
    expect(propertyAccess(node(2, [], { k: 1n }), 'k', ctx)).toBe(1n);
    expect(propertyAccess(node(2), 'nope', ctx)).toBeNull();
    expect(propertyAccess(null, 'k', ctx)).toBeNull();
    expect(propertyAccess(map({ k: 1n }), 'k', ctx)).toBe(1n);
    expect(errorOf(() => propertyAccess(1n, 'k', ctx))).toEqual({
      errorClass: 'TypeError',
      detail: 'InvalidArgumentType',
    });
  });
});

describe('slicing (List2)', () => {
  const list = [1n, 2n, 3n];
  it('slices with clamping and negative bounds', () => {
    expect(sliceList([1n, 2n, 3n, 4n, 5n], 1n, 3n)).toEqual([2n, 3n]);
    expect(sliceList(list, 1n, undefined)).toEqual([2n, 3n]);
    expect(sliceList(list, undefined, 2n)).toEqual([1n, 2n]);
    expect(sliceList(list, 0n, 1n)).toEqual([1n]);
    expect(sliceList(list, 0n, 0n)).toEqual([]);
    expect(sliceList(list, -3n, -1n)).toEqual([1n, 2n]);
    expect(sliceList(list, 3n, 1n)).toEqual([]);
    expect(sliceList(list, -5n, 5n)).toEqual([1n, 2n, 3n]);
  });

  it('is null for null bounds or a null list', () => {
    expect(sliceList(list, null, null)).toBeNull();
    expect(sliceList(list, 1n, null)).toBeNull();
    expect(sliceList(list, null, 3n)).toBeNull();
    expect(sliceList(list, undefined, null)).toBeNull();
    expect(sliceList(null, 1n, 2n)).toBeNull();
  });

  it('rejects non-integer bounds and non-lists', () => {
    const type = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
    expect(errorOf(() => sliceList(list, 1.5, 2n))).toEqual(type);
    expect(errorOf(() => sliceList('abc', 0n, 1n))).toEqual(type);
  });
});
