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
 * Date layouts a trust's export may use, configured per trust (`intake.dateFormats`). Day-first
 * and month-first forms with a separator also take one-digit days and months (`1/5/2025`), the
 * form spreadsheets save; `DD-MMM-YYYY` takes English month abbreviations in any case.
 */
export const DATE_FORMATS = [
  'YYYY-MM-DD',
  'DD/MM/YYYY',
  'DD-MM-YYYY',
  'DD.MM.YYYY',
  'YYYYMMDD',
  'DD-MMM-YYYY',
  'MM/DD/YYYY',
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** What a trust with no `dateFormats` gets: ISO, and the UK day-first form. */
export const DEFAULT_DATE_FORMATS: readonly DateFormat[] = ['YYYY-MM-DD', 'DD/MM/YYYY'];

/**
 * Formats that read the same text as different dates (`03/04/2025`), so one trust may not have
 * both: guessing between them would silently move dates by months.
 */
export const AMBIGUOUS_DATE_FORMATS: ReadonlyArray<readonly [DateFormat, DateFormat]> = [
  ['DD/MM/YYYY', 'MM/DD/YYYY'],
];

/** The formats as a message names them: `YYYY-MM-DD or DD/MM/YYYY`. */
export function describeDateFormats(formats: readonly DateFormat[] = DEFAULT_DATE_FORMATS): string {
  if (formats.length <= 1) return formats[0] ?? DEFAULT_DATE_FORMATS.join(' or ');
  return `${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}`;
}

const SLASH = 47;
const DOT = 46;

// Scratch output of the matchers below: they run per cell, and returning a tuple would allocate.
let parsedYear = 0;
let parsedMonth = 0;
let parsedDay = 0;

/** `YYYY-MM-DD`, exactly ten characters. */
function matchIso(value: string, length: number): boolean {
  if (length !== 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH) return false;
  parsedYear = digitsAt(value, 0, 4);
  parsedMonth = digitsAt(value, 5, 7);
  parsedDay = digitsAt(value, 8, 10);
  return true;
}

/** `YYYYMMDD`, exactly eight characters. */
function matchCompact(value: string, length: number): boolean {
  // digits only: `1/5/2025` is eight characters too, and must fall through to a later format
  if (length !== 8 || digitsAt(value, 0, 8) < 0) return false;
  parsedYear = digitsAt(value, 0, 4);
  parsedMonth = digitsAt(value, 4, 6);
  parsedDay = digitsAt(value, 6, 8);
  return true;
}

/** `A?B?YYYY` with one- or two-digit parts A and B around `separator`; day-first unless told. */
function matchSeparated(
  value: string,
  length: number,
  separator: number,
  monthFirst: boolean,
): boolean {
  const first = value.charCodeAt(1) === separator ? 1 : value.charCodeAt(2) === separator ? 2 : -1;
  if (first < 0) return false;
  const second =
    value.charCodeAt(first + 2) === separator
      ? first + 2
      : value.charCodeAt(first + 3) === separator
        ? first + 3
        : -1;
  if (second < 0 || length - second - 1 !== 4) return false;
  const a = digitsAt(value, 0, first);
  const b = digitsAt(value, first + 1, second);
  parsedDay = monthFirst ? b : a;
  parsedMonth = monthFirst ? a : b;
  parsedYear = digitsAt(value, second + 1, length);
  return true;
}

/**
 * Month of a three-letter English abbreviation, any case; 0 when it is none. The letters are
 * packed into one integer (lower-cased by setting bit 5), so the lookup is a switch, not a map.
 */
function monthOfAbbreviation(value: string, at: number): number {
  const key =
    ((value.charCodeAt(at) | 32) << 16) |
    ((value.charCodeAt(at + 1) | 32) << 8) |
    (value.charCodeAt(at + 2) | 32);
  switch (key) {
    case 0x6a616e: // jan
      return 1;
    case 0x666562: // feb
      return 2;
    case 0x6d6172: // mar
      return 3;
    case 0x617072: // apr
      return 4;
    case 0x6d6179: // may
      return 5;
    case 0x6a756e: // jun
      return 6;
    case 0x6a756c: // jul
      return 7;
    case 0x617567: // aug
      return 8;
    case 0x736570: // sep
      return 9;
    case 0x6f6374: // oct
      return 10;
    case 0x6e6f76: // nov
      return 11;
    case 0x646563: // dec
      return 12;
    default:
      return 0;
  }
}

/** `D-MMM-YYYY` or `DD-MMM-YYYY` (`05-Mar-2025`). */
function matchMonthName(value: string, length: number): boolean {
  const first = value.charCodeAt(1) === DASH ? 1 : value.charCodeAt(2) === DASH ? 2 : -1;
  if (first < 0 || length !== first + 9 || value.charCodeAt(first + 4) !== DASH) return false;
  parsedDay = digitsAt(value, 0, first);
  parsedMonth = monthOfAbbreviation(value, first + 1);
  parsedYear = digitsAt(value, first + 5, length);
  return true;
}

/** Whether `value` has the shape of `format`; the parts land in the scratch variables. */
function matchFormat(value: string, length: number, format: DateFormat): boolean {
  switch (format) {
    case 'YYYY-MM-DD':
      return matchIso(value, length);
    case 'DD/MM/YYYY':
      return matchSeparated(value, length, SLASH, false);
    case 'DD-MM-YYYY':
      return matchSeparated(value, length, DASH, false);
    case 'DD.MM.YYYY':
      return matchSeparated(value, length, DOT, false);
    case 'YYYYMMDD':
      return matchCompact(value, length);
    case 'DD-MMM-YYYY':
      return matchMonthName(value, length);
    case 'MM/DD/YYYY':
      return matchSeparated(value, length, SLASH, true);
  }
}

/**
 * Parses a date written in one of `formats` (default: `YYYY-MM-DD` or `DD/MM/YYYY`). Empty text
 * means "not recorded" (null); anything else that is not a real calendar date in one of the
 * formats is 'invalid'. Only the given formats are tried, in order, and the first whose shape
 * fits decides: a trust configured for `MM/DD/YYYY` never has a day-first reading guessed.
 */
export function parseDate(
  text: string,
  formats: readonly DateFormat[] = DEFAULT_DATE_FORMATS,
): DayNumber | null | 'invalid' {
  const value = text.trim();
  const length = value.length;
  if (length === 0) return null;
  let matched = false;
  for (let i = 0; !matched && i < formats.length; i += 1) {
    matched = matchFormat(value, length, formats[i] as DateFormat);
  }
  if (!matched) return 'invalid';
  const year = parsedYear;
  const month = parsedMonth;
  const day = parsedDay;
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
