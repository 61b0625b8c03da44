import { describe, expect, it } from 'vitest';
import { functionSignatures, lookupFunction } from '../../../src/cypher/index.js';
import {
  callFunction,
  implementedFunctionNames,
  isImplementedFunction,
  resolveFunction,
} from '../../../src/engine/functions/index.js';
import type { Value } from '../../../src/engine/values.js';
import { errorOf, fakeContext } from './fake-context.js';

const ctx = fakeContext();
const call = (name: string, ...args: Value[]): Value => callFunction(name, args, ctx);

describe('registry', () => {
  it('looks names up case-insensitively', () => {
    expect(isImplementedFunction('toUpper')).toBe(true);
    expect(isImplementedFunction('TOUPPER')).toBe(true);
    expect(isImplementedFunction('noSuchFunction')).toBe(false);
    expect(call('TOUPPER', 'a')).toBe('A');
  });

  it('implements exactly the scalar functions of the one catalogue the analyzer checks', () => {
    const scalar = functionSignatures().filter((s) => !s.aggregate);
    expect(scalar.filter((s) => !isImplementedFunction(s.name)).map((s) => s.name)).toEqual([]);
    expect(implementedFunctionNames().filter((n) => lookupFunction(n) === undefined)).toEqual([]);
  });

  it('raises compile-time style errors for bad arity and unknown names', () => {
    expect(errorOf(() => resolveFunction('toUpper', 2))).toEqual({
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
