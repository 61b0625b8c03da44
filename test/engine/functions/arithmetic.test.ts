import { describe, expect, it } from 'vitest';
import {
  add,
  divide,
  INT64_MAX,
  INT64_MIN,
  modulo,
  multiply,
  negate,
  power,
  subtract,
  unaryPlus,
} from '../../../src/engine/functions/index.js';
import { errorOf, map } from './fake-context.js';

const OVERFLOW = { errorClass: 'ArithmeticError', detail: 'IntegerOverflow' };
const TYPE = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };

describe('add', () => {
  it('keeps INTEGER + INTEGER exact and widens mixed numbers to FLOAT', () => {
    expect(add(99n, 5n)).toBe(104n);
    expect(add(2n ** 62n, 2n ** 62n - 1n)).toBe(INT64_MAX);
    expect(add(1n, 0.5)).toBe(1.5);
    expect(add(0.5, 1n)).toBe(1.5);
    expect(add(0.25, 0.5)).toBe(0.75);
  });

  it('raises IntegerOverflow instead of losing precision', () => {
    expect(errorOf(() => add(INT64_MAX, 1n))).toEqual(OVERFLOW);
    expect(errorOf(() => add(INT64_MIN, -1n))).toEqual(OVERFLOW);
  });

  it('concatenates strings, including with numbers', () => {
    expect(add('nam', 'e')).toBe('name');
    expect(add('a', 1n)).toBe('a1');
    expect(add(1.5, 'a')).toBe('1.5a');
    expect(add('x', 1.0)).toBe('x1.0');
  });

  it('concatenates lists and appends/prepends elements (List4)', () => {
    expect(add([1n, 10n, 100n], [4n, 5n])).toEqual([1n, 10n, 100n, 4n, 5n]);
    expect(add([false, true], false)).toEqual([false, true, false]);
    expect(add(0n, [1n])).toEqual([0n, 1n]);
    expect(add([1n], [[2n]])).toEqual([1n, [2n]]);
  });

  it('propagates null and rejects other combinations', () => {
    expect(add(null, 1n)).toBeNull();
    expect(add('a', null)).toBeNull();
    expect(add([1n], null)).toBeNull();
    expect(errorOf(() => add(true, 1n))).toEqual(TYPE);
    expect(errorOf(() => add(map({}), 1n))).toEqual(TYPE);
    expect(errorOf(() => add('a', true))).toEqual(TYPE);
  });
});

describe('subtract / multiply', () => {
  it('computes exact integers and checks overflow', () => {
    expect(subtract(5n, 7n)).toBe(-2n);
    expect(subtract(5n, 0.5)).toBe(4.5);
    expect(multiply(3n, 4n)).toBe(12n);
    expect(multiply(3n, 0.5)).toBe(1.5);
    expect(errorOf(() => subtract(INT64_MIN, 1n))).toEqual(OVERFLOW);
    expect(errorOf(() => multiply(2n ** 32n, 2n ** 32n))).toEqual(OVERFLOW);
    expect(errorOf(() => subtract('a', 1n))).toEqual(TYPE);
    expect(subtract(null, 1n)).toBeNull();
    expect(multiply(2n, null)).toBeNull();
  });
});

describe('divide / modulo', () => {
  it('truncates integer division toward zero', () => {
    expect(divide(7n, 2n)).toBe(3n);
    expect(divide(-7n, 2n)).toBe(-3n);
    expect(divide(7n, 2.0)).toBe(3.5);
  });

  it('raises on integer division by zero but follows IEEE for floats', () => {
    expect(errorOf(() => divide(1n, 0n))).toEqual({
      errorClass: 'ArithmeticError',
      detail: 'DivisionByZero',
    });
    expect(errorOf(() => modulo(1n, 0n))).toEqual({
      errorClass: 'ArithmeticError',
      detail: 'DivisionByZero',
    });
    expect(divide(1.0, 0n)).toBe(Infinity);
    expect(divide(-1n, 0.0)).toBe(-Infinity);
    expect(Number.isNaN(divide(0.0, 0.0))).toBe(true);
  });

  it('overflows on MIN / -1', () => {
    expect(errorOf(() => divide(INT64_MIN, -1n))).toEqual(OVERFLOW);
  });

  it('takes the sign of the dividend for %', () => {
    expect(modulo(7n, 3n)).toBe(1n);
    expect(modulo(-7n, 3n)).toBe(-1n);
    expect(modulo(7.5, 2n)).toBe(1.5);
    expect(modulo(null, 2n)).toBeNull();
  });
});

describe('power / negate / unary plus', () => {
  it('always returns FLOAT from ^', () => {
    expect(power(2n, 3n)).toBe(8);
    expect(typeof power(2n, 3n)).toBe('number');
    expect(power(4n, 0.5)).toBe(2);
    expect(power(null, 2n)).toBeNull();
    expect(errorOf(() => power('2', 2n))).toEqual(TYPE);
  });

  it('negates with overflow checking', () => {
    expect(negate(5n)).toBe(-5n);
    expect(negate(-1.5)).toBe(1.5);
    expect(negate(INT64_MAX)).toBe(INT64_MIN + 1n);
    expect(errorOf(() => negate(INT64_MIN))).toEqual(OVERFLOW);
    expect(errorOf(() => negate('a'))).toEqual(TYPE);
    expect(negate(null)).toBeNull();
    expect(unaryPlus(3n)).toBe(3n);
    expect(errorOf(() => unaryPlus(true))).toEqual(TYPE);
  });
});
