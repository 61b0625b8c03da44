import { describe, expect, it } from 'vitest';
import {
  regexMatch,
  stringContains,
  stringEndsWith,
  stringStartsWith,
} from '../../../src/engine/functions/index.js';
import type { Value } from '../../../src/engine/values.js';
import { errorOf, map } from './fake-context.js';

describe('STARTS WITH / ENDS WITH / CONTAINS', () => {
  it('matches prefixes, suffixes and substrings', () => {
    expect(stringStartsWith('ABCDEF', 'ABC')).toBe(true);
    expect(stringStartsWith('ABCDEF', 'abc')).toBe(false);
    expect(stringStartsWith('AB', '')).toBe(true);
    expect(stringEndsWith('ABCDEF', 'DEF')).toBe(true);
    expect(stringEndsWith('AB\n', '\n')).toBe(true);
    expect(stringContains('ABCDEF', 'CD')).toBe(true);
    expect(stringContains('ABCDEF', 'X')).toBe(false);
  });

  it('gives null for every non-string pairing (String8 [8])', () => {
    const operands: Value[] = [1n, 3.14, true, [], map({}), null];
    for (const a of operands) {
      for (const b of operands) {
        expect(stringStartsWith(a, b)).toBeNull();
        expect(stringEndsWith(a, b)).toBeNull();
        expect(stringContains(a, b)).toBeNull();
      }
      expect(stringStartsWith('a', a)).toBeNull();
    }
  });
});

describe('=~', () => {
  it('matches the whole string', () => {
    expect(regexMatch('ABCDEF', 'ABC')).toBe(false);
    expect(regexMatch('ABCDEF', 'ABC.*')).toBe(true);
    expect(regexMatch('abc', 'a|abc')).toBe(true);
  });

  it('understands Java inline flags', () => {
    expect(regexMatch('ABC', '(?i)abc')).toBe(true);
    expect(regexMatch('a\nb', '(?s)a.b')).toBe(true);
    expect(regexMatch('a\nb', 'a.b')).toBe(false);
  });

  it('is null for non-strings and rejects invalid patterns', () => {
    expect(regexMatch(null, 'a')).toBeNull();
    expect(regexMatch('a', null)).toBeNull();
    expect(regexMatch(1n, '1')).toBeNull();
    expect(errorOf(() => regexMatch('a', '('))).toEqual({
      errorClass: 'ArgumentError',
      detail: 'InvalidArgumentValue',
    });
  });
});
