/**
 * Constructing temporals from maps (`date({year: 1984, week: 10, dayOfWeek: 3})`),
 * selecting from other temporals (`datetime({date: d, time: t, timezone: 'Europe/Paris'})`),
 * `X.truncate(unit, temporal, map)` and the current-clock forms.
 */
import type { Value } from '../../values.js';
import { argumentError, typeError } from '../errors.js';
import { typeName } from '../type-name.js';
import {
  civilOf,
  dayOfQuarter,
  daysInMonth,
  daysInYear,
  epochDayOf,
  floorDiv,
  MAX_YEAR,
  MIN_YEAR,
  NANOS_PER_DAY,
  NANOS_PER_SECOND,
  quarterOf,
  quarterStart,
  weekDateOf,
  weekYearStart,
  weeksInWeekYear,
} from './calendar.js';
import { durationFromParts, type DurationParts } from './duration-math.js';
import { zonedFromLocal } from './temporal-parse.js';
import { fromParts, localAt, partsOf, withZoneSameInstant, type InstantKind } from './temporal-parts.js';
import { DateTimeValue, DurationValue, isTemporalValue, type AnyTemporal } from './temporal-values.js';
import { isZoneName, parseOffset, zoneOffsetAt } from './zones.js';

type PointTemporal = Exclude<AnyTemporal, DurationValue>;

const DATE_KEYS = ['year', 'month', 'day', 'week', 'dayofweek', 'quarter', 'dayofquarter', 'ordinalday'];
const TIME_KEYS = ['hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond'];
const KNOWN_KEYS = new Set([
  ...DATE_KEYS,
  ...TIME_KEYS,
  'timezone',
  'date',
  'time',
  'datetime',
  'epochseconds',
  'epochmillis',
]);

export interface Zone {
  readonly offset: number;
  readonly zone: string | undefined;
}

/** A `timezone` value: an offset (`+01:00`, `Z`) or a zone name (`Europe/Stockholm`). */
export function parseZone(v: Value, epochSecond: number): Zone {
  if (typeof v !== 'string') {
    throw typeError('InvalidArgumentType', `timezone must be a STRING, got ${typeName(v)}`);
  }
  const text = v.trim();
  const off = parseOffset(text);
  if (off !== undefined) return { offset: off, zone: undefined };
  if (isZoneName(text)) return { offset: zoneOffsetAt(text, epochSecond), zone: text };
  throw argumentError('InvalidArgumentValue', `unknown time zone '${text}'`);
}

function lowerKeys(map: ReadonlyMap<string, Value>, fn: string): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [k, v] of map) {
    const key = k.toLowerCase();
    if (!KNOWN_KEYS.has(key)) throw argumentError('InvalidArgumentValue', `${fn}(): unknown field '${k}'`);
    out.set(key, v);
  }
  return out;
}

function intField(fields: Map<string, Value>, key: string): number | undefined {
  const v = fields.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw typeError('InvalidArgumentType', `temporal field '${key}' must be an INTEGER, got ${typeName(v)}`);
}

function rangeCheck(name: string, v: number, min: number, max: number): number {
  if (v < min || v > max) {
    throw argumentError('InvalidArgumentValue', `${name} must be in [${min}, ${max}], got ${v}`);
  }
  return v;
}

function temporalField(fields: Map<string, Value>, key: string): PointTemporal | undefined {
  const v = fields.get(key);
  if (v === undefined || v === null) return undefined;
  if (isTemporalValue(v) && !(v instanceof DurationValue)) return v;
  throw typeError('InvalidArgumentType', `'${key}' must be a temporal value, got ${typeName(v)}`);
}

/** Epoch day from the date fields, over an optional base date they override. */
function resolveDate(fields: Map<string, Value>, base: number | undefined, fn: string): number {
  const year = intField(fields, 'year');
  const has = (k: string): boolean => fields.get(k) !== undefined && fields.get(k) !== null;
  if (base === undefined && year === undefined) {
    throw argumentError('InvalidArgumentValue', `${fn}(): a year is required`);
  }
  const checkYear = (y: number): number => rangeCheck('year', y, MIN_YEAR, MAX_YEAR);
  if (has('week') || has('dayofweek')) {
    const b = base === undefined ? undefined : weekDateOf(base);
    const wy = checkYear(year ?? b!.weekYear);
    const week = rangeCheck('week', intField(fields, 'week') ?? b?.week ?? 1, 1, weeksInWeekYear(wy));
    const dow = rangeCheck('dayOfWeek', intField(fields, 'dayofweek') ?? b?.dayOfWeek ?? 1, 1, 7);
    return weekYearStart(wy) + (week - 1) * 7 + dow - 1;
  }
  if (has('ordinalday')) {
    const y = checkYear(year ?? civilOf(base!).year);
    const o = rangeCheck('ordinalDay', intField(fields, 'ordinalday')!, 1, daysInYear(y));
    return epochDayOf(y, 1, 1) + o - 1;
  }
  if (has('quarter') || has('dayofquarter')) {
    const bc = base === undefined ? undefined : civilOf(base);
    const y = checkYear(year ?? bc!.year);
    const q = rangeCheck('quarter', intField(fields, 'quarter') ?? (bc ? quarterOf(bc.month) : 1), 1, 4);
    const start = quarterStart(y, q);
    const length = quarterStart(q === 4 ? y + 1 : y, q === 4 ? 1 : q + 1) - start;
    const dq = intField(fields, 'dayofquarter') ?? (base !== undefined ? dayOfQuarter(base) : 1);
    return start + rangeCheck('dayOfQuarter', dq, 1, length) - 1;
  }
  const bc = base === undefined ? undefined : civilOf(base);
  const y = checkYear(year ?? bc!.year);
  const m = rangeCheck('month', intField(fields, 'month') ?? bc?.month ?? 1, 1, 12);
  const d = rangeCheck('day', intField(fields, 'day') ?? bc?.day ?? 1, 1, daysInMonth(y, m));
  return epochDayOf(y, m, d);
}

/** Nano of day from the time fields, over an optional base time they override. */
function resolveTime(fields: Map<string, Value>, base: number | undefined): number {
  const baseSec = base === undefined ? 0 : Math.floor(base / NANOS_PER_SECOND);
  const baseNano = base === undefined ? 0 : base - baseSec * NANOS_PER_SECOND;
  const h = rangeCheck('hour', intField(fields, 'hour') ?? Math.floor(baseSec / 3600), 0, 23);
  const m = rangeCheck('minute', intField(fields, 'minute') ?? Math.floor((baseSec % 3600) / 60), 0, 59);
  const s = rangeCheck('second', intField(fields, 'second') ?? baseSec % 60, 0, 59);
  const ms = intField(fields, 'millisecond');
  const us = intField(fields, 'microsecond');
  const ns = intField(fields, 'nanosecond');
  let nano = baseNano;
  if (ms !== undefined || us !== undefined || ns !== undefined) {
    if (ms !== undefined) rangeCheck('millisecond', ms, 0, 999);
    if (us !== undefined) rangeCheck('microsecond', us, 0, ms !== undefined ? 999 : 999_999);
    if (ns !== undefined) {
      rangeCheck('nanosecond', ns, 0, ms !== undefined || us !== undefined ? 999_999 : 999_999_999);
    }
    nano = (ms ?? 0) * 1_000_000 + (us ?? 0) * 1000 + (ns ?? 0);
    rangeCheck('nanosecond of second', nano, 0, NANOS_PER_SECOND - 1);
  }
  return (h * 3600 + m * 60 + s) * NANOS_PER_SECOND + nano;
}

function needsDate(kind: InstantKind): boolean {
  return kind === 'Date' || kind === 'LocalDateTime' || kind === 'DateTime';
}

function needsTime(kind: InstantKind): boolean {
  return kind !== 'Date';
}

function hasAny(fields: Map<string, Value>, keys: readonly string[]): boolean {
  return keys.some((k) => fields.get(k) !== undefined && fields.get(k) !== null);
}

/** `kind(map)`: construction from components and/or selection from other temporals. */
export function buildFromMap(
  kind: InstantKind,
  map: ReadonlyMap<string, Value>,
  nowNanos: bigint,
  fn: string,
): PointTemporal {
  const fields = lowerKeys(map, fn);
  const nowSecond = Number(nowNanos / 1_000_000_000n);
  const tzValue = fields.get('timezone');
  const tz = tzValue === undefined || tzValue === null ? undefined : parseZone(tzValue, nowSecond);

  if (kind === 'DateTime' && (fields.has('epochseconds') || fields.has('epochmillis'))) {
    return fromEpochFields(fields, tz);
  }

  const dt = temporalField(fields, 'datetime');
  const dateBase = temporalField(fields, 'date') ?? dt;
  const timeBase = temporalField(fields, 'time') ?? dt;
  const dateParts = dateBase ? partsOf(dateBase) : undefined;
  const timeParts = timeBase ? partsOf(timeBase) : undefined;

  const onlyZone = !dateBase && !timeBase && !hasAny(fields, [...DATE_KEYS, ...TIME_KEYS]);
  if (onlyZone) return currentTemporal(kind, nowNanos, tz);

  let epochDay: number | undefined;
  if (needsDate(kind)) {
    if (dateBase && dateParts?.epochDay === undefined) {
      throw argumentError(
        'InvalidArgumentValue',
        `${fn}(): cannot take a date from ${dateBase.temporalKind}`,
      );
    }
    epochDay = resolveDate(fields, dateParts?.epochDay, fn);
  } else if (hasAny(fields, DATE_KEYS)) {
    throw argumentError('InvalidArgumentValue', `${fn}(): date fields are not allowed`);
  }
  let nanoOfDay: number | undefined;
  if (needsTime(kind)) {
    nanoOfDay = resolveTime(fields, timeParts?.nanoOfDay);
  } else if (hasAny(fields, TIME_KEYS)) {
    throw argumentError('InvalidArgumentValue', `${fn}(): time fields are not allowed`);
  }

  // The source zone comes from the selected time (a date alone carries no zone).
  const srcOffset = timeParts?.offset;
  const srcZone = timeParts?.zone;
  if (kind === 'DateTime') {
    const day = epochDay!;
    const nano = nanoOfDay!;
    if (srcOffset !== undefined) {
      const local = zonedFromLocal(day, nano, srcOffset, srcZone, srcOffset);
      if (!tz) return local;
      return fromParts('DateTime', withZoneSameInstant(partsOf(local), tz.offset, tz.zone));
    }
    const zone = tz ?? { offset: 0, zone: undefined };
    return zonedFromLocal(day, nano, zone.offset, zone.zone);
  }
  if (kind === 'Time') {
    const nano = nanoOfDay!;
    if (srcOffset !== undefined) {
      if (!tz) return fromParts('Time', { nanoOfDay: nano, offset: srcOffset });
      const target = tz.zone !== undefined ? zoneOffsetAt(tz.zone, nowSecond) : tz.offset;
      const shifted =
        (((nano + (target - srcOffset) * NANOS_PER_SECOND) % NANOS_PER_DAY) + NANOS_PER_DAY) % NANOS_PER_DAY;
      return fromParts('Time', { nanoOfDay: shifted, offset: target });
    }
    const off = tz ? (tz.zone !== undefined ? zoneOffsetAt(tz.zone, nowSecond) : tz.offset) : 0;
    return fromParts('Time', { nanoOfDay: nano, offset: off });
  }
  if (tz) throw argumentError('InvalidArgumentValue', `${fn}(): a local value takes no timezone`);
  return fromParts(kind, { epochDay, nanoOfDay });
}

function fromEpochFields(fields: Map<string, Value>, tz: Zone | undefined): DateTimeValue {
  const secs = intField(fields, 'epochseconds');
  const millis = intField(fields, 'epochmillis');
  let nanos = 0n;
  if (secs !== undefined) nanos += BigInt(secs) * 1_000_000_000n;
  if (millis !== undefined) nanos += BigInt(millis) * 1_000_000n;
  const ms = intField(fields, 'millisecond') ?? 0;
  const us = intField(fields, 'microsecond') ?? 0;
  const ns = intField(fields, 'nanosecond') ?? 0;
  nanos += BigInt(ms) * 1_000_000n + BigInt(us) * 1000n + BigInt(ns);
  return instantToDateTime(nanos, tz);
}

export function instantToDateTime(epochNanos: bigint, tz: Zone | undefined): DateTimeValue {
  const zone = tz?.zone;
  const offset =
    zone !== undefined ? zoneOffsetAt(zone, Number(epochNanos / 1_000_000_000n)) : (tz?.offset ?? 0);
  const l = localAt(epochNanos, offset);
  return new DateTimeValue(l.epochDay, l.nanoOfDay, offset, zone);
}

/** The current instant as `kind`, in `tz` (default UTC). */
export function currentTemporal(kind: InstantKind, nowNanos: bigint, tz: Zone | undefined): PointTemporal {
  const dt = instantToDateTime(nowNanos, tz);
  return fromParts(kind, partsOf(dt));
}

/** `kind(temporal)`: the parts of another temporal that `kind` holds. */
export function selectFrom(kind: InstantKind, t: PointTemporal, nowNanos: bigint, fn: string): PointTemporal {
  const key = kind === 'Date' ? 'date' : kind === 'LocalTime' || kind === 'Time' ? 'time' : 'datetime';
  if (kind === 'LocalDateTime' || kind === 'DateTime') {
    const p = partsOf(t);
    if (p.epochDay === undefined) {
      throw argumentError('InvalidArgumentValue', `${fn}(): cannot build a ${kind} from a ${t.temporalKind}`);
    }
    if (p.nanoOfDay === undefined) return buildFromMap(kind, new Map([['date', t]]), nowNanos, fn);
  }
  return buildFromMap(kind, new Map([[key, t]]), nowNanos, fn);
}

const DATE_UNITS = ['millennium', 'century', 'decade', 'year', 'weekyear', 'quarter', 'month', 'week', 'day'];
const TIME_UNITS = ['hour', 'minute', 'second', 'millisecond', 'microsecond'];

/** `kind.truncate(unit, temporal, map?)`: cut below `unit`, then apply the map's fields. */
export function truncateTemporal(
  kind: InstantKind,
  unitValue: Value,
  t: PointTemporal,
  mapValue: ReadonlyMap<string, Value> | undefined,
  nowNanos: bigint,
  fn: string,
): PointTemporal {
  if (typeof unitValue !== 'string') {
    throw typeError('InvalidArgumentType', `${fn}() unit must be a STRING, got ${typeName(unitValue)}`);
  }
  const unit = unitValue.toLowerCase();
  if (!DATE_UNITS.includes(unit) && !TIME_UNITS.includes(unit)) {
    throw argumentError('InvalidArgumentValue', `${fn}(): unknown unit '${unitValue}'`);
  }
  if (kind === 'Date' && TIME_UNITS.includes(unit)) {
    throw argumentError('InvalidArgumentValue', `${fn}(): cannot truncate a Date to '${unitValue}'`);
  }
  const p = partsOf(t);
  if (needsDate(kind) && p.epochDay === undefined) {
    throw argumentError('InvalidArgumentValue', `${fn}(): cannot truncate a ${t.temporalKind} to a ${kind}`);
  }
  if (p.epochDay === undefined && DATE_UNITS.includes(unit) && unit !== 'day') {
    throw argumentError(
      'InvalidArgumentValue',
      `${fn}(): cannot truncate a ${t.temporalKind} to '${unitValue}'`,
    );
  }
  let day = p.epochDay;
  let nano = p.nanoOfDay ?? 0;
  if (DATE_UNITS.includes(unit)) {
    nano = 0;
    if (day !== undefined) day = truncateDay(day, unit);
  } else {
    const size = { hour: 3600e9, minute: 60e9, second: 1e9, millisecond: 1e6, microsecond: 1e3 }[unit]!;
    nano = Math.floor(nano / size) * size;
  }

  const fields = mapValue ? lowerKeys(mapValue, fn) : new Map<string, Value>();
  const tzValue = fields.get('timezone');
  fields.delete('timezone');
  // Sub-second fields refine the kept part: after 'millisecond' a nanosecond adds to it.
  const nanoOfSecond = nano % NANOS_PER_SECOND;
  if (unit === 'millisecond' && hasAny(fields, ['microsecond', 'nanosecond']) && !fields.has('millisecond')) {
    fields.set('millisecond', BigInt(Math.floor(nanoOfSecond / 1_000_000)));
  } else if (unit === 'microsecond' && hasAny(fields, ['nanosecond']) && !fields.has('microsecond')) {
    fields.set('microsecond', BigInt(Math.floor(nanoOfSecond / 1000)));
  }
  const nowSecond = Number(nowNanos / 1_000_000_000n);
  const epochDay = needsDate(kind) ? resolveDate(fields, day, fn) : undefined;
  const nanoOfDay = needsTime(kind) ? resolveTime(fields, nano) : undefined;
  const tz = tzValue === undefined || tzValue === null ? undefined : parseZone(tzValue, nowSecond);
  if (kind === 'DateTime') {
    const zone =
      tz ?? (p.offset !== undefined ? { offset: p.offset, zone: p.zone } : { offset: 0, zone: undefined });
    return zonedFromLocal(epochDay!, nanoOfDay!, zone.offset, zone.zone, zone.offset);
  }
  if (kind === 'Time') {
    const off = tz ? (tz.zone !== undefined ? zoneOffsetAt(tz.zone, nowSecond) : tz.offset) : (p.offset ?? 0);
    return fromParts('Time', { nanoOfDay, offset: off });
  }
  return fromParts(kind, { epochDay, nanoOfDay });
}

function truncateDay(day: number, unit: string): number {
  const { year, month } = civilOf(day);
  switch (unit) {
    case 'millennium':
      return epochDayOf(floorDiv(year, 1000) * 1000, 1, 1);
    case 'century':
      return epochDayOf(floorDiv(year, 100) * 100, 1, 1);
    case 'decade':
      return epochDayOf(floorDiv(year, 10) * 10, 1, 1);
    case 'year':
      return epochDayOf(year, 1, 1);
    case 'weekyear':
      return weekYearStart(weekDateOf(day).weekYear);
    case 'quarter':
      return quarterStart(year, quarterOf(month));
    case 'month':
      return epochDayOf(year, month, 1);
    case 'week':
      return day - (weekDateOf(day).dayOfWeek - 1);
    default:
      return day;
  }
}

const DURATION_KEYS: Record<string, keyof DurationParts> = {
  years: 'years',
  quarters: 'quarters',
  months: 'months',
  weeks: 'weeks',
  days: 'days',
  hours: 'hours',
  minutes: 'minutes',
  seconds: 'seconds',
  milliseconds: 'milliseconds',
  microseconds: 'microseconds',
  nanoseconds: 'nanoseconds',
};

/** `duration({years: 1, days: 2.5, ...})`. */
export function durationFromMap(map: ReadonlyMap<string, Value>): DurationValue {
  const parts: DurationParts = {};
  for (const [k, v] of map) {
    const key = DURATION_KEYS[k.toLowerCase()];
    if (key === undefined) throw argumentError('InvalidArgumentValue', `duration(): unknown field '${k}'`);
    if (v === null) continue;
    if (typeof v !== 'bigint' && typeof v !== 'number') {
      throw typeError('InvalidArgumentType', `duration field '${k}' must be a number, got ${typeName(v)}`);
    }
    parts[key] = v;
  }
  return durationFromParts(parts);
}
