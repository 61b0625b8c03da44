/**
 * Operators on temporals: equality, comparison and ORDER BY order, grouping keys,
 * `+ - * /` with durations, `duration.between` / `inMonths` / `inDays` / `inSeconds`
 * (Neo4j's rules for mixing types: missing time is midnight, a missing date is the
 * other side's, a missing zone is the other side's), and component access (`d.year`).
 */
import type { Value } from '../../values.js';
import { argumentError, integerOverflow } from '../errors.js';
import {
  civilOf,
  dayOfQuarter,
  monthsBetween,
  NANOS_PER_SECOND,
  ordinalDay,
  quarterOf,
  weekDateOf,
} from './calendar.js';
import { addDurations, divideDuration, multiplyDuration } from './duration-math.js';
import {
  epochNanosOf,
  fromParts,
  partsOf,
  plusDateUnits,
  plusDuration,
  withZoneSameInstant,
  type InstantKind,
  type Parts,
} from './temporal-parts.js';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalDateTimeValue,
  LocalTimeValue,
  TimeValue,
  isTemporalValue,
  type AnyTemporal,
} from './temporal-values.js';
import { formatOffset, resolveLocal } from './zones.js';

type PointTemporal = Exclude<AnyTemporal, DurationValue>;

function sign(x: number | bigint): number {
  return x < 0 ? -1 : x > 0 ? 1 : 0;
}

/** `=` on two temporals: same type and same fields (a DATETIME's zone included). */
export function temporalEquals(a: AnyTemporal, b: AnyTemporal): boolean {
  if (a.temporalKind !== b.temporalKind) return false;
  return compareSameKind(a, b) === 0;
}

/** Total order within one kind (instant first, then local fields and zone), 0 iff equal. */
function compareSameKind(a: AnyTemporal, b: AnyTemporal): number {
  if (a instanceof DateValue && b instanceof DateValue) return sign(a.epochDay - b.epochDay);
  if (a instanceof LocalTimeValue && b instanceof LocalTimeValue) return sign(a.nanoOfDay - b.nanoOfDay);
  if (a instanceof TimeValue && b instanceof TimeValue) {
    return sign(a.utcNanoOfDay - b.utcNanoOfDay) || sign(a.nanoOfDay - b.nanoOfDay);
  }
  if (a instanceof LocalDateTimeValue && b instanceof LocalDateTimeValue) {
    return sign(a.epochDay - b.epochDay) || sign(a.nanoOfDay - b.nanoOfDay);
  }
  if (a instanceof DateTimeValue && b instanceof DateTimeValue) {
    const c = sign(a.epochNanos - b.epochNanos);
    if (c !== 0) return c;
    const la = a.epochDay - b.epochDay || a.nanoOfDay - b.nanoOfDay;
    if (la !== 0) return sign(la);
    const za = a.zone ?? '';
    const zb = b.zone ?? '';
    return za < zb ? -1 : za > zb ? 1 : 0;
  }
  if (a instanceof DurationValue && b instanceof DurationValue) {
    return (
      sign(durationLength(a) - durationLength(b)) ||
      sign(a.months - b.months) ||
      sign(a.days - b.days) ||
      sign(a.seconds - b.seconds) ||
      sign(a.nanos - b.nanos)
    );
  }
  return 0;
}

/** Approximate length in nanoseconds (a month is 365.2425 / 12 days), for ordering only. */
function durationLength(d: DurationValue): bigint {
  return (d.months * 2_629_746n + d.days * 86_400n + d.seconds) * 1_000_000_000n + BigInt(d.nanos);
}

/** `<` family: null for different kinds and for durations (which have no natural order). */
export function temporalCompare(a: AnyTemporal, b: AnyTemporal): number | null {
  if (a.temporalKind !== b.temporalKind || a instanceof DurationValue) return null;
  return compareSameKind(a, b);
}

/** ORDER BY rank among temporals, after PATH and before STRING (openCypher / Neo4j order). */
const RANK: Record<AnyTemporal['temporalKind'], number> = {
  DateTime: 0,
  LocalDateTime: 1,
  Date: 2,
  Time: 3,
  LocalTime: 4,
  Duration: 5,
};

export function temporalOrderCompare(a: AnyTemporal, b: AnyTemporal): number {
  const r = RANK[a.temporalKind] - RANK[b.temporalKind];
  return r !== 0 ? sign(r) : compareSameKind(a, b);
}

/** Equivalence key (DISTINCT, grouping): equal values, and only they, share a key. */
export function temporalKey(t: AnyTemporal): string {
  if (t instanceof DurationValue) return `D${t.months},${t.days},${t.seconds},${t.nanos}`;
  return t.temporalKind + ':' + t.toString();
}

export function isPointTemporal(v: Value): v is PointTemporal {
  return isTemporalValue(v) && !(v instanceof DurationValue);
}

/** `a + b` when either side is temporal; undefined when the pairing is not temporal arithmetic. */
export function temporalAdd(a: Value, b: Value): Value | undefined {
  if (a instanceof DurationValue && b instanceof DurationValue) return addDurations(a, b);
  if (isPointTemporal(a) && b instanceof DurationValue) return shift(a, b, 1n);
  if (a instanceof DurationValue && isPointTemporal(b)) return shift(b, a, 1n);
  return undefined;
}

export function temporalSubtract(a: Value, b: Value): Value | undefined {
  if (a instanceof DurationValue && b instanceof DurationValue) return addDurations(a, b, -1n);
  if (isPointTemporal(a) && b instanceof DurationValue) return shift(a, b, -1n);
  return undefined;
}

export function temporalMultiply(a: Value, b: Value): Value | undefined {
  if (a instanceof DurationValue && (typeof b === 'bigint' || typeof b === 'number'))
    return multiplyDuration(a, b);
  if (b instanceof DurationValue && (typeof a === 'bigint' || typeof a === 'number'))
    return multiplyDuration(b, a);
  return undefined;
}

export function temporalDivide(a: Value, b: Value): Value | undefined {
  if (a instanceof DurationValue && (typeof b === 'bigint' || typeof b === 'number'))
    return divideDuration(a, b);
  return undefined;
}

function shift(t: PointTemporal, d: DurationValue, s: 1n | -1n): PointTemporal {
  const kind = t.temporalKind as InstantKind;
  return fromParts(kind, plusDuration(partsOf(t), d, s));
}

// ---------------------------------------------------------------------------------------
// duration.between

type Unit = 'months' | 'days' | 'nanos';

function attachZone(p: Parts, from: Parts): Parts {
  if (p.epochDay === undefined || from.zone === undefined)
    return { ...p, offset: from.offset, zone: undefined };
  const localSecond = p.epochDay * 86_400 + Math.floor((p.nanoOfDay ?? 0) / NANOS_PER_SECOND);
  const r = resolveLocal(from.zone, localSecond);
  return { ...p, offset: r.offset, zone: from.zone };
}

/** Both sides completed with what the other has, as Neo4j's TemporalValue.until does. */
function align(from: Parts, to: Parts, unit: Unit): [Parts, Parts] {
  let f = from;
  let t = to;
  const midnight = (p: Parts): Parts => (p.nanoOfDay === undefined ? { ...p, nanoOfDay: 0 } : p);
  if (unit === 'nanos') {
    f = midnight(f);
    t = midnight(t);
  } else if (f.nanoOfDay !== undefined && t.nanoOfDay === undefined) {
    t = midnight(t);
  } else if (t.nanoOfDay !== undefined && f.nanoOfDay === undefined) {
    f = midnight(f);
  }
  if (f.epochDay !== undefined && t.epochDay === undefined) t = { ...t, epochDay: f.epochDay };
  else if (t.epochDay !== undefined && f.epochDay === undefined) f = { ...f, epochDay: t.epochDay };
  if (f.offset !== undefined && t.offset === undefined) t = attachZone(t, f);
  else if (t.offset !== undefined && f.offset === undefined) f = attachZone(f, t);
  return [f, t];
}

function until(from: Parts, to: Parts, unit: Unit): bigint {
  const [f, tRaw] = align(from, to, unit);
  let t = tRaw;
  if (unit === 'nanos') {
    if (f.epochDay === undefined) {
      const fo = BigInt(f.nanoOfDay ?? 0) - BigInt(f.offset ?? 0) * 1_000_000_000n;
      const tn = BigInt(t.nanoOfDay ?? 0) - BigInt(t.offset ?? 0) * 1_000_000_000n;
      return tn - fo;
    }
    return epochNanosOf(t) - epochNanosOf(f);
  }
  if (f.epochDay === undefined || t.epochDay === undefined) return 0n;
  if (f.offset !== undefined && t.offset !== undefined) t = withZoneSameInstant(t, f.offset, f.zone);
  let endDay = t.epochDay!;
  if (f.nanoOfDay !== undefined && t.nanoOfDay !== undefined) {
    if (endDay > f.epochDay && t.nanoOfDay < f.nanoOfDay) endDay -= 1;
    else if (endDay < f.epochDay && t.nanoOfDay > f.nanoOfDay) endDay += 1;
  }
  return BigInt(unit === 'months' ? monthsBetween(f.epochDay, endDay) : endDay - f.epochDay);
}

export type BetweenMode = 'between' | 'months' | 'days' | 'seconds';

export function durationBetween(a: PointTemporal, b: PointTemporal, mode: BetweenMode): DurationValue {
  let from = partsOf(a);
  const to = partsOf(b);
  if (mode === 'months') return new DurationValue(until(from, to, 'months'), 0n, 0n, 0);
  if (mode === 'days') return new DurationValue(0n, until(from, to, 'days'), 0n, 0);
  if (mode === 'seconds') return new DurationValue(0n, 0n, 0n, until(from, to, 'nanos'));
  let months = 0n;
  let days = 0n;
  if (from.epochDay !== undefined && to.epochDay !== undefined) {
    months = until(from, to, 'months');
    from = plusDateUnits(from, months, 0n);
    days = until(from, to, 'days');
    from = plusDateUnits(from, 0n, days);
  }
  return new DurationValue(months, days, 0n, until(from, to, 'nanos'));
}

// ---------------------------------------------------------------------------------------
// component access

function durationField(d: DurationValue, key: string): Value | undefined {
  const nanosTotal = d.totalNanos;
  switch (key) {
    case 'years':
      return d.months / 12n;
    case 'quarters':
      return d.months / 3n;
    case 'months':
      return d.months;
    case 'weeks':
      return d.days / 7n;
    case 'days':
      return d.days;
    case 'hours':
      return d.seconds / 3600n;
    case 'minutes':
      return d.seconds / 60n;
    case 'seconds':
      return d.seconds;
    case 'milliseconds':
      return nanosTotal / 1_000_000n;
    case 'microseconds':
      return nanosTotal / 1000n;
    case 'nanoseconds':
      return nanosTotal;
    case 'quartersofyear':
      return (d.months / 3n) % 4n;
    case 'monthsofquarter':
      return d.months % 3n;
    case 'monthsofyear':
      return d.months % 12n;
    case 'daysofweek':
      return d.days % 7n;
    case 'minutesofhour':
      return (d.seconds / 60n) % 60n;
    case 'secondsofminute':
      return d.seconds % 60n;
    case 'millisecondsofsecond':
      return BigInt(Math.floor(d.nanos / 1_000_000));
    case 'microsecondsofsecond':
      return BigInt(Math.floor(d.nanos / 1000));
    case 'nanosecondsofsecond':
      return BigInt(d.nanos);
    default:
      return undefined;
  }
}

function dateField(day: number, key: string): Value | undefined {
  const c = civilOf(day);
  switch (key) {
    case 'year':
      return BigInt(c.year);
    case 'quarter':
      return BigInt(quarterOf(c.month));
    case 'month':
      return BigInt(c.month);
    case 'week':
      return BigInt(weekDateOf(day).week);
    case 'weekyear':
      return BigInt(weekDateOf(day).weekYear);
    case 'dayofquarter':
      return BigInt(dayOfQuarter(day));
    case 'quarterday':
      return BigInt(dayOfQuarter(day));
    case 'day':
      return BigInt(c.day);
    case 'ordinalday':
      return BigInt(ordinalDay(day));
    case 'dayofweek':
    case 'weekday':
      return BigInt(weekDateOf(day).dayOfWeek);
    default:
      return undefined;
  }
}

function timeField(nano: number, key: string): Value | undefined {
  const sec = Math.floor(nano / NANOS_PER_SECOND);
  const ns = nano - sec * NANOS_PER_SECOND;
  switch (key) {
    case 'hour':
      return BigInt(Math.floor(sec / 3600));
    case 'minute':
      return BigInt(Math.floor((sec % 3600) / 60));
    case 'second':
      return BigInt(sec % 60);
    case 'millisecond':
      return BigInt(Math.floor(ns / 1_000_000));
    case 'microsecond':
      return BigInt(Math.floor(ns / 1000));
    case 'nanosecond':
      return BigInt(ns);
    default:
      return undefined;
  }
}

function zoneField(p: Parts, key: string): Value | undefined {
  if (p.offset === undefined) return undefined;
  switch (key) {
    case 'timezone':
      return p.zone ?? formatOffset(p.offset);
    case 'offset':
      return formatOffset(p.offset);
    case 'offsetminutes':
      return BigInt(Math.trunc(p.offset / 60));
    case 'offsetseconds':
      return BigInt(p.offset);
    default:
      break;
  }
  if (p.epochDay === undefined) return undefined;
  const nanos = epochNanosOf(p);
  const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  if (key === 'epochseconds') return floorDiv(nanos, 1_000_000_000n);
  if (key === 'epochmillis') return floorDiv(nanos, 1_000_000n);
  return undefined;
}

/** `t.key`; throws for a component the value does not have. */
export function temporalProperty(t: AnyTemporal, key: string): Value {
  const k = key.toLowerCase();
  let v: Value | undefined;
  if (t instanceof DurationValue) {
    v = durationField(t, k);
  } else {
    const p = partsOf(t);
    if (p.epochDay !== undefined) v = dateField(p.epochDay, k);
    if (v === undefined && p.nanoOfDay !== undefined) v = timeField(p.nanoOfDay, k);
    if (v === undefined) v = zoneField(p, k);
  }
  if (v === undefined) {
    throw argumentError('InvalidArgumentValue', `${t.temporalKind} has no component '${key}'`);
  }
  // Components are exact (bigint) and may exceed an INTEGER: `d.nanoseconds` of a long
  // duration, `epochMillis` near year 999,999,999. Cypher has no wider integer.
  if (typeof v === 'bigint' && (v < LONG_MIN || v > LONG_MAX)) throw integerOverflow(`.${key}`);
  return v;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
