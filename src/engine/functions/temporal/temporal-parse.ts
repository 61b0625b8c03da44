/**
 * ISO 8601 text to temporal values, in every form Cypher accepts: calendar, week and
 * ordinal dates, basic and extended formats, fractional seconds with `.` or `,`,
 * offsets (`Z`, `±HH`, `±HHMM`, `±HH:MM`) and bracketed zone names, and durations in
 * unit form (`P1Y2.5DT3M`) or date-time form (`P2012-02-02T14:37:21.545`).
 */
import { argumentError } from '../errors.js';
import {
  daysInMonth,
  daysInYear,
  epochDayOf,
  MAX_YEAR,
  MIN_YEAR,
  NANOS_PER_SECOND,
  weekYearStart,
  weeksInWeekYear,
} from './calendar.js';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalDateTimeValue,
  LocalTimeValue,
  TimeValue,
  type AnyTemporal,
} from './temporal-values.js';
import type { InstantKind } from './temporal-parts.js';
import { durationFromParts } from './duration-math.js';
import { isZoneName, parseOffset, resolveLocal, zoneOffsetAt } from './zones.js';

function invalid(kind: string, text: string): never {
  throw argumentError('InvalidArgumentValue', `Text cannot be parsed to a ${kind}: '${text}'`);
}

function checkRange(ok: boolean, kind: string, text: string): void {
  if (!ok) invalid(kind, text);
}

const YEAR = '([+-]\\d{1,9}|\\d{4})';
const CALENDAR_RE = new RegExp(`^${YEAR}-?(\\d{2})-?(\\d{2})$`);
const WEEK_RE = new RegExp(`^${YEAR}-?W(\\d{2})(?:-?(\\d))?$`);
const ORDINAL_RE = new RegExp(`^${YEAR}-?(\\d{3})$`);
const YEAR_MONTH_RE = new RegExp(`^${YEAR}-?(\\d{2})$`);
const YEAR_RE = new RegExp(`^${YEAR}$`);

/** Epoch day of an ISO date in any of its forms. */
export function parseDatePart(text: string, kind = 'Date'): number {
  let m = CALENDAR_RE.exec(text);
  const year = (s: string | undefined): number => {
    const y = Number(s);
    checkRange(y >= MIN_YEAR && y <= MAX_YEAR, kind, text);
    return y;
  };
  if (m) {
    const y = year(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    checkRange(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo), kind, text);
    return epochDayOf(y, mo, d);
  }
  m = WEEK_RE.exec(text);
  if (m) {
    const y = year(m[1]);
    const w = Number(m[2]);
    const dow = m[3] === undefined ? 1 : Number(m[3]);
    checkRange(w >= 1 && w <= weeksInWeekYear(y) && dow >= 1 && dow <= 7, kind, text);
    return weekYearStart(y) + (w - 1) * 7 + dow - 1;
  }
  m = ORDINAL_RE.exec(text);
  if (m) {
    const y = year(m[1]);
    const o = Number(m[2]);
    checkRange(o >= 1 && o <= daysInYear(y), kind, text);
    return epochDayOf(y, 1, 1) + o - 1;
  }
  m = YEAR_MONTH_RE.exec(text);
  if (m) {
    const y = year(m[1]);
    const mo = Number(m[2]);
    checkRange(mo >= 1 && mo <= 12, kind, text);
    return epochDayOf(y, mo, 1);
  }
  m = YEAR_RE.exec(text);
  if (m) return epochDayOf(year(m[1]), 1, 1);
  return invalid(kind, text);
}

const TIME_RE =
  /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/;

interface TimeText {
  readonly nanoOfDay: number;
  readonly offset: number | undefined;
  readonly zone: string | undefined;
}

/** Fractional-second digits to nanoseconds (`"142"` is 142,000,000). */
export function fractionToNanos(digits: string | undefined): number {
  if (!digits) return 0;
  return Number(digits.padEnd(9, '0'));
}

function parseTimePart(text: string, kind: string): TimeText {
  const m = TIME_RE.exec(text);
  if (!m) return invalid(kind, text);
  const h = Number(m[1]);
  const min = Number(m[2] ?? '0');
  const s = Number(m[3] ?? '0');
  checkRange(h <= 23 && min <= 59 && s <= 59, kind, text);
  const nanoOfDay = (h * 3600 + min * 60 + s) * NANOS_PER_SECOND + fractionToNanos(m[4]);
  const offset = m[5] === undefined ? undefined : parseOffset(m[5]);
  const zone = m[6];
  if (zone !== undefined && !isZoneName(zone)) {
    throw argumentError('InvalidArgumentValue', `unknown time zone '${zone}' in '${text}'`);
  }
  return { nanoOfDay, offset, zone };
}

export function parseDate(text: string): DateValue {
  return new DateValue(parseDatePart(text.trim()));
}

export function parseLocalTime(text: string): LocalTimeValue {
  const t = parseTimePart(text.trim(), 'LocalTime');
  if (t.offset !== undefined || t.zone !== undefined) invalid('LocalTime', text);
  return new LocalTimeValue(t.nanoOfDay);
}

/** A time without offset takes `defaultOffset` (the session zone, UTC). */
export function parseTime(text: string, nowEpochSecond: number, defaultOffset = 0): TimeValue {
  const t = parseTimePart(text.trim(), 'Time');
  let offset = t.offset;
  if (offset === undefined)
    offset = t.zone !== undefined ? zoneOffsetAt(t.zone, nowEpochSecond) : defaultOffset;
  return new TimeValue(t.nanoOfDay, offset);
}

function splitDateTime(text: string, kind: string): [string, string | undefined] {
  const trimmed = text.trim();
  const i = trimmed.indexOf('T');
  if (i < 0) return [trimmed, undefined];
  if (i === trimmed.length - 1) invalid(kind, text);
  return [trimmed.slice(0, i), trimmed.slice(i + 1)];
}

export function parseLocalDateTime(text: string): LocalDateTimeValue {
  const [d, t] = splitDateTime(text, 'LocalDateTime');
  const epochDay = parseDatePart(d, 'LocalDateTime');
  if (t === undefined) return new LocalDateTimeValue(epochDay, 0);
  const time = parseTimePart(t, 'LocalDateTime');
  if (time.offset !== undefined || time.zone !== undefined) invalid('LocalDateTime', text);
  return new LocalDateTimeValue(epochDay, time.nanoOfDay);
}

/**
 * A date-time with an offset, a zone, both, or neither (then the default zone, UTC).
 * With both, the given offset is kept when the zone allows it at that local time.
 */
export function parseDateTime(text: string): DateTimeValue {
  const [d, t] = splitDateTime(text, 'DateTime');
  const epochDay = parseDatePart(d, 'DateTime');
  const time =
    t === undefined ? { nanoOfDay: 0, offset: undefined, zone: undefined } : parseTimePart(t, 'DateTime');
  return zonedFromLocal(epochDay, time.nanoOfDay, time.offset ?? 0, time.zone, time.offset);
}

/**
 * A DateTimeValue for a local date-time in a zone (named) or at a fixed offset; a local
 * time inside a DST gap moves forward, as java.time does.
 */
export function zonedFromLocal(
  epochDay: number,
  nanoOfDay: number,
  offset: number,
  zone: string | undefined,
  preferredOffset?: number,
): DateTimeValue {
  if (zone === undefined) return new DateTimeValue(epochDay, nanoOfDay, offset, undefined);
  const secondOfDay = Math.floor(nanoOfDay / NANOS_PER_SECOND);
  const localSecond = epochDay * 86_400 + secondOfDay;
  const r = resolveLocal(zone, localSecond, preferredOffset);
  if (r.localSecond === localSecond) return new DateTimeValue(epochDay, nanoOfDay, r.offset, zone);
  const shifted = r.localSecond;
  const day = Math.floor(shifted / 86_400);
  const sub = nanoOfDay - secondOfDay * NANOS_PER_SECOND;
  return new DateTimeValue(day, (shifted - day * 86_400) * NANOS_PER_SECOND + sub, r.offset, zone);
}

const NUM = '([-+]?\\d+(?:[.,]\\d+)?)';
const DURATION_RE = new RegExp(
  `^([-+]?)P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:([-+]?)(\\d+)(?:[.,](\\d{1,9}))?S)?)?$`,
  'i',
);
const DURATION_DATETIME_RE = /^([-+]?)P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/i;

function num(s: string | undefined): number | bigint {
  if (s === undefined) return 0n;
  const t = s.replace(',', '.');
  return t.includes('.') ? Number(t) : BigInt(t);
}

/**
 * Parses `text` as a temporal of `kind`; a Time given with a zone name but no offset takes
 * that zone's offset at `nowEpochSecond`.
 */
export function parseInstant(
  kind: InstantKind,
  text: string,
  nowEpochSecond: number,
): Exclude<AnyTemporal, DurationValue> {
  switch (kind) {
    case 'Date':
      return parseDate(text);
    case 'LocalTime':
      return parseLocalTime(text);
    case 'Time':
      return parseTime(text, nowEpochSecond);
    case 'LocalDateTime':
      return parseLocalDateTime(text);
    case 'DateTime':
      return parseDateTime(text);
  }
}

export function parseDuration(text: string): DurationValue {
  const trimmed = text.trim();
  const alt = DURATION_DATETIME_RE.exec(trimmed);
  if (alt) {
    const sign = alt[1] === '-' ? -1n : 1n;
    const [y, mo, d, h, mi, s] = alt.slice(2, 8).map((x) => BigInt(x ?? '0')) as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const nanos = BigInt(fractionToNanos(alt[8]));
    return new DurationValue(
      sign * (y * 12n + mo),
      sign * d,
      sign * (h * 3600n + mi * 60n + s),
      sign * nanos,
    );
  }
  const m = DURATION_RE.exec(trimmed);
  if (!m || /T$/i.test(trimmed) || /^[-+]?P$/i.test(trimmed)) return invalid('Duration', text);
  const secondsSign = m[8] === '-' ? -1n : 1n;
  const wholeSeconds = m[9] === undefined ? 0n : secondsSign * BigInt(m[9]);
  const fracNanos = secondsSign * BigInt(fractionToNanos(m[10]));
  const d = durationFromParts({
    years: num(m[2]),
    months: num(m[3]),
    weeks: num(m[4]),
    days: num(m[5]),
    hours: num(m[6]),
    minutes: num(m[7]),
    seconds: wholeSeconds,
    nanoseconds: fracNanos,
  });
  if (m[1] !== '-') return d;
  return new DurationValue(-d.months, -d.days, -d.seconds, -BigInt(d.nanos));
}
