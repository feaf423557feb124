import { ValidationError } from './errors';
import type { DayNumber } from './record';

/**
 * Calendar dates as day numbers (whole days since 1970-01-01, proleptic Gregorian, UTC).
 * Conversion uses Howard Hinnant's civil-from-days / days-from-civil algorithms: integer maths
 * only, so parsing millions of dates creates no Date objects and no timezone can shift a day.
 */

/** Years outside this range are data-entry errors (e.g. a two-digit year read as 0025). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

const DAYS_PER_ERA = 146_097;
const EPOCH_SHIFT = 719_468; // days from 0000-03-01 to 1970-01-01
const ZERO = 48;
const DASH = 45;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day number of a calendar date; the caller guarantees the date is real. */
export function dayFromCivil(year: number, month: number, day: number): DayNumber {
  // The year is counted from March so the leap day falls at the end of it.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT;
}

// Scratch output of toCivil: formatting runs per record, and returning a tuple would allocate.
let civilYear = 0;
let civilMonth = 0;
let civilDay = 0;

function toCivil(dayNumber: DayNumber): void {
  const z = dayNumber + EPOCH_SHIFT;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  civilDay = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  civilMonth = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  civilYear = yearOfEra + era * 400 + (civilMonth <= 2 ? 1 : 0);
}

export function civilFromDay(dayNumber: DayNumber): { year: number; month: number; day: number } {
  toCivil(dayNumber);
  return { year: civilYear, month: civilMonth, day: civilDay };
}

/** Value of the decimal digits in text[from, to), or -1 if any character is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses `YYYY-MM-DD` or `DD/MM/YYYY` (also `D/M/YYYY`, the form spreadsheets save). Empty text
 * means "not recorded" (null); anything else that is not a real calendar date is 'invalid'.
 */
export function parseDate(text: string): DayNumber | null | 'invalid' {
  const value = text.trim();
  const length = value.length;
  if (length === 0) return null;
  let year: number;
  let month: number;
  let day: number;
  if (length === 10 && value.charCodeAt(4) === DASH && value.charCodeAt(7) === DASH) {
    year = digitsAt(value, 0, 4);
    month = digitsAt(value, 5, 7);
    day = digitsAt(value, 8, 10);
  } else {
    const first = value.indexOf('/');
    const second = first > 0 ? value.indexOf('/', first + 1) : -1;
    if (first < 1 || first > 2 || second - first < 2 || second - first > 3) return 'invalid';
    if (length - second - 1 !== 4) return 'invalid';
    day = digitsAt(value, 0, first);
    month = digitsAt(value, first + 1, second);
    year = digitsAt(value, second + 1, length);
  }
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return 'invalid';
  if (day < 1 || day > daysInMonth(year, month)) return 'invalid';
  return dayFromCivil(year, month, day);
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(dayNumber: DayNumber): string {
  toCivil(dayNumber);
  return `${civilYear}-${pad2(civilMonth)}-${pad2(civilDay)}`;
}

/** Reporting month (`YYYY-MM`) of a day number. */
export function monthOf(dayNumber: DayNumber): string {
  toCivil(dayNumber);
  return `${civilYear}-${pad2(civilMonth)}`;
}

function parsePeriod(period: string): { year: number; month: number } {
  const year = period.length === 7 && period.charCodeAt(4) === DASH ? digitsAt(period, 0, 4) : -1;
  const month = year < 0 ? -1 : digitsAt(period, 5, 7);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) {
    throw new ValidationError(`"${period}" is not a month in YYYY-MM form.`, 'PERIOD_INVALID');
  }
  return { year, month };
}

/** First day of a `YYYY-MM` month. Throws ValidationError (PERIOD_INVALID) on a malformed month. */
export function monthStart(period: string): DayNumber {
  const { year, month } = parsePeriod(period);
  return dayFromCivil(year, month, 1);
}

/** Last day of a `YYYY-MM` month. Throws ValidationError (PERIOD_INVALID) on a malformed month. */
export function monthEnd(period: string): DayNumber {
  const { year, month } = parsePeriod(period);
  return dayFromCivil(year, month, daysInMonth(year, month));
}
