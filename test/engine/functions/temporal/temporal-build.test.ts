import { describe, expect, it } from 'vitest';
import { callFunction } from '../../../../src/engine/functions/index.js';
import type { Value } from '../../../../src/engine/values.js';
import { errorOf, fakeContext, map } from '../fake-context.js';

// 2023-11-14T22:13:20Z
const ctx = fakeContext(undefined, 1_700_000_000_000);

function fn(name: string, ...args: Value[]): string {
  return String(callFunction(name, args, ctx));
}

const BAD_VALUE = { errorClass: 'ArgumentError', detail: 'InvalidArgumentValue' };

describe('construction from maps', () => {
  it('accepts calendar, week, ordinal and quarter dates', () => {
    expect(fn('date', map({ year: 1984n, month: 10n, day: 11n }))).toBe('1984-10-11');
    expect(fn('date', map({ year: 1984n, week: 10n, dayOfWeek: 3n }))).toBe('1984-03-07');
    expect(fn('date', map({ year: 1984n, ordinalDay: 202n }))).toBe('1984-07-20');
    expect(fn('date', map({ year: 1984n, quarter: 3n, dayOfQuarter: 45n }))).toBe('1984-08-14');
    expect(fn('date', map({ year: 1984n }))).toBe('1984-01-01');
  });

  it('combines sub-second fields and defaults the zone to UTC', () => {
    expect(
      fn('localtime', map({ hour: 12n, minute: 31n, second: 14n, millisecond: 645n, microsecond: 876n })),
    ).toBe('12:31:14.645876');
    expect(fn('time', map({ hour: 12n }))).toBe('12:00Z');
    expect(fn('datetime', map({ year: 1912n }))).toBe('1912-01-01T00:00Z');
  });

  it('rejects missing years, out-of-range fields and unknown keys', () => {
    expect(errorOf(() => fn('date', map({ month: 1n })))).toEqual(BAD_VALUE);
    expect(errorOf(() => fn('date', map({ year: 2015n, month: 2n, day: 29n })))).toEqual(BAD_VALUE);
    expect(errorOf(() => fn('localtime', map({ hour: 24n })))).toEqual(BAD_VALUE);
    expect(errorOf(() => fn('date', map({ year: 2015n, hour: 1n })))).toEqual(BAD_VALUE);
    expect(errorOf(() => fn('date', map({ year: 2015n, colour: 1n })))).toEqual(BAD_VALUE);
  });

  it('propagates null and uses the statement clock without arguments', () => {
    expect(callFunction('datetime', [null], ctx)).toBeNull();
    expect(fn('datetime')).toBe('2023-11-14T22:13:20Z');
    expect(fn('date.transaction', 'Pacific/Kiritimati')).toBe('2023-11-15');
    expect(fn('localtime.statement')).toBe('22:13:20');
  });
});

describe('selection from other temporals', () => {
  const other = callFunction('date', [map({ year: 1984n, month: 11n, day: 11n })], ctx);

  it('overrides fields in the group they belong to', () => {
    expect(fn('date', map({ date: other, year: 28n }))).toBe('0028-11-11');
    expect(fn('date', map({ date: other, week: 1n }))).toBe('1984-01-08');
    expect(fn('date', map({ date: other, quarter: 3n }))).toBe('1984-08-11');
  });

  it('converts a zoned time to a new zone but attaches a zone to a local one', () => {
    const zoned = callFunction('time', ['12:31:14.645876+01:00'], ctx);
    const local = callFunction('localtime', ['12:31:14'], ctx);
    expect(fn('time', map({ time: zoned, timezone: '+05:00' }))).toBe('16:31:14.645876+05:00');
    expect(fn('time', map({ time: local, timezone: '+05:00' }))).toBe('12:31:14+05:00');
    expect(fn('localtime', zoned)).toBe('12:31:14.645876');
  });

  it('keeps a named zone and re-resolves its offset for a new date', () => {
    const dt = callFunction('datetime', ['1984-10-11T12:00[Europe/Stockholm]'], ctx);
    expect(fn('datetime', map({ datetime: dt, month: 7n }))).toBe('1984-07-11T12:00+02:00[Europe/Stockholm]');
  });
});

describe('truncation', () => {
  const dt = callFunction('datetime', ['2017-10-11T12:31:14.645876123+01:00'], ctx);

  it('cuts to each unit', () => {
    expect(fn('date.truncate', 'millennium', dt)).toBe('2000-01-01');
    expect(fn('date.truncate', 'weekYear', callFunction('date', ['1984-01-01'], ctx))).toBe('1983-01-03');
    expect(fn('date.truncate', 'quarter', dt)).toBe('2017-10-01');
    expect(fn('date.truncate', 'week', dt)).toBe('2017-10-09');
    expect(fn('datetime.truncate', 'hour', dt)).toBe('2017-10-11T12:00+01:00');
    expect(fn('localtime.truncate', 'millisecond', dt)).toBe('12:31:14.645');
  });

  it('applies the map after cutting; sub-second fields refine what is kept', () => {
    expect(fn('date.truncate', 'month', dt, map({ day: 2n }))).toBe('2017-10-02');
    expect(fn('localtime.truncate', 'millisecond', dt, map({ nanosecond: 2n }))).toBe('12:31:14.645000002');
    expect(fn('localtime.truncate', 'microsecond', dt, map({ nanosecond: 2n }))).toBe('12:31:14.645876002');
    expect(fn('datetime.truncate', 'day', dt, map({ timezone: 'Europe/Stockholm' }))).toBe(
      '2017-10-11T00:00+02:00[Europe/Stockholm]',
    );
  });

  it('rejects units finer than the result type and unknown units', () => {
    expect(errorOf(() => fn('date.truncate', 'hour', dt))).toEqual(BAD_VALUE);
    expect(errorOf(() => fn('date.truncate', 'fortnight', dt))).toEqual(BAD_VALUE);
  });
});
