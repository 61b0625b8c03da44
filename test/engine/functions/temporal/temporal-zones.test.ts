import { describe, expect, it } from 'vitest';
import { add, callFunction } from '../../../../src/engine/functions/index.js';
import { formatOffset, parseOffset, zoneOffsetAt } from '../../../../src/engine/functions/temporal/index.js';
import { errorOf, fakeContext, map } from '../fake-context.js';

const ctx = fakeContext();

function utcSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

function datetime(fields: Record<string, bigint | string>): string {
  return String(callFunction('datetime', [map(fields)], ctx));
}

describe('offsets', () => {
  it('parses every accepted form and prints java.time ids', () => {
    expect(parseOffset('Z')).toBe(0);
    expect(parseOffset('+01')).toBe(3600);
    expect(parseOffset('-0130')).toBe(-5400);
    expect(parseOffset('+08:45')).toBe(31_500);
    expect(parseOffset('Europe/Paris')).toBeUndefined();
    expect(formatOffset(0)).toBe('Z');
    expect(formatOffset(-5400)).toBe('-01:30');
    expect(formatOffset(3208)).toBe('+00:53:28');
  });
});

describe('named zones', () => {
  it('follows daylight saving time', () => {
    expect(zoneOffsetAt('Europe/Stockholm', utcSeconds('2017-07-01T00:00:00Z'))).toBe(7200);
    expect(zoneOffsetAt('Europe/Stockholm', utcSeconds('2017-12-01T00:00:00Z'))).toBe(3600);
    // Autumn change: 01:00 UTC on 2017-10-29.
    expect(zoneOffsetAt('Europe/Stockholm', utcSeconds('2017-10-29T00:59:59Z'))).toBe(7200);
    expect(zoneOffsetAt('Europe/Stockholm', utcSeconds('2017-10-29T01:00:00Z'))).toBe(3600);
    expect(zoneOffsetAt('Australia/Eucla', utcSeconds('2015-07-21T00:00:00Z'))).toBe(31_500);
  });

  it('moves a local time in the spring gap forward, as java.time does', () => {
    const s = datetime({
      year: 2017n,
      month: 3n,
      day: 26n,
      hour: 2n,
      minute: 30n,
      timezone: 'Europe/Stockholm',
    });
    expect(s).toBe('2017-03-26T03:30+02:00[Europe/Stockholm]');
  });

  it('takes the earlier offset for an ambiguous autumn local time', () => {
    const s = datetime({
      year: 2017n,
      month: 10n,
      day: 29n,
      hour: 2n,
      minute: 30n,
      timezone: 'Europe/Stockholm',
    });
    expect(s).toBe('2017-10-29T02:30+02:00[Europe/Stockholm]');
  });

  it('re-resolves the offset when arithmetic crosses a transition', () => {
    const start = callFunction('datetime', ['2017-10-28T12:00[Europe/Stockholm]'], ctx);
    const day = callFunction('duration', ['P1D'], ctx);
    const hours = callFunction('duration', ['PT24H'], ctx);
    // A day keeps the local time; 24 hours keep the elapsed time.
    expect(String(add(start, day))).toBe('2017-10-29T12:00+01:00[Europe/Stockholm]');
    expect(String(add(start, hours))).toBe('2017-10-29T11:00+01:00[Europe/Stockholm]');
  });

  it('converts between zones on the same instant', () => {
    const s = callFunction(
      'datetime',
      [
        map({
          datetime: callFunction('datetime', ['1984-10-11T12:00[Europe/Stockholm]'], ctx),
          timezone: 'Pacific/Honolulu',
        }),
      ],
      ctx,
    );
    expect(String(s)).toBe('1984-10-11T01:00-10:00[Pacific/Honolulu]');
  });

  it('rejects unknown zone names', () => {
    expect(errorOf(() => datetime({ year: 2017n, timezone: 'Nowhere/Special' }))).toEqual({
      errorClass: 'ArgumentError',
      detail: 'InvalidArgumentValue',
    });
  });
});
