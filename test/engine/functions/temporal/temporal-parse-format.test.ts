import { describe, expect, it } from 'vitest';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalTimeValue,
  parseDate,
  parseDateTime,
  parseDuration,
  parseLocalDateTime,
  parseLocalTime,
  parseTime,
} from '../../../../src/engine/functions/temporal/index.js';
import { errorOf } from '../fake-context.js';

const BAD_VALUE = { errorClass: 'ArgumentError', detail: 'InvalidArgumentValue' };

describe('parsing dates', () => {
  it.each([
    ['2015-07-21', '2015-07-21'],
    ['20150721', '2015-07-21'],
    ['2015-07', '2015-07-01'],
    ['201507', '2015-07-01'],
    ['2015-W30-2', '2015-07-21'],
    ['2015W302', '2015-07-21'],
    ['2015-W30', '2015-07-20'],
    ['2015-202', '2015-07-21'],
    ['2015202', '2015-07-21'],
    ['2015', '2015-01-01'],
    ['1984-W01-1', '1984-01-02'],
    ['2020-W53-7', '2021-01-03'],
  ])('%s is %s', (text, iso) => {
    expect(parseDate(text).toString()).toBe(iso);
  });

  it('keeps years beyond four digits signed, as java.time prints them', () => {
    expect(parseDate('+999999999-12-31').toString()).toBe('+999999999-12-31');
    expect(parseDate('-999999999-01-01').toString()).toBe('-999999999-01-01');
    expect(DateValue.of(-1, 3, 1).toString()).toBe('-0001-03-01');
    expect(DateValue.of(28, 11, 11).toString()).toBe('0028-11-11');
  });

  it('rejects impossible dates and malformed text', () => {
    expect(errorOf(() => parseDate('2015-02-29'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDate('2016-13-01'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDate('2015-W54'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDate('2015-366'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDate('15-07-21'))).toEqual(BAD_VALUE);
    expect(parseDate('2016-02-29').toString()).toBe('2016-02-29');
  });
});

describe('parsing and printing times', () => {
  it('accepts basic and extended forms and prints seconds only when set', () => {
    expect(parseLocalTime('214032.142').toString()).toBe('21:40:32.142');
    expect(parseLocalTime('2140').toString()).toBe('21:40');
    expect(parseLocalTime('21').toString()).toBe('21:00');
    expect(parseLocalTime('21:40:32,5').toString()).toBe('21:40:32.500');
  });

  it('prints fractions in 3, 6 or 9 digits like java.time', () => {
    expect(new LocalTimeValue(1).toString()).toBe('00:00:00.000000001');
    expect(parseLocalTime('12:31:14.645876').toString()).toBe('12:31:14.645876');
    expect(parseLocalTime('12:31:14.645876123').toString()).toBe('12:31:14.645876123');
  });

  it('normalises offsets: Z for zero, seconds only when present', () => {
    expect(parseTime('2140-00:00', 0).toString()).toBe('21:40Z');
    expect(parseTime('214032-0100', 0).toString()).toBe('21:40:32-01:00');
    expect(parseTime('22+18:00', 0).toString()).toBe('22:00+18:00');
    expect(parseTime('12:00', 0).toString()).toBe('12:00Z');
    expect(errorOf(() => parseTime('12:00+19:00', 0))).toEqual(BAD_VALUE);
  });

  it('rejects a local time with an offset and out-of-range fields', () => {
    expect(errorOf(() => parseLocalTime('12:00+01:00'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseLocalTime('24:00'))).toEqual(BAD_VALUE);
  });
});

describe('parsing date-times', () => {
  it('combines any date form with any time form', () => {
    expect(parseLocalDateTime('2015-W30-2T214032.142').toString()).toBe('2015-07-21T21:40:32.142');
    expect(parseLocalDateTime('2015T214032').toString()).toBe('2015-01-01T21:40:32');
    expect(parseDateTime('2015202T21+18:00').toString()).toBe('2015-07-21T21:00+18:00');
    expect(parseDateTime('2015-07-21').toString()).toBe('2015-07-21T00:00Z');
  });

  it('resolves a named zone, keeping a given offset the zone allows', () => {
    expect(parseDateTime('2015-07-21T21:40:32.142[Europe/London]').toString()).toBe(
      '2015-07-21T21:40:32.142+01:00[Europe/London]',
    );
    expect(parseDateTime('2015-07-21T21:40:32.142-04[America/New_York]').toString()).toBe(
      '2015-07-21T21:40:32.142-04:00[America/New_York]',
    );
    expect(parseDateTime('1818-07-21T21:40:32.142[Europe/Stockholm]').toString()).toBe(
      '1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]',
    );
  });

  it('rejects unknown zones', () => {
    expect(errorOf(() => parseDateTime('2015-07-21T21:40[Mars/Olympus]'))).toEqual(BAD_VALUE);
  });
});

describe('durations', () => {
  it.each([
    ['P14DT16H12M', 'P14DT16H12M'],
    ['P5M1.5D', 'P5M1DT12H'],
    ['P0.75M', 'P22DT19H51M49.5S'],
    ['PT0.75M', 'PT45S'],
    ['P2.5W', 'P17DT12H'],
    ['P12Y5M14DT16H12M70S', 'P12Y5M14DT16H13M10S'],
    ['P2012-02-02T14:37:21.545', 'P2012Y2M2DT14H37M21.545S'],
    ['PT-1M-0.001S', 'PT-1M-0.001S'],
    ['-P1D', 'P-1D'],
    ['PT0S', 'PT0S'],
  ])('%s prints as %s', (text, printed) => {
    expect(parseDuration(text).toString()).toBe(printed);
  });

  it('keeps nanoseconds in [0, 1e9) and renders negative seconds with their sign', () => {
    const d = new DurationValue(0n, 0n, -2n, 1_000_000);
    expect(d.seconds).toBe(-2n);
    expect(d.nanos).toBe(1_000_000);
    expect(d.toString()).toBe('PT-1.999S');
    expect(new DurationValue(0n, 1n, 0n, -1_000_000).toString()).toBe('P1DT-0.001S');
    expect(new DurationValue(0n, 0n, 0n, 0).toString()).toBe('PT0S');
  });

  it('round-trips its own text exactly', () => {
    for (const text of ['P12Y5M14DT16H13M10.000000001S', 'P-6M-15DT-17H-45M-3.500000002S', 'PT-0.4S']) {
      const d = parseDuration(text);
      const again = parseDuration(d.toString());
      expect([again.months, again.days, again.seconds, again.nanos]).toEqual([
        d.months,
        d.days,
        d.seconds,
        d.nanos,
      ]);
      expect(again.toString()).toBe(text);
    }
  });

  it('rejects text without any component', () => {
    expect(errorOf(() => parseDuration('P'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDuration('P1DT'))).toEqual(BAD_VALUE);
    expect(errorOf(() => parseDuration('1D'))).toEqual(BAD_VALUE);
  });
});

describe('datetime values', () => {
  it('prints the zone name only for named zones', () => {
    expect(new DateTimeValue(0, 0, 3600, undefined).toString()).toBe('1970-01-01T00:00+01:00');
    expect(new DateTimeValue(0, 0, 3600, 'Europe/Paris').toString()).toBe(
      '1970-01-01T00:00+01:00[Europe/Paris]',
    );
  });

  it('exposes the exact instant', () => {
    expect(parseDateTime('1970-01-01T01:00:00.000000001+01:00').epochNanos).toBe(1n);
  });
});
