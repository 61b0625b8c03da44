import { describe, expect, it } from 'vitest';
import { callFunction } from '../../../src/engine/functions/index.js';
import { Path, type Value } from '../../../src/engine/values.js';
import { errorOf, fakeContext, map, node, rel } from './fake-context.js';

const n1 = node(1, ['Stale'], { name: 'stale' });
const n2 = node(2, ['B']);
const r = rel(10, 'KNOWS', 1, 2, { since: 1999n });
const ctx = fakeContext({
  labels: new Map([[1, ['A', 'B']]]),
  nodeProps: new Map([
    [
      1,
      new Map<string, Value>([
        ['name', 'Alice'],
        ['age', 38n],
      ]),
    ],
  ]),
  relProps: new Map([[10, new Map<string, Value>([['since', 2001n]])]]),
  nodes: new Map([
    [1, n1],
    [2, n2],
  ]),
});
const call = (name: string, ...args: Value[]): Value => callFunction(name, args, ctx);
const TYPE = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
const VALUE = { errorClass: 'TypeError', detail: 'InvalidArgumentValue' };
const RANGE = { errorClass: 'ArgumentError', detail: 'NumberOutOfRange' };

describe('graph functions', () => {
  it('id, labels, type, keys, properties read current state through ctx.graph', () => {
    expect(call('id', n1)).toBe(1n);
    expect(call('id', r)).toBe(10n);
    expect(call('labels', n1)).toEqual(['A', 'B']);
    expect(call('type', r)).toBe('KNOWS');
    expect(call('keys', n1)).toEqual(['name', 'age']);
    expect(call('keys', r)).toEqual(['since']);
    expect(call('properties', n1)).toEqual(
      new Map<string, Value>([
        ['name', 'Alice'],
        ['age', 38n],
      ]),
    );
    expect(call('properties', map({ a: 1n }))).toEqual(map({ a: 1n }));
    expect(call('startNode', r)).toBe(n1);
    expect(call('endNode', r)).toBe(n2);
  });

  it('keys() of a map keeps null-valued keys (Map3 [4])', () => {
    expect(call('keys', map({ k: null, l: 1n }))).toEqual(['k', 'l']);
    expect(call('keys', map({}))).toEqual([]);
  });

  it('passes null through and rejects wrong types', () => {
    for (const f of [
      'id',
      'labels',
      'type',
      'keys',
      'properties',
      'startNode',
      'endNode',
      'length',
      'nodes',
    ]) {
      expect(call(f, null)).toBeNull();
    }
    expect(errorOf(() => call('type', n1))).toEqual(VALUE);
    expect(errorOf(() => call('type', 1n))).toEqual(VALUE);
    // Like type() in TCK Graph4 [6]: a wrong type at runtime is InvalidArgumentValue.
    expect(errorOf(() => call('labels', r))).toEqual(VALUE);
    expect(errorOf(() => call('keys', 1n))).toEqual(VALUE);
    expect(errorOf(() => call('nodes', n1))).toEqual(VALUE);
  });

  it('path functions', () => {
    const p = new Path([n1, n2], [r]);
    expect(call('length', p)).toBe(1n);
    expect(call('nodes', p)).toEqual([n1, n2]);
    expect(call('relationships', p)).toEqual([r]);
    expect(call('length', new Path([n1], []))).toBe(0n);
  });
});

describe('list functions', () => {
  it('size, head, last, tail, reverse', () => {
    expect(call('size', [1n, 2n])).toBe(2n);
    expect(call('size', 'héllo')).toBe(5n);
    expect(call('size', '😀a')).toBe(2n);
    expect(call('head', [1n, 2n])).toBe(1n);
    expect(call('head', [])).toBeNull();
    expect(call('last', [1n, 2n])).toBe(2n);
    expect(call('last', [])).toBeNull();
    expect(call('tail', [1n, 2n, 3n])).toEqual([2n, 3n]);
    expect(call('tail', [])).toEqual([]);
    expect(call('reverse', [1n, 'a', null])).toEqual([null, 'a', 1n]);
    expect(call('reverse', 'raksO')).toBe('Oskar');
    expect(call('reverse', 'a😀b')).toBe('b😀a');
    expect(call('size', null)).toBeNull();
    expect(errorOf(() => call('size', 1n))).toEqual(TYPE);
    expect(errorOf(() => call('head', 'abc'))).toEqual(TYPE);
  });

  it('range with default and explicit steps (List11)', () => {
    expect(call('range', -1236n, -1234n)).toEqual([-1236n, -1235n, -1234n]);
    expect(call('range', 0n, -1n)).toEqual([]);
    expect(call('range', 1381n, -3412n, -1298n)).toEqual([1381n, 83n, -1215n, -2513n]);
    expect(call('range', 0n, 10n, 3n)).toEqual([0n, 3n, 6n, 9n]);
    expect(call('range', 0n, 5n, -1n)).toEqual([]);
  });

  it('range rejects step 0 and non-integer arguments', () => {
    expect(errorOf(() => call('range', 2n, 8n, 0n))).toEqual(RANGE);
    const argType = { errorClass: 'ArgumentError', detail: 'InvalidArgumentType' };
    for (const bad of [true, 0.0, -0.0, 1.1, 'xyz', [0n], map({ start: 0n }), null]) {
      expect(errorOf(() => call('range', bad, 1n, 1n))).toEqual(argType);
      expect(errorOf(() => call('range', 0n, bad, 1n))).toEqual(argType);
      expect(errorOf(() => call('range', 0n, 1n, bad))).toEqual(argType);
    }
    expect(errorOf(() => call('range', 0n, 10n ** 12n))).toEqual(RANGE);
  });

  it('coalesce, isEmpty, nullIf', () => {
    expect(call('coalesce', null, null, 2n, 3n)).toBe(2n);
    expect(call('coalesce', null)).toBeNull();
    expect(call('isEmpty', [])).toBe(true);
    expect(call('isEmpty', 'a')).toBe(false);
    expect(call('isEmpty', map({}))).toBe(true);
    expect(call('nullIf', 1n, 1.0)).toBeNull();
    expect(call('nullIf', 1n, 2n)).toBe(1n);
  });
});

describe('string functions', () => {
  it('substring, left, right', () => {
    expect(call('substring', '0123456789', 1n)).toBe('123456789');
    expect(call('substring', '0123456789', 1n, 3n)).toBe('123');
    expect(call('substring', 'abc', 5n)).toBe('');
    expect(call('left', 'abcdef', 3n)).toBe('abc');
    expect(call('right', 'abcdef', 2n)).toBe('ef');
    expect(call('right', 'ab', 5n)).toBe('ab');
    expect(call('left', null, 1n)).toBeNull();
    expect(errorOf(() => call('substring', 'abc', -1n))).toEqual(RANGE);
    expect(errorOf(() => call('left', 'abc', -1n))).toEqual(RANGE);
    expect(errorOf(() => call('left', 'abc', null))).toEqual(TYPE);
  });

  it('case, trimming, replace, split', () => {
    expect(call('toUpper', 'abc')).toBe('ABC');
    expect(call('toLower', 'ABC')).toBe('abc');
    expect(call('trim', '  a b  ')).toBe('a b');
    expect(call('ltrim', '  a ')).toBe('a ');
    expect(call('rtrim', '  a ')).toBe('  a');
    expect(call('btrim', 'xxaxx', 'x')).toBe('a');
    expect(call('replace', 'hello', 'l', 'w')).toBe('hewwo');
    expect(call('replace', 'hello', 'l', null)).toBeNull();
    expect(call('split', 'one1two', '1')).toEqual(['one', 'two']);
    expect(call('split', 'a,b,', ',')).toEqual(['a', 'b', '']);
    expect(call('split', 'abc', '')).toEqual(['a', 'b', 'c']);
    expect(call('split', 'a,b;c', [',', ';'])).toEqual(['a', 'b', 'c']);
    expect(call('toUpper', null)).toBeNull();
    expect(errorOf(() => call('toUpper', 1n))).toEqual(TYPE);
  });
});

describe('math functions', () => {
  it('abs and sign keep INTEGER', () => {
    expect(call('abs', -1n)).toBe(1n);
    expect(call('abs', -1.5)).toBe(1.5);
    expect(errorOf(() => call('abs', -(2n ** 63n)))).toEqual({
      errorClass: 'ArithmeticError',
      detail: 'IntegerOverflow',
    });
    expect(call('sign', -5n)).toBe(-1n);
    expect(call('sign', 0.0)).toBe(0n);
    expect(call('sign', 2.5)).toBe(1n);
  });

  it('ceil, floor, round return FLOAT', () => {
    expect(call('ceil', 1.2)).toBe(2);
    expect(call('floor', 1.8)).toBe(1);
    expect(call('floor', 3n)).toBe(3);
    expect(call('round', 2.5)).toBe(3);
    expect(call('round', -2.5)).toBe(-2);
    expect(Object.is(call('round', -0.4), 0)).toBe(true);
    expect(call('round', 3.14159, 2n)).toBe(3.14);
    expect(call('round', 2.675, 2n)).toBe(2.68);
    // Neo4j 5: without a mode, round(x, p) rounds halves towards +infinity like round(x)
    expect(call('round', -1.5, 0n)).toBe(-1);
    expect(call('round', -2.55, 1n)).toBe(-2.5);
    expect(call('round', -1.5, 0n, 'HALF_UP')).toBe(-2);
    expect(call('round', 1234.5, -2n)).toBe(1200);
    expect(call('round', 2.5, 0n, 'HALF_EVEN')).toBe(2);
    expect(call('round', 3.5, 0n, 'half_even')).toBe(4);
    expect(call('round', 1.21, 1n, 'CEILING')).toBe(1.3);
    expect(call('round', -1.21, 1n, 'CEILING')).toBe(-1.2);
    expect(call('round', 1.29, 1n, 'DOWN')).toBe(1.2);
    expect(call('round', 1.21, 1n, 'UP')).toBe(1.3);
    expect(call('round', -1.21, 1n, 'UP')).toBe(-1.3);
    expect(call('round', -1.21, 1n, 'FLOOR')).toBe(-1.3);
    expect(call('round', 1.29, 1n, 'FLOOR')).toBe(1.2);
    expect(call('round', 1.25, 1n, 'HALF_DOWN')).toBe(1.2);
    expect(call('round', 1.26, 1n, 'HALF_DOWN')).toBe(1.3);
    expect(call('round', 1.35, 1n, 'HALF_EVEN')).toBe(1.4);
    expect(call('round', 1.5, 5n)).toBe(1.5);
    expect(Object.is(call('round', -0.4, 0n), 0)).toBe(true);
    expect(call('round', 1e20, -19n)).toBe(1e20);
    expect(call('round', null, 1n)).toBeNull();
    expect(call('round', Infinity, 1n)).toBe(Infinity);
    expect(errorOf(() => call('round', 1.2, 1n, 'SIDEWAYS'))).toEqual({
      errorClass: 'ArgumentError',
      detail: 'InvalidArgumentValue',
    });
  });

  it('transcendental functions and constants', () => {
    expect(call('sqrt', 12.96)).toBeCloseTo(3.6, 12);
    expect(call('sqrt', 16n)).toBe(4);
    expect(call('exp', 0n)).toBe(1);
    expect(call('log', Math.E)).toBe(1);
    expect(call('log10', 1000n)).toBe(3);
    expect(call('e')).toBe(Math.E);
    expect(call('pi')).toBe(Math.PI);
    expect(call('degrees', Math.PI)).toBe(180);
    expect(call('radians', 180n)).toBe(Math.PI);
    expect(call('haversin', 0n)).toBe(0);
    expect(call('atan2', 1n, 1n)).toBeCloseTo(Math.PI / 4, 12);
    expect(call('cot', 1n)).toBeCloseTo(1 / Math.tan(1), 12);
    expect(call('sin', null)).toBeNull();
    expect(errorOf(() => call('sin', 'x'))).toEqual(TYPE);
    const r1 = call('rand') as number;
    expect(r1 >= 0 && r1 < 1).toBe(true);
  });

  it('timestamp comes from the query clock', () => {
    expect(call('timestamp')).toBe(1_700_000_000_000n);
  });

  it('randomUUID returns a version-4 UUID', () => {
    expect(call('randomUUID')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('conversion functions (TypeConversion2-4)', () => {
  it('toInteger', () => {
    expect(call('toInteger', 82.9)).toBe(82n);
    expect(call('toInteger', -2.9)).toBe(-2n);
    expect(call('toInteger', 'foo')).toBeNull();
    expect(call('toInteger', '')).toBeNull();
    expect(call('toInteger', '42')).toBe(42n);
    expect(call('toInteger', '1.7')).toBe(1n);
    expect(call('toInteger', '9223372036854775807')).toBe(9223372036854775807n);
    expect(call('toInteger', true)).toBe(1n);
    expect(call('toInteger', null)).toBeNull();
    for (const bad of [[], map({}), n1, r, new Path([n1], [])]) {
      expect(errorOf(() => call('toInteger', bad))).toEqual(VALUE);
    }
    expect(call('toIntegerOrNull', [])).toBeNull();
  });

  it('toFloat', () => {
    expect(call('toFloat', 3n)).toBe(3);
    expect(call('toFloat', '5')).toBe(5);
    expect(call('toFloat', '1e3')).toBe(1000);
    expect(call('toFloat', 'foo')).toBeNull();
    expect(call('toFloat', '')).toBeNull();
    for (const bad of [true, [], map({}), n1, r]) {
      expect(errorOf(() => call('toFloat', bad))).toEqual(VALUE);
    }
    expect(call('toFloatOrNull', true)).toBeNull();
  });

  it('toBoolean', () => {
    expect(call('toBoolean', 'true')).toBe(true);
    expect(call('toBoolean', ' FALSE ')).toBe(false);
    expect(call('toBoolean', 'yes')).toBeNull();
    expect(call('toBoolean', 0n)).toBe(false);
    expect(errorOf(() => call('toBoolean', 1.5))).toEqual(VALUE);
    expect(call('toBooleanOrNull', 1.5)).toBeNull();
  });

  it('toString', () => {
    expect(call('toString', 42n)).toBe('42');
    expect(call('toString', 2.3)).toBe('2.3');
    expect(call('toString', 1.0)).toBe('1.0');
    expect(call('toString', true)).toBe('true');
    expect(call('toString', 'apa')).toBe('apa');
    expect(call('toString', null)).toBeNull();
    for (const bad of [[], map({}), n1, r, new Path([n1], [])]) {
      expect(errorOf(() => call('toString', bad))).toEqual(VALUE);
    }
  });

  it('list variants convert element-wise to null on failure', () => {
    expect(call('toIntegerList', ['1', 'x', 2.5, null])).toEqual([1n, null, 2n, null]);
    expect(call('toStringList', [1n, [], 1.5])).toEqual(['1', null, '1.5']);
    expect(call('toFloatList', null)).toBeNull();
  });
});

describe('valueType / normalize', () => {
  it('describes runtime types', () => {
    expect(call('valueType', null)).toBe('NULL');
    expect(call('valueType', 1n)).toBe('INTEGER NOT NULL');
    expect(call('valueType', 1.5)).toBe('FLOAT NOT NULL');
    expect(call('valueType', n1)).toBe('NODE NOT NULL');
    expect(call('valueType', [])).toBe('LIST<NOTHING> NOT NULL');
    expect(call('valueType', [1n, 2n])).toBe('LIST<INTEGER NOT NULL> NOT NULL');
    expect(call('valueType', [1n, 'a'])).toBe('LIST<INTEGER NOT NULL | STRING NOT NULL> NOT NULL');
    expect(call('valueType', [1n, null])).toBe('LIST<INTEGER> NOT NULL');
  });

  it('normalizes to the requested form', () => {
    expect(call('normalize', 'e\u0301')).toBe('\u00e9');
    expect(call('normalize', '\u00e9', 'NFD')).toBe('e\u0301');
    expect(errorOf(() => call('normalize', 'a', 'XYZ'))).toEqual({
      errorClass: 'ArgumentError',
      detail: 'InvalidArgumentValue',
    });
  });
});
