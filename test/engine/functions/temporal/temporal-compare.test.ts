import { describe, expect, it } from 'vitest';
import {
  callFunction,
  compare,
  equals,
  equivalent,
  formatValue,
  groupingKey,
  orderCompare,
  typeName,
} from '../../../../src/engine/functions/index.js';
import type { Value } from '../../../../src/engine/values.js';
import { fakeContext } from '../fake-context.js';

const ctx = fakeContext();

function fn(name: string, ...args: Value[]): Value {
  return callFunction(name, args, ctx);
}

describe('equality', () => {
  it('needs the same type and the same fields', () => {
    expect(equals(fn('date', '2015-07-21'), fn('date', '20150721'))).toBe(true);
    expect(equals(fn('date', '2015-07-21'), fn('localdatetime', '2015-07-21'))).toBe(false);
    expect(equals(fn('date', '2015-07-21'), '2015-07-21')).toBe(false);
    expect(equals(fn('date', '2015-07-21'), null)).toBeNull();
  });

  it('compares durations field by field (a day is not 24 hours)', () => {
    expect(equals(fn('duration', 'PT70S'), fn('duration', 'PT1M10S'))).toBe(true);
    expect(equals(fn('duration', 'P1D'), fn('duration', 'PT24H'))).toBe(false);
  });

  it('treats the same instant at different offsets as different datetimes', () => {
    const a = fn('datetime', '2015-07-21T21:40+01:00');
    const b = fn('datetime', '2015-07-21T20:40Z');
    expect(equals(a, b)).toBe(false);
    expect(compare(a, b)).not.toBe(0);
  });
});

describe('comparison', () => {
  it('orders points in time of the same type', () => {
    expect(compare(fn('date', '1980-12-24'), fn('date', '1984-10-11'))).toBe(-1);
    expect(compare(fn('localtime', '12:00'), fn('localtime', '10:35'))).toBe(1);
    // 10:00+01:00 is 09:00 UTC, before 09:35 UTC.
    expect(compare(fn('time', '10:00+01:00'), fn('time', '09:35Z'))).toBe(-1);
    expect(compare(fn('datetime', '1984-10-11T12:00+05:00'), fn('datetime', '1984-10-11T08:00Z'))).toBe(-1);
  });

  it('is undefined across types and for durations', () => {
    expect(compare(fn('date', '1980-12-24'), fn('localdatetime', '1984-10-11'))).toBeNull();
    expect(compare(fn('duration', 'P1D'), fn('duration', 'P2D'))).toBeNull();
    expect(compare(fn('date', '1980-12-24'), 1n)).toBeNull();
  });
});

describe('ORDER BY order', () => {
  it('puts temporals after paths and before strings, grouped by type', () => {
    const values: Value[] = [
      'a',
      fn('duration', 'P1D'),
      fn('localtime', '12:00'),
      fn('time', '12:00Z'),
      fn('date', '2015-01-01'),
      fn('localdatetime', '2015-01-01T00:00'),
      fn('datetime', '2015-01-01T00:00Z'),
      [1n],
      1n,
    ];
    const sorted = [...values].sort(orderCompare).map((v) => typeName(v));
    expect(sorted).toEqual([
      'LIST',
      'ZONED DATETIME',
      'LOCAL DATETIME',
      'DATE',
      'ZONED TIME',
      'LOCAL TIME',
      'DURATION',
      'STRING',
      'INTEGER',
    ]);
  });

  it('orders durations by their approximate length', () => {
    const ds = ['P1M', 'PT1H', 'P1D', 'P1Y'].map((t) => fn('duration', t));
    expect(ds.sort(orderCompare).map(String)).toEqual(['PT1H', 'P1D', 'P1M', 'P1Y']);
  });
});

describe('grouping and rendering', () => {
  it('groups equal temporals together and keeps types apart', () => {
    expect(groupingKey(fn('date', '2015-07-21'))).toBe(groupingKey(fn('date', '2015202')));
    expect(equivalent(fn('date', '2015-07-21'), '2015-07-21')).toBe(false);
    expect(equivalent(fn('duration', 'PT70S'), fn('duration', 'PT1M10S'))).toBe(true);
    expect(equivalent([fn('localtime', '12:00')], [fn('localtime', '12:00:00')])).toBe(true);
  });

  it('renders the ISO text in toString and string contexts', () => {
    expect(fn('toString', fn('time', '12:31:14.645876123+01:00'))).toBe('12:31:14.645876123+01:00');
    expect(formatValue(fn('duration', 'P14DT16H12M'))).toBe('P14DT16H12M');
  });
});
