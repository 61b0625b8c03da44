import { describe, expect, it } from 'vitest';
import {
  callFunction,
  canonicalFunctionName,
  checkArity,
  functionArity,
  isKnownFunction,
  resolveFunction,
} from '../../../src/engine/functions/index.js';
import type { Value } from '../../../src/engine/values.js';
import { errorOf, fakeContext } from './fake-context.js';

const ctx = fakeContext();
const call = (name: string, ...args: Value[]): Value => callFunction(name, args, ctx);

describe('registry', () => {
  it('looks names up case-insensitively', () => {
    expect(isKnownFunction('toUpper')).toBe(true);
    expect(isKnownFunction('TOUPPER')).toBe(true);
    expect(isKnownFunction('count')).toBe(true);
    expect(isKnownFunction('percentileDisc')).toBe(true);
    expect(isKnownFunction('noSuchFunction')).toBe(false);
    expect(canonicalFunctionName('tointeger')).toBe('toInteger');
    expect(call('TOUPPER', 'a')).toBe('A');
  });

  it('reports arities, including variadic and aggregate ones', () => {
    expect(functionArity('substring')).toEqual({ min: 2, max: 3 });
    expect(functionArity('coalesce')).toEqual({ min: 1, max: Infinity });
    expect(functionArity('pi')).toEqual({ min: 0, max: 0 });
    expect(functionArity('percentileCont')).toEqual({ min: 2, max: 2 });
    expect(functionArity('nope')).toBeUndefined();
  });

  it('raises compile-time style errors for bad arity and unknown names', () => {
    expect(errorOf(() => checkArity('toUpper', 2))).toEqual({
      errorClass: 'SyntaxError',
      detail: 'InvalidNumberOfArguments',
    });
    expect(errorOf(() => call('toUpper'))).toEqual({
      errorClass: 'SyntaxError',
      detail: 'InvalidNumberOfArguments',
    });
    expect(errorOf(() => call('nope', 1n))).toEqual({ errorClass: 'SyntaxError', detail: 'UnknownFunction' });
    expect(errorOf(() => resolveFunction('count', 1))).toEqual({
      errorClass: 'SyntaxError',
      detail: 'InvalidAggregation',
    });
  });

  it('resolves a function once for repeated calls', () => {
    const f = resolveFunction('abs', 1);
    expect(f([-3n], ctx)).toBe(3n);
    expect(f([-2.5], ctx)).toBe(2.5);
  });
});
