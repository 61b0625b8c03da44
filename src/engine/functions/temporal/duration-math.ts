/**
 * Duration construction and arithmetic with Neo4j's semantics: whole components stay
 * exact; fractional ones cascade down (a month is 365.2425 / 12 days, a day 86,400 s)
 * using the same double-precision steps as Neo4j so results print identically.
 */
import { arithmeticError } from '../errors.js';
import { DurationValue } from './temporal-values.js';

export interface DurationParts {
  years?: number | bigint;
  quarters?: number | bigint;
  months?: number | bigint;
  weeks?: number | bigint;
  days?: number | bigint;
  hours?: number | bigint;
  minutes?: number | bigint;
  seconds?: number | bigint;
  milliseconds?: number | bigint;
  microseconds?: number | bigint;
  nanoseconds?: number | bigint;
}

const AVG_DAYS_PER_MONTH = 365.2425 / 12;
const SECONDS_PER_DAY = 86_400;
const NANOS_PER_SECOND = 1_000_000_000;
const LONG_LIMIT = 9.223372036854776e18;

function toLong(d: number): bigint {
  if (!Number.isFinite(d) || d >= LONG_LIMIT || d < -LONG_LIMIT) {
    throw arithmeticError('IntegerOverflow', 'duration component out of the 64-bit range');
  }
  return BigInt(Math.trunc(d));
}

/** Neo4j's DurationValue.approximate: whole parts kept, fractions pushed to smaller units. */
export function approximate(months: number, days: number, seconds: number, nanos: number): DurationValue {
  const m = toLong(months);
  days += (months - Number(m)) * AVG_DAYS_PER_MONTH;
  const d = toLong(days);
  seconds += (days - Number(d)) * SECONDS_PER_DAY;
  const s = toLong(seconds);
  nanos += (seconds - Number(s)) * NANOS_PER_SECOND;
  return new DurationValue(m, d, s, toLong(nanos));
}

export function durationFromParts(p: DurationParts): DurationValue {
  const all = [
    p.years,
    p.quarters,
    p.months,
    p.weeks,
    p.days,
    p.hours,
    p.minutes,
    p.seconds,
    p.milliseconds,
    p.microseconds,
    p.nanoseconds,
  ];
  if (all.every((x) => x === undefined || typeof x === 'bigint')) {
    const b = (x: number | bigint | undefined): bigint => (x === undefined ? 0n : BigInt(x));
    return new DurationValue(
      b(p.years) * 12n + b(p.quarters) * 3n + b(p.months),
      b(p.weeks) * 7n + b(p.days),
      b(p.hours) * 3600n + b(p.minutes) * 60n + b(p.seconds),
      b(p.milliseconds) * 1_000_000n + b(p.microseconds) * 1000n + b(p.nanoseconds),
    );
  }
  const n = (x: number | bigint | undefined): number => (x === undefined ? 0 : Number(x));
  return approximate(
    n(p.years) * 12 + n(p.quarters) * 3 + n(p.months),
    n(p.weeks) * 7 + n(p.days),
    n(p.hours) * 3600 + n(p.minutes) * 60 + n(p.seconds),
    n(p.milliseconds) * 1_000_000 + n(p.microseconds) * 1000 + n(p.nanoseconds),
  );
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function check(v: bigint): bigint {
  if (v > INT64_MAX || v < INT64_MIN) {
    throw arithmeticError('IntegerOverflow', 'duration arithmetic overflows the 64-bit range');
  }
  return v;
}

export function addDurations(a: DurationValue, b: DurationValue, sign: 1n | -1n = 1n): DurationValue {
  return new DurationValue(
    check(a.months + sign * b.months),
    check(a.days + sign * b.days),
    check(a.seconds + sign * b.seconds),
    BigInt(a.nanos) + sign * BigInt(b.nanos),
  );
}

export function negateDuration(d: DurationValue): DurationValue {
  return new DurationValue(-d.months, -d.days, -d.seconds, -BigInt(d.nanos));
}

export function multiplyDuration(d: DurationValue, factor: bigint | number): DurationValue {
  if (typeof factor === 'bigint') {
    return new DurationValue(
      check(d.months * factor),
      check(d.days * factor),
      check(d.seconds * factor),
      BigInt(d.nanos) * factor,
    );
  }
  return approximate(
    Number(d.months) * factor,
    Number(d.days) * factor,
    Number(d.seconds) * factor,
    d.nanos * factor,
  );
}

export function divideDuration(d: DurationValue, divisor: bigint | number): DurationValue {
  const x = Number(divisor);
  if (x === 0) throw arithmeticError('DivisionByZero', 'duration / by zero');
  return approximate(Number(d.months) / x, Number(d.days) / x, Number(d.seconds) / x, d.nanos / x);
}
