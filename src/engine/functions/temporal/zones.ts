/**
 * Time-zone offsets. Fixed offsets are parsed and printed as java.time does (`Z`,
 * `+01:00`, `+00:53:28`); named zones (`Europe/Stockholm`) are resolved through the
 * runtime's ICU data via Intl, including historical local mean time and DST.
 */
import { argumentError } from '../errors.js';

const OFFSET_RE = /^([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?$/;
const MAX_OFFSET = 18 * 3600;

/** `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS` to seconds east of UTC; undefined if not an offset. */
export function parseOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const m = OFFSET_RE.exec(text);
  if (!m) return undefined;
  const h = Number(m[2]);
  const min = Number(m[3] ?? '0');
  const s = Number(m[4] ?? '0');
  if (min > 59 || s > 59) return undefined;
  const total = h * 3600 + min * 60 + s;
  if (total > MAX_OFFSET) {
    throw argumentError('InvalidArgumentValue', `time zone offset '${text}' is outside ±18:00`);
  }
  return m[1] === '-' ? -total : total;
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function formatOffset(seconds: number): string {
  if (seconds === 0) return 'Z';
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  return (seconds < 0 ? '-' : '+') + two(h) + ':' + two(m) + (s !== 0 ? ':' + two(s) : '');
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return undefined;
  }
  if (formatters.size > 1000) formatters.clear();
  formatters.set(zone, f);
  return f;
}

/** True for an IANA zone name the runtime knows (`Europe/Stockholm`, `UTC`). */
export function isZoneName(zone: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) && formatterFor(zone) !== undefined;
}

// JS Date covers ±8.64e15 ms; beyond that the offset of the boundary is used.
const MAX_EPOCH_SECOND = 8.6e12;

/** Offset (seconds east of UTC) of `zone` at the instant `epochSecond`. */
export function zoneOffsetAt(zone: string, epochSecond: number): number {
  const f = formatterFor(zone);
  if (!f) throw argumentError('InvalidArgumentValue', `unknown time zone '${zone}'`);
  const clamped = Math.max(-MAX_EPOCH_SECOND, Math.min(MAX_EPOCH_SECOND, epochSecond));
  const parts = f.formatToParts(new Date(clamped * 1000));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  if (name === 'GMT' || name === 'UTC') return 0;
  const off = parseOffset(name.slice(3));
  return off ?? 0;
}

/**
 * The offset a local date-time (as seconds since the epoch, read as if UTC) gets in
 * `zone`, following java.time's ZonedDateTime.ofLocal: in an overlap the `preferred`
 * offset if valid, else the earlier one; in a gap the local time moves forward by the
 * gap's length. Returns the offset and the possibly shifted local seconds.
 */
export function resolveLocal(
  zone: string,
  localSecond: number,
  preferred?: number,
): { offset: number; localSecond: number } {
  const before = zoneOffsetAt(zone, localSecond - 86_400);
  const after = zoneOffsetAt(zone, localSecond + 86_400);
  const valid: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    if (zoneOffsetAt(zone, localSecond - o) === o) valid.push(o);
  }
  if (valid.length === 0) {
    // A transition within the day that is not one of the two probes: try the exact one.
    const guess = zoneOffsetAt(zone, localSecond - before);
    if (zoneOffsetAt(zone, localSecond - guess) === guess) return { offset: guess, localSecond };
    const instant = localSecond - before;
    const o = zoneOffsetAt(zone, instant);
    return { offset: o, localSecond: instant + o };
  }
  if (valid.length === 2 && preferred !== undefined && valid.includes(preferred)) {
    return { offset: preferred, localSecond };
  }
  // Overlap: the earlier instant is the larger offset.
  return { offset: Math.max(...valid), localSecond };
}
