import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { ByteWriter } from '../../src/storage/byte-writer.js';
import { compareScalars, writeIndexValue } from '../../src/storage/index-value-codec.js';
import type { NamespaceHandle, PropertyScalar, RangeBound } from '../../src/storage/index.js';
import { openTempStore, props, type TempStore } from './helpers.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const number: fc.Arbitrary<PropertyScalar> = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -100n, max: 100n }),
  fc.bigInt({ min: 2n ** 53n - 10n, max: 2n ** 53n + 10n }),
  fc.bigInt({ min: INT64_MAX - 5000n, max: INT64_MAX }),
  fc.double({ noNaN: true }),
  fc.integer({ min: -100, max: 100 }).map((n) => n / 4),
  fc.constantFrom(2 ** 53, 2 ** 63, -(2 ** 63), 0, -0),
);
const shortString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'a', 'a\u0000', 'ab'),
);

function encode(v: PropertyScalar): Buffer {
  const w = new ByteWriter();
  writeIndexValue(w, v);
  return w.copy();
}

describe('index value encoding', () => {
  it('orders numbers numerically across integers and floats', () => {
    fc.assert(
      fc.property(number, number, (a, b) => {
        expect(Math.sign(Buffer.compare(encode(a), encode(b)))).toBe(compareScalars(a, b));
      }),
      { numRuns: 5000 },
    );
    expect(encode(1n).equals(encode(1.0))).toBe(true);
    expect(Buffer.compare(encode(INT64_MAX - 1n), encode(INT64_MAX))).toBe(-1);
    expect(Buffer.compare(encode(INT64_MAX), encode(2 ** 63))).toBe(-1);
    expect(Buffer.compare(encode(2n ** 53n + 1n), encode(2 ** 53))).toBe(1);
  });

  it('orders strings by code point', () => {
    fc.assert(
      fc.property(shortString, shortString, (a, b) => {
        const byCodePoint = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(Math.sign(Buffer.compare(encode(a), encode(b)))).toBe(byCodePoint);
      }),
      { numRuns: 3000 },
    );
    // UTF-16 order would put U+FFFF after U+1F600; code point order does not.
    expect(Buffer.compare(encode('\uffff'), encode('\u{1F600}'))).toBe(-1);
  });
});

describe('property indexes', () => {
  let t: TempStore;
  let ns: NamespaceHandle;

  beforeEach(async () => {
    t = await openTempStore({ sync: false });
    ns = t.store.namespace('default');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('fills on creation, then follows every change', async () => {
    await ns.write((tx) => {
      tx.createNode(['P'], props({ name: 'a' }));
      tx.createNode(['P'], props({ name: 'b' }));
      tx.createNode(['Q'], props({ name: 'a' }));
    });
    const def = await ns.write((tx) => tx.createIndex('P', 'name'));
    expect(def).toEqual({ name: 'index_P_name', label: 'P', property: 'name' });
    const seek = (v: PropertyScalar): number[] => ns.read((tx) => [...tx.indexSeek('P', 'name', v)]);
    expect(seek('a')).toEqual([0]);
    await ns.write((tx) => {
      tx.createNode(['P'], props({ name: 'a' })); // 3
      tx.setNodeProperty(1, 'name', 'a');
      tx.addNodeLabels(2, ['P']);
    });
    expect(seek('a')).toEqual([0, 1, 2, 3]);
    expect(seek('b')).toEqual([]);
    await ns.write((tx) => {
      tx.removeNodeLabels(0, ['P']);
      tx.setNodeProperty(1, 'name', null);
      tx.replaceNodeProperties(2, props({ name: 'c' }));
      tx.deleteNode(3);
    });
    expect(seek('a')).toEqual([]);
    expect(seek('c')).toEqual([2]);
    // Lists are stored but not indexed.
    await ns.write((tx) => tx.setNodeProperty(2, 'name', ['c']));
    expect(seek('c')).toEqual([]);
    expect(ns.read((tx) => tx.findIndex('P', 'name'))).toEqual(def);
    expect(await ns.write((tx) => tx.dropIndex('index_P_name'))).toBe(true);
    expect(await ns.write((tx) => tx.dropIndex('index_P_name'))).toBe(false);
    expect(() => ns.read((tx) => tx.indexSeek('P', 'name', 'c'))).toThrow(NexusError);
    // Dropping removed every entry: what is left is exactly the non-index data.
    expect(ns.read((tx) => tx.indexes())).toEqual([]);
  });

  it('rejects a second index on the same property or with the same name', async () => {
    await ns.write((tx) => tx.createIndex('P', 'x', 'by_x'));
    const code = async (fn: Parameters<NamespaceHandle['write']>[0]): Promise<string | undefined> =>
      ns.write(fn).then(
        () => undefined,
        (e: unknown) => (e as NexusError).code,
      );
    expect(await code((tx) => tx.createIndex('P', 'x'))).toBe('CONFLICT');
    expect(await code((tx) => tx.createIndex('Q', 'y', 'by_x'))).toBe('CONFLICT');
    expect(await code((tx) => tx.createIndex('Q', 'y', 'other'))).toBeUndefined();
  });

  it('treats 1 and 1.0 as equal and ranges over ints and floats together', async () => {
    const values: PropertyScalar[] = [1n, 1.0, 1.5, 2n, -3n, 2n ** 62n, 2.5e18, 'one', true, NaN, -Infinity];
    await ns.write((tx) => {
      tx.createIndex('N', 'v');
      for (const v of values) tx.createNode(['N'], props({ v }));
    });
    ns.read((tx) => {
      expect([...tx.indexSeek('N', 'v', 1n)]).toEqual([0, 1]);
      expect([...tx.indexSeek('N', 'v', 1.0)]).toEqual([0, 1]);
      expect([...tx.indexSeek('N', 'v', NaN)]).toEqual([]);
      expect([...tx.indexSeek('N', 'v', true)]).toEqual([8]);
      const range = (lower?: RangeBound, upper?: RangeBound): number[] =>
        [...tx.indexRange('N', 'v', lower, upper)].sort((a, b) => a - b);
      expect(range({ value: 1n, inclusive: false }, { value: 2, inclusive: true })).toEqual([2, 3]);
      expect(range({ value: 1.0, inclusive: true }, { value: 2n, inclusive: false })).toEqual([0, 1, 2]);
      // Open upper bound: numbers only, NaN excluded, strings excluded.
      expect(range({ value: 2n, inclusive: true })).toEqual([3, 5, 6]);
      expect(range(undefined, { value: 0n, inclusive: true })).toEqual([4, 10]);
      // Different families in the bounds: nothing.
      expect(range({ value: 1n, inclusive: true }, { value: 'z', inclusive: true })).toEqual([]);
      expect(range({ value: 'a', inclusive: true })).toEqual([7]);
    });
  });

  it('matches a brute-force filter for random data, including long strings', async () => {
    const long = fc.tuple(
      fc.constantFrom('p'.repeat(250), 'p'.repeat(199) + 'q'),
      fc.string({ maxLength: 5 }),
    );
    const str = fc.oneof(
      shortString,
      long.map(([a, b]) => a + b),
    );
    const val = fc.oneof(number, str, fc.boolean());
    const bound = (arb: fc.Arbitrary<PropertyScalar>): fc.Arbitrary<RangeBound | undefined> =>
      fc.option(fc.record({ value: arb, inclusive: fc.boolean() }), { nil: undefined });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(val, { minLength: 1, maxLength: 30 }),
        fc.oneof(fc.tuple(bound(number), bound(number)), fc.tuple(bound(str), bound(str))),
        async (vals, [lower, upper]) => {
          const label = `L${round++}`;
          const ids = await ns.write((tx) => {
            tx.createIndex(label, 'v');
            return vals.map((v) => tx.createNode([label], props({ v })));
          });
          const inRange = (v: PropertyScalar): boolean => {
            if (lower) {
              const c = compareScalars(v, lower.value);
              if (c === undefined || c < 0 || (c === 0 && !lower.inclusive)) return false;
            }
            if (upper) {
              const c = compareScalars(v, upper.value);
              if (c === undefined || c > 0 || (c === 0 && !upper.inclusive)) return false;
            }
            return true;
          };
          ns.read((tx) => {
            if (lower || upper) {
              const expected = ids.filter((_, i) => inRange(vals[i]!));
              expect([...tx.indexRange(label, 'v', lower, upper)].sort((a, b) => a - b)).toEqual(expected);
            }
            const probe = vals[0]!;
            const eq = ids.filter((_, i) => compareScalars(vals[i]!, probe) === 0);
            expect([...tx.indexSeek(label, 'v', probe)].sort((a, b) => a - b)).toEqual(eq);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
