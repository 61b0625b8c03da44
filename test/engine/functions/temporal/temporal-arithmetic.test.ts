import { describe, expect, it } from 'vitest';
import {
  add,
  callFunction,
  createAggregator,
  divide,
  multiply,
  propertyAccess,
  subtract,
} from '../../../../src/engine/functions/index.js';
import type { Value } from '../../../../src/engine/values.js';
import { errorOf, fakeContext, map } from '../fake-context.js';

const ctx = fakeContext();

function fn(name: string, ...args: Value[]): Value {
  return callFunction(name, args, ctx);
}

const dur = (text: string): Value => fn('duration', text);

describe('temporal + duration', () => {
  it('clamps the day when months land in a shorter month', () => {
    expect(String(add(fn('date', '2020-01-31'), dur('P1M')))).toBe('2020-02-29');
    expect(String(subtract(fn('date', '2021-03-31'), dur('P1M')))).toBe('2021-02-28');
  });

  it('applies months, then days, then seconds (a DATE takes whole days of the seconds)', () => {
    const d = fn(
      'duration',
      map({ years: 12n, months: 5n, days: 14n, hours: 16n, minutes: 12n, seconds: 70n }),
    );
    expect(String(add(fn('date', '1984-10-11'), d))).toBe('1997-03-25');
    expect(String(add(fn('date', '1984-10-11'), dur('PT48H')))).toBe('1984-10-13');
    expect(String(add(dur('P1D'), fn('date', '1984-10-11')))).toBe('1984-10-12');
  });

  it('wraps times around midnight and keeps the offset', () => {
    expect(String(add(fn('localtime', '23:30'), dur('PT1H')))).toBe('00:30');
    expect(String(subtract(fn('time', '00:30+01:00'), dur('PT1H1S')))).toBe('23:29:59+01:00');
  });

  it('carries nanoseconds into days for local date-times', () => {
    expect(String(add(fn('localdatetime', '2015-12-31T23:59:59.999999999'), dur('PT0.000000001S')))).toBe(
      '2016-01-01T00:00',
    );
  });

  it('refuses temporal - temporal and date + number', () => {
    const bad = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
    expect(errorOf(() => subtract(fn('date', '2015-01-01'), fn('date', '2014-01-01')))).toEqual(bad);
    expect(errorOf(() => add(fn('date', '2015-01-01'), 1n))).toEqual(bad);
    expect(errorOf(() => subtract(dur('P1D'), fn('date', '2015-01-01')))).toEqual(bad);
  });
});

describe('duration arithmetic', () => {
  const base = fn(
    'duration',
    map({ years: 12n, months: 5n, days: 14n, hours: 16n, minutes: 12n, seconds: 70n, nanoseconds: 1n }),
  );

  it('adds and subtracts component-wise', () => {
    expect(String(add(base, base))).toBe('P24Y10M28DT32H26M20.000000002S');
    expect(String(subtract(base, base))).toBe('PT0S');
  });

  it('cascades fractions of months and days down to smaller units', () => {
    expect(String(multiply(base, 0.5))).toBe('P6Y2M22DT13H21M8S');
    expect(String(divide(base, 2n))).toBe('P6Y2M22DT13H21M8S');
    expect(String(multiply(2n, base))).toBe('P24Y10M28DT32H26M20.000000002S');
    const fractional = fn(
      'duration',
      map({
        years: 12.5,
        months: 5.5,
        days: 14.5,
        hours: 16.5,
        minutes: 12.5,
        seconds: 70.5,
        nanoseconds: 3n,
      }),
    );
    expect(String(fractional)).toBe('P12Y11M29DT33H58M13.500000003S');
  });

  it('raises on division by zero', () => {
    expect(errorOf(() => divide(base, 0n))).toEqual({
      errorClass: 'ArithmeticError',
      detail: 'DivisionByZero',
    });
  });
});

describe('duration.between', () => {
  it('splits into months, days and seconds with the sign of each part', () => {
    expect(String(fn('duration.between', fn('date', '1984-10-11'), fn('date', '2015-06-24')))).toBe(
      'P30Y8M13D',
    );
    expect(
      String(
        fn('duration.between', fn('localdatetime', '2015-07-21T21:40:32.142'), fn('date', '2015-06-24')),
      ),
    ).toBe('P-27DT-21H-40M-32.142S');
    expect(String(fn('duration.between', fn('localtime', '14:30'), fn('date', '2015-06-24')))).toBe(
      'PT-14H-30M',
    );
  });

  it('compares zoned values on the instant line, across DST', () => {
    const a = fn('datetime', '2017-10-28T23:00+02:00[Europe/Stockholm]');
    const b = fn('datetime', '2017-10-29T04:00+01:00[Europe/Stockholm]');
    expect(String(fn('duration.between', a, b))).toBe('PT6H');
    expect(
      String(
        fn(
          'duration.inSeconds',
          fn('datetime', '2017-10-29T00:00[Europe/Stockholm]'),
          fn('date', '2017-10-30'),
        ),
      ),
    ).toBe('PT25H');
  });

  it('handles the full year range without losing precision', () => {
    expect(
      String(fn('duration.between', fn('date', '-999999999-01-01'), fn('date', '+999999999-12-31'))),
    ).toBe('P1999999998Y11M30D');
    expect(
      String(
        fn(
          'duration.inSeconds',
          fn('localdatetime', '-999999999-01-01'),
          fn('localdatetime', '+999999999-12-31T23:59:59'),
        ),
      ),
    ).toBe('PT17531639991215H59M59S');
  });

  it('truncates months and days toward zero', () => {
    expect(String(fn('duration.inMonths', fn('date', '2018-03-11'), fn('date', '2016-06-24')))).toBe(
      'P-1Y-8M',
    );
    expect(String(fn('duration.inDays', fn('date', '1984-10-11'), fn('date', '2015-06-24')))).toBe('P11213D');
    expect(fn('duration.inDays', null, null)).toBeNull();
  });
});

describe('component access', () => {
  it('reads calendar, week and time components', () => {
    const d = fn('datetime', '1984-11-11T12:31:14.645876123+01:00');
    const get = (k: string): Value => propertyAccess(d, k, ctx);
    expect([get('year'), get('quarter'), get('month'), get('day')]).toEqual([1984n, 4n, 11n, 11n]);
    expect([get('week'), get('weekYear'), get('dayOfWeek'), get('ordinalDay')]).toEqual([
      45n,
      1984n,
      7n,
      316n,
    ]);
    expect([get('hour'), get('minute'), get('second')]).toEqual([12n, 31n, 14n]);
    expect([get('millisecond'), get('microsecond'), get('nanosecond')]).toEqual([645n, 645876n, 645876123n]);
    expect([get('timezone'), get('offset'), get('offsetMinutes')]).toEqual(['+01:00', '+01:00', 60n]);
    expect(get('epochSeconds')).toBe(469020674n);
    expect(get('epochMillis')).toBe(469020674645n);
  });

  it('reads duration totals and remainders', () => {
    const d = dur('P1Y5M10DT26H13M10.5S');
    const get = (k: string): Value => propertyAccess(d, k, ctx);
    expect([get('years'), get('months'), get('monthsOfYear'), get('quarters')]).toEqual([1n, 17n, 5n, 5n]);
    expect([get('days'), get('weeks'), get('hours'), get('minutesOfHour')]).toEqual([10n, 1n, 26n, 13n]);
    expect([get('seconds'), get('millisecondsOfSecond'), get('nanosecondsOfSecond')]).toEqual([
      94390n,
      500n,
      500000000n,
    ]);
  });

  it('rejects components a type does not have', () => {
    expect(errorOf(() => propertyAccess(fn('date', '2015-01-01'), 'hour', ctx))).toEqual({
      errorClass: 'ArgumentError',
      detail: 'InvalidArgumentValue',
    });
  });
});

describe('aggregating durations', () => {
  function aggregate(name: string, values: Value[]): Value {
    const agg = createAggregator(name, false);
    for (const v of values) agg.add([v]);
    return agg.result();
  }

  it('sums and averages component-wise, skipping nulls', () => {
    const ds = [dur('P1M'), dur('P2D'), null, dur('PT3H')];
    expect(String(aggregate('sum', ds))).toBe('P1M2DT3H');
    expect(String(aggregate('avg', [dur('PT1H'), dur('PT2H')]))).toBe('PT1H30M');
    expect(String(aggregate('min', [dur('P1D'), dur('PT1H')]))).toBe('PT1H');
  });

  it('refuses to mix durations and numbers', () => {
    const bad = { errorClass: 'TypeError', detail: 'InvalidArgumentType' };
    expect(errorOf(() => aggregate('sum', [dur('P1D'), 1n]))).toEqual(bad);
    expect(errorOf(() => aggregate('avg', [1n, dur('P1D')]))).toEqual(bad);
  });
});
