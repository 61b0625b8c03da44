/**
 * Proleptic Gregorian calendar arithmetic on epoch days (days since 1970-01-01), the
 * representation every date-carrying temporal uses. Plain numbers suffice: the widest
 * supported range (years ±999,999,999) is about 3.7e11 days, far inside 2^53.
 */

export const NANOS_PER_SECOND = 1_000_000_000;
export const NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND;
export const MIN_YEAR = -999_999_999;
export const MAX_YEAR = 999_999_999;

export interface YearMonthDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** Howard Hinnant's days_from_civil: exact for any year in range. */
export function epochDayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilOf(epochDay: number): YearMonthDay {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** ISO day of week: Monday = 1 … Sunday = 7. */
export function dayOfWeek(epochDay: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

export function ordinalDay(epochDay: number): number {
  const { year } = civilOf(epochDay);
  return epochDay - epochDayOf(year, 1, 1) + 1;
}

/** Monday of ISO week 1 of `weekYear` (the week holding January 4th). */
export function weekYearStart(weekYear: number): number {
  const jan4 = epochDayOf(weekYear, 1, 4);
  return jan4 - (dayOfWeek(jan4) - 1);
}

export function weeksInWeekYear(weekYear: number): number {
  return (weekYearStart(weekYear + 1) - weekYearStart(weekYear)) / 7;
}

export interface WeekDate {
  readonly weekYear: number;
  readonly week: number;
  readonly dayOfWeek: number;
}

export function weekDateOf(epochDay: number): WeekDate {
  const { year } = civilOf(epochDay);
  let weekYear = year;
  if (epochDay < weekYearStart(year)) weekYear = year - 1;
  else if (epochDay >= weekYearStart(year + 1)) weekYear = year + 1;
  const week = Math.floor((epochDay - weekYearStart(weekYear)) / 7) + 1;
  return { weekYear, week, dayOfWeek: dayOfWeek(epochDay) };
}

export function quarterOf(month: number): number {
  return Math.floor((month - 1) / 3) + 1;
}

/** First epoch day of the quarter holding `epochDay`. */
export function quarterStart(year: number, quarter: number): number {
  return epochDayOf(year, (quarter - 1) * 3 + 1, 1);
}

export function dayOfQuarter(epochDay: number): number {
  const { year, month } = civilOf(epochDay);
  return epochDay - quarterStart(year, quarterOf(month)) + 1;
}

/** Adds months the way java.time does: the day is clamped to the target month's length. */
export function plusMonths(epochDay: number, months: number): number {
  if (months === 0) return epochDay;
  const { year, month, day } = civilOf(epochDay);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return epochDayOf(y, m, Math.min(day, daysInMonth(y, m)));
}

/** java.time LocalDate.until(end, MONTHS): whole months, truncated toward zero. */
export function monthsBetween(fromDay: number, toDay: number): number {
  const a = civilOf(fromDay);
  const b = civilOf(toDay);
  const packed1 = (a.year * 12 + a.month - 1) * 32 + a.day;
  const packed2 = (b.year * 12 + b.month - 1) * 32 + b.day;
  return Math.trunc((packed2 - packed1) / 32);
}

export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
