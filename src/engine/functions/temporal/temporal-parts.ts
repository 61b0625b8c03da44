/**
 * A uniform view of any instant-like temporal as optional parts (epoch day, nano of
 * day, offset, zone), so selection, truncation, arithmetic and `duration.between` can
 * treat the five point-in-time types alike and rebuild the requested type at the end.
 */
import { NANOS_PER_DAY, NANOS_PER_SECOND, plusMonths } from './calendar.js';
import {
  DateValue,
  DurationValue,
  LocalDateTimeValue,
  LocalTimeValue,
  TimeValue,
  type AnyTemporal,
} from './temporal-values.js';
import { zonedFromLocal } from './temporal-parse.js';
import { zoneOffsetAt } from './zones.js';

export interface Parts {
  readonly epochDay?: number;
  readonly nanoOfDay?: number;
  /** Seconds east of UTC; present for TIME and DATETIME. */
  readonly offset?: number;
  /** Named zone (DATETIME only). */
  readonly zone?: string;
}

export type InstantKind = 'Date' | 'LocalTime' | 'Time' | 'LocalDateTime' | 'DateTime';

export function partsOf(t: Exclude<AnyTemporal, DurationValue>): Parts {
  if (t instanceof DateValue) return { epochDay: t.epochDay };
  if (t instanceof LocalTimeValue) return { nanoOfDay: t.nanoOfDay };
  if (t instanceof TimeValue) return { nanoOfDay: t.nanoOfDay, offset: t.offsetSeconds };
  if (t instanceof LocalDateTimeValue) return { epochDay: t.epochDay, nanoOfDay: t.nanoOfDay };
  return { epochDay: t.epochDay, nanoOfDay: t.nanoOfDay, offset: t.offsetSeconds, zone: t.zone };
}

/** Rebuilds a value of `kind`; DATETIME re-resolves a named zone's offset for its local time. */
export function fromParts(kind: InstantKind, p: Parts): Exclude<AnyTemporal, DurationValue> {
  const day = p.epochDay ?? 0;
  const nano = p.nanoOfDay ?? 0;
  switch (kind) {
    case 'Date':
      return new DateValue(day);
    case 'LocalTime':
      return new LocalTimeValue(nano);
    case 'Time':
      return new TimeValue(nano, p.offset ?? 0);
    case 'LocalDateTime':
      return new LocalDateTimeValue(day, nano);
    case 'DateTime':
      return zonedFromLocal(day, nano, p.offset ?? 0, p.zone, p.offset);
  }
}

export function epochSecondOf(p: Parts): number {
  return (p.epochDay ?? 0) * 86_400 + Math.floor((p.nanoOfDay ?? 0) / NANOS_PER_SECOND) - (p.offset ?? 0);
}

/** Exact nanoseconds since the epoch of local parts read at their offset (0 when absent). */
export function epochNanosOf(p: Parts): bigint {
  return (
    (BigInt(p.epochDay ?? 0) * 86_400n - BigInt(p.offset ?? 0)) * 1_000_000_000n + BigInt(p.nanoOfDay ?? 0)
  );
}

const NPD = BigInt(NANOS_PER_DAY);

/** Local parts (epoch day, nano of day) of an instant seen at `offset`. */
export function localAt(epochNanos: bigint, offset: number): { epochDay: number; nanoOfDay: number } {
  const local = epochNanos + BigInt(offset) * 1_000_000_000n;
  let day = local / NPD;
  let rem = local % NPD;
  if (rem < 0n) {
    rem += NPD;
    day -= 1n;
  }
  return { epochDay: Number(day), nanoOfDay: Number(rem) };
}

/** The same instant in another zone or at another offset. */
export function withZoneSameInstant(p: Parts, offset: number | undefined, zone: string | undefined): Parts {
  const instant = epochNanosOf(p);
  const target = zone !== undefined ? zoneOffsetAt(zone, Number(instant / 1_000_000_000n)) : (offset ?? 0);
  return { ...localAt(instant, target), offset: target, zone };
}

/** Adds months then days to the local date, keeping the zone (java.time plus on a local field). */
export function plusDateUnits(p: Parts, months: bigint, days: bigint): Parts {
  if (p.epochDay === undefined) return p;
  const day = plusMonths(p.epochDay, Number(months)) + Number(days);
  if (p.zone === undefined) return { ...p, epochDay: day };
  const z = zonedFromLocal(day, p.nanoOfDay ?? 0, p.offset ?? 0, p.zone, p.offset);
  return { epochDay: z.epochDay, nanoOfDay: z.nanoOfDay, offset: z.offsetSeconds, zone: z.zone };
}

/** Adds an exact number of nanoseconds (on the instant time line for zoned values). */
export function plusNanos(p: Parts, nanos: bigint): Parts {
  if (nanos === 0n) return p;
  if (p.epochDay === undefined) {
    const n = BigInt(p.nanoOfDay ?? 0) + nanos;
    return { ...p, nanoOfDay: Number(((n % NPD) + NPD) % NPD) };
  }
  if (p.zone !== undefined) {
    const instant = epochNanosOf(p) + nanos;
    const offset = zoneOffsetAt(p.zone, Number(instant / 1_000_000_000n));
    return { ...localAt(instant, offset), offset, zone: p.zone };
  }
  const local = BigInt(p.epochDay) * NPD + BigInt(p.nanoOfDay ?? 0) + nanos;
  const r = localAt(local, 0);
  return { ...p, epochDay: r.epochDay, nanoOfDay: p.nanoOfDay === undefined ? undefined : r.nanoOfDay };
}

/**
 * temporal ± duration, as Neo4j's DurationValue.addTo: months, then days, then seconds
 * and nanoseconds; a DATE takes whole days of the seconds part only.
 */
export function plusDuration(p: Parts, d: DurationValue, sign: 1n | -1n): Parts {
  let r = plusDateUnits(p, sign * d.months, sign * d.days);
  if (r.nanoOfDay === undefined) {
    const days = d.seconds / 86_400n;
    return days === 0n ? r : plusDateUnits(r, 0n, sign * days);
  }
  r = plusNanos(r, sign * d.totalNanos);
  return r;
}
