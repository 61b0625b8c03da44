import { describe, expect, it } from 'vitest';
import { and, isTrue, not, or, quantify, xor } from '../../../src/engine/functions/index.js';
import { errorOf } from './fake-context.js';

const T = true;
const F = false;
const N = null;

describe('three-valued logic', () => {
  it('AND truth table (Boolean1)', () => {
    expect([and(T, T), and(T, F), and(F, T), and(F, F)]).toEqual([T, F, F, F]);
    expect([and(T, N), and(N, T), and(F, N), and(N, F), and(N, N)]).toEqual([N, N, F, F, N]);
  });

  it('OR truth table (Boolean2)', () => {
    expect([or(T, T), or(T, F), or(F, T), or(F, F)]).toEqual([T, T, T, F]);
    expect([or(T, N), or(N, T), or(F, N), or(N, F), or(N, N)]).toEqual([T, T, N, N, N]);
  });

  it('XOR truth table (Boolean3)', () => {
    expect([xor(T, T), xor(T, F), xor(F, T), xor(F, F)]).toEqual([F, T, T, F]);
    expect([xor(T, N), xor(N, F), xor(N, N)]).toEqual([N, N, N]);
  });

  it('NOT (Boolean4)', () => {
    expect([not(T), not(F), not(N)]).toEqual([F, T, N]);
  });

  it('rejects non-boolean operands with a TypeError', () => {
    const type = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
    expect(errorOf(() => and(123n, true))).toEqual(type);
    expect(errorOf(() => and(false, 'foo'))).toEqual(type);
    expect(errorOf(() => or([], false))).toEqual(type);
    expect(errorOf(() => xor(null, 1.5))).toEqual(type);
    expect(errorOf(() => not(0n))).toEqual(type);
  });

  it('isTrue only accepts true', () => {
    expect([isTrue(true), isTrue(false), isTrue(null), isTrue(1n)]).toEqual([true, false, false, false]);
  });
});

describe('quantify', () => {
  // Each case mirrors a Quantifier feature row: predicate results of `x = 2` / `x < 10`.
  it('any / none / all / single with nulls', () => {
    expect(quantify('any', [])).toBe(false);
    expect(quantify('none', [])).toBe(true);
    expect(quantify('all', [])).toBe(true);
    expect(quantify('single', [])).toBe(false);
    expect(quantify('any', [null])).toBeNull();
    expect(quantify('any', [false, null])).toBeNull();
    expect(quantify('any', [true, null])).toBe(true);
    expect(quantify('none', [null, true])).toBe(false);
    expect(quantify('none', [false, null])).toBeNull();
    expect(quantify('all', [true, null])).toBeNull();
    expect(quantify('all', [null, false])).toBe(false);
    expect(quantify('single', [true, null])).toBeNull();
    expect(quantify('single', [false, true, null, true, false])).toBe(false);
    expect(quantify('single', [false, true, false])).toBe(true);
  });

  it('stops consuming the iterable once decided', () => {
    let pulled = 0;
    function* results(): Generator<boolean> {
      for (const r of [false, true, true, true]) {
        pulled++;
        yield r;
      }
    }
    expect(quantify('any', results())).toBe(true);
    expect(pulled).toBe(2);
  });

  it('rejects non-boolean predicate results', () => {
    expect(errorOf(() => quantify('all', [1n]))).toEqual({
      errorClass: 'TypeError',
      detail: 'InvalidArgumentType',
    });
  });
});
