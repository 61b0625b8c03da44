import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../src/storage/byte-writer.js';
import { readPropertiesById, writeProperties, writeValue } from '../../src/storage/property-codec.js';
import type { PropertyScalar, PropertyValue } from '../../src/storage/index.js';
import { openTempStore } from './helpers.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
/** Integers concentrated near the edges of the 64-bit range and of each width. */
const edgyInt = fc.oneof(
  int64,
  fc.bigInt({ min: INT64_MIN, max: INT64_MIN + 1000n }),
  fc.bigInt({ min: INT64_MAX - 1000n, max: INT64_MAX }),
  fc.constantFrom(
    -129n,
    -128n,
    127n,
    128n,
    -32769n,
    -32768n,
    32767n,
    32768n,
    -(2n ** 31n) - 1n,
    2n ** 31n,
    0n,
  ),
);
const scalar: fc.Arbitrary<PropertyScalar> = fc.oneof(
  edgyInt,
  fc.double(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
);
const value: fc.Arbitrary<PropertyValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 6 }));

function roundTrip(v: PropertyValue): PropertyValue {
  const w = new ByteWriter(4);
  writeProperties(w, new Map([[3, v]]));
  const r = new ByteReader(w.copy());
  return readPropertiesById(r).get(3)!;
}

/** Equality that keeps bigint and number apart and treats NaN as equal to itself. */
function sameValue(a: PropertyValue, b: PropertyValue): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  return Object.is(a, b);
}

describe('property codec', () => {
  it('round-trips every value exactly, keeping integers and floats distinct', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(sameValue(roundTrip(v), v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips integers near ±2^63 exactly', () => {
    fc.assert(
      fc.property(edgyInt, (v) => {
        const back = roundTrip(v);
        expect(typeof back).toBe('bigint');
        expect(back).toBe(v);
      }),
      { numRuns: 2000 },
    );
    for (const v of [INT64_MIN, INT64_MIN + 1n, INT64_MAX, INT64_MAX - 1n]) expect(roundTrip(v)).toBe(v);
  });

  it('keeps 1n and 1.0 as different types, and -0.0 as -0.0', () => {
    expect(roundTrip(1n)).toBe(1n);
    expect(roundTrip(1.0)).toBe(1);
    expect(typeof roundTrip(1.0)).toBe('number');
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(roundTrip([1n, 1.0])).toEqual([1n, 1]);
  });

  it('uses the narrowest integer width', () => {
    const size = (v: PropertyValue): number => {
      const w = new ByteWriter();
      writeValue(w, v);
      return w.pos;
    };
    expect(size(5n)).toBe(2);
    expect(size(300n)).toBe(3);
    expect(size(70000n)).toBe(5);
    expect(size(2n ** 40n)).toBe(9);
    expect(size(1.5)).toBe(9);
    expect(size('abc')).toBe(5);
  });

  it('round-trips property maps through the store', async () => {
    const t = await openTempStore({ sync: false });
    try {
      const ns = t.store.namespace('default');
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 8 }),
          async (d) => {
            const map = new Map(Object.entries(d));
            const id = await ns.write((tx) => tx.createNode(['T'], map));
            const back = ns.read((tx) => tx.getNode(id))!.properties;
            expect([...back.keys()].sort()).toEqual([...map.keys()].sort());
            for (const [k, v] of map) expect(sameValue(back.get(k)!, v)).toBe(true);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      await t.cleanup();
    }
  });
});
