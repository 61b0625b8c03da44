/**
 * The six Cypher temporal types as immutable classes with nanosecond precision. Each
 * `toString()` is exactly the TCK's / Neo4j's textual form (java.time's ISO rendering),
 * which is also what storage keeps and JSON output shows.
 */
import type { TemporalKind, TemporalScalar } from '../../../storage/types.js';
import { argumentError, arithmeticError } from '../errors.js';
import { civilOf, epochDayOf, MAX_YEAR, MIN_YEAR, NANOS_PER_SECOND } from './calendar.js';
import { formatOffset } from './zones.js';

const MIN_EPOCH_DAY = epochDayOf(MIN_YEAR, 1, 1);
const MAX_EPOCH_DAY = epochDayOf(MAX_YEAR, 12, 31);

/**
 * Every date-carrying value stays within years ±999,999,999, the range date() and the
 * storage decoder accept. Arithmetic (`date + duration`) and epoch constructors could
 * leave it: the value printed as garbage (`+25252734927768580-08-06`) and, once stored,
 * could not be read back, so the node failed every read and every delete.
 */
function checkEpochDay(epochDay: number): number {
  if (!(epochDay >= MIN_EPOCH_DAY && epochDay <= MAX_EPOCH_DAY)) {
    throw argumentError(
      'InvalidArgumentValue',
      `temporal value out of range: the year must be in [${MIN_YEAR}, ${MAX_YEAR}]`,
    );
  }
  return epochDay;
}

export abstract class TemporalValue implements TemporalScalar {
  abstract readonly temporalKind: TemporalKind;
  abstract toString(): string;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

export function formatDate(epochDay: number): string {
  const { year, month, day } = civilOf(epochDay);
  let y: string;
  if (Math.abs(year) < 10_000) y = (year < 0 ? '-' : '') + pad(Math.abs(year), 4);
  else y = (year < 0 ? '-' : '+') + String(Math.abs(year));
  return `${y}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** java.time LocalTime.toString: seconds only when non-zero, fraction in 3, 6 or 9 digits. */
export function formatTime(nanoOfDay: number): string {
  const totalSeconds = Math.floor(nanoOfDay / NANOS_PER_SECOND);
  const nano = nanoOfDay - totalSeconds * NANOS_PER_SECOND;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  let out = `${pad(h, 2)}:${pad(m, 2)}`;
  if (s > 0 || nano > 0) {
    out += ':' + pad(s, 2);
    if (nano > 0) {
      if (nano % 1_000_000 === 0) out += '.' + pad(nano / 1_000_000, 3);
      else if (nano % 1000 === 0) out += '.' + pad(nano / 1000, 6);
      else out += '.' + pad(nano, 9);
    }
  }
  return out;
}

export class DateValue extends TemporalValue {
  readonly temporalKind = 'Date' as const;
  readonly epochDay: number;
  constructor(epochDay: number) {
    super();
    this.epochDay = checkEpochDay(epochDay);
  }
  static of(year: number, month: number, day: number): DateValue {
    return new DateValue(epochDayOf(year, month, day));
  }
  override toString(): string {
    return formatDate(this.epochDay);
  }
}

export class LocalTimeValue extends TemporalValue {
  readonly temporalKind = 'LocalTime' as const;
  constructor(readonly nanoOfDay: number) {
    super();
  }
  override toString(): string {
    return formatTime(this.nanoOfDay);
  }
}

export class TimeValue extends TemporalValue {
  readonly temporalKind = 'Time' as const;
  constructor(
    readonly nanoOfDay: number,
    readonly offsetSeconds: number,
  ) {
    super();
  }
  /** Nanoseconds of the day in UTC (may leave [0, day)); the comparison key. */
  get utcNanoOfDay(): number {
    return this.nanoOfDay - this.offsetSeconds * NANOS_PER_SECOND;
  }
  override toString(): string {
    return formatTime(this.nanoOfDay) + formatOffset(this.offsetSeconds);
  }
}

export class LocalDateTimeValue extends TemporalValue {
  readonly temporalKind = 'LocalDateTime' as const;
  readonly epochDay: number;
  constructor(
    epochDay: number,
    readonly nanoOfDay: number,
  ) {
    super();
    this.epochDay = checkEpochDay(epochDay);
  }
  override toString(): string {
    return formatDate(this.epochDay) + 'T' + formatTime(this.nanoOfDay);
  }
}

export class DateTimeValue extends TemporalValue {
  readonly temporalKind = 'DateTime' as const;
  /**
   * `zone` is a named zone (`Europe/Stockholm`) or undefined for a fixed offset; the
   * offset is always the one in force at this instant.
   */
  readonly epochDay: number;
  constructor(
    epochDay: number,
    readonly nanoOfDay: number,
    readonly offsetSeconds: number,
    readonly zone: string | undefined,
  ) {
    super();
    this.epochDay = checkEpochDay(epochDay);
  }
  /** Exact instant in nanoseconds since the epoch. */
  get epochNanos(): bigint {
    return (
      (BigInt(this.epochDay) * 86_400n - BigInt(this.offsetSeconds)) * 1_000_000_000n + BigInt(this.nanoOfDay)
    );
  }
  override toString(): string {
    return (
      formatDate(this.epochDay) +
      'T' +
      formatTime(this.nanoOfDay) +
      formatOffset(this.offsetSeconds) +
      (this.zone !== undefined ? `[${this.zone}]` : '')
    );
  }
}

const NPS = 1_000_000_000n;

/**
 * A duration keeps months, days, seconds and nanoseconds apart (their lengths vary);
 * nanoseconds are normalised into [0, 1e9) by borrowing from seconds.
 */
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Duration components are 64-bit, as everywhere in Cypher: `duration('P9223372036854775807Y')`
 * had 110680464442257309684 months, an INTEGER no client can receive or store.
 */
function checkLong(v: bigint): bigint {
  if (v < LONG_MIN || v > LONG_MAX) {
    throw arithmeticError('IntegerOverflow', 'duration component out of the 64-bit range');
  }
  return v;
}

export class DurationValue extends TemporalValue {
  readonly temporalKind = 'Duration' as const;
  readonly months: bigint;
  readonly days: bigint;
  readonly seconds: bigint;
  readonly nanos: number;
  constructor(months: bigint, days: bigint, seconds: bigint, nanos: bigint | number) {
    super();
    const n = BigInt(nanos);
    let s = seconds + n / NPS;
    let r = n % NPS;
    if (r < 0n) {
      r += NPS;
      s -= 1n;
    }
    this.months = checkLong(months);
    this.days = checkLong(days);
    this.seconds = checkLong(s);
    this.nanos = Number(r);
  }
  /** Seconds and nanoseconds as one exact count. */
  get totalNanos(): bigint {
    return this.seconds * NPS + BigInt(this.nanos);
  }
  /** Neo4j's rendering: `P1Y2M3DT4H5M6.007S`, each part signed, `PT0S` when empty. */
  override toString(): string {
    let out = 'P';
    const years = this.months / 12n;
    const months = this.months % 12n;
    if (years !== 0n) out += `${years}Y`;
    if (months !== 0n) out += `${months}M`;
    if (this.days !== 0n) out += `${this.days}D`;
    if (this.seconds !== 0n || this.nanos !== 0) {
      let seconds = this.seconds;
      let nanos = this.nanos;
      const negative = seconds < 0n;
      if (negative && nanos !== 0) {
        seconds += 1n;
        nanos = NANOS_PER_SECOND - nanos;
      }
      out += 'T';
      const h = seconds / 3600n;
      const m = (seconds / 60n) % 60n;
      const s = seconds % 60n;
      if (h !== 0n) out += `${h}H`;
      if (m !== 0n) out += `${m}M`;
      if (s !== 0n || nanos !== 0) {
        if (s === 0n && negative) out += '-';
        out += s.toString();
        if (nanos !== 0) out += '.' + pad(nanos, 9).replace(/0+$/, '');
        out += 'S';
      }
    }
    return out === 'P' ? 'PT0S' : out;
  }
}

export const ZERO_DURATION = new DurationValue(0n, 0n, 0n, 0);

export type AnyTemporal =
  DateValue | LocalTimeValue | TimeValue | LocalDateTimeValue | DateTimeValue | DurationValue;

export function isTemporalValue(v: unknown): v is AnyTemporal {
  return v instanceof TemporalValue;
}
