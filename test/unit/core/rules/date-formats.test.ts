import { describe, expect, it } from 'vitest';
import {
  DATE_FORMATS,
  type DateFormat,
  describeDateFormats,
  parseDate,
} from '../../../../lambdas/core/dates';

const MS_PER_DAY = 86_400_000;
/** The reference day number, from the platform's own UTC calendar. */
const day = (year: number, month: number, dayOfMonth: number) =>
  Date.UTC(year, month - 1, dayOfMonth) / MS_PER_DAY;

describe('parseDate with configured formats', () => {
  // 5 March 2025 and the leap day 29 February 2024, written in each layout.
  const cases: ReadonlyArray<[DateFormat, string, string]> = [
    ['YYYY-MM-DD', '2025-03-05', '2024-02-29'],
    ['DD/MM/YYYY', '05/03/2025', '29/02/2024'],
    ['DD-MM-YYYY', '05-03-2025', '29-02-2024'],
    ['DD.MM.YYYY', '05.03.2025', '29.02.2024'],
    ['YYYYMMDD', '20250305', '20240229'],
    ['DD-MMM-YYYY', '05-Mar-2025', '29-Feb-2024'],
    ['MM/DD/YYYY', '03/05/2025', '02/29/2024'],
  ];

  it('lets a short slash date fall through a compact format listed first', () => {
    // eight characters, but not eight digits: YYYYMMDD is not its shape
    expect(parseDate('1/5/2025', ['YYYYMMDD', 'DD/MM/YYYY'])).toBe(day(2025, 5, 1));
    expect(parseDate('20250501', ['YYYYMMDD', 'DD/MM/YYYY'])).toBe(day(2025, 5, 1));
  });

  it.each(cases)('reads %s, including a leap day', (format, march, leap) => {
    // Act / Assess
    expect(parseDate(march, [format])).toBe(day(2025, 3, 5));
    expect(parseDate(leap, [format])).toBe(day(2024, 2, 29));
    expect(parseDate(` ${march} `, [format])).toBe(day(2025, 3, 5));
  });

  it.each(cases)('rejects 29 February in a common year in %s', (format, march) => {
    // Prepare: the same layout with 2025-02-29 (2025 is not a leap year), built from the March
    // text so the test does not restate each layout.
    const bad = {
      'YYYY-MM-DD': '2025-02-29',
      'DD/MM/YYYY': '29/02/2025',
      'DD-MM-YYYY': '29-02-2025',
      'DD.MM.YYYY': '29.02.2025',
      YYYYMMDD: '20250229',
      'DD-MMM-YYYY': '29-Feb-2025',
      'MM/DD/YYYY': '02/29/2025',
    }[format];

    // Act / Assess
    expect(march).not.toBe(bad);
    expect(parseDate(bad, [format])).toBe('invalid');
  });

  it('covers every configurable format in the cases above', () => {
    expect(cases.map(([format]) => format).sort()).toEqual([...DATE_FORMATS].sort());
  });

  it('never guesses day-first for a month-first trust', () => {
    // Prepare: 03/04/2025 is 4 March month-first, 3 April day-first; 13/04/2025 has no month 13.
    const monthFirst: DateFormat[] = ['MM/DD/YYYY'];

    // Act / Assess
    expect(parseDate('03/04/2025', monthFirst)).toBe(day(2025, 3, 4));
    expect(parseDate('03/04/2025')).toBe(day(2025, 4, 3));
    expect(parseDate('13/04/2025', monthFirst)).toBe('invalid');
    // ISO is not accepted unless configured
    expect(parseDate('2025-03-04', monthFirst)).toBe('invalid');
  });

  it('accepts one-digit days and months where spreadsheets drop the zero', () => {
    expect(parseDate('5/3/2025', ['DD/MM/YYYY'])).toBe(day(2025, 3, 5));
    expect(parseDate('5.3.2025', ['DD.MM.YYYY'])).toBe(day(2025, 3, 5));
    expect(parseDate('3/5/2025', ['MM/DD/YYYY'])).toBe(day(2025, 3, 5));
    expect(parseDate('5-Mar-2025', ['DD-MMM-YYYY'])).toBe(day(2025, 3, 5));
  });

  it('reads month abbreviations in any case, and only English three-letter ones', () => {
    // Prepare: every month, upper and lower case; day 1 of month m.
    const names = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];

    // Act / Assess
    names.forEach((name, i) => {
      expect(parseDate(`01-${name.toUpperCase()}-2025`, ['DD-MMM-YYYY'])).toBe(day(2025, i + 1, 1));
      expect(parseDate(`01-${name.toLowerCase()}-2025`, ['DD-MMM-YYYY'])).toBe(day(2025, i + 1, 1));
    });
    for (const text of ['01-Sept-2025', '01-Mrz-2025', '01-03-2025', '31-Apr-2025', '01-Mar-25']) {
      expect(parseDate(text, ['DD-MMM-YYYY'])).toBe('invalid');
    }
  });

  it('tries several formats in order and refuses text matching none', () => {
    // Prepare
    const formats: DateFormat[] = ['DD-MMM-YYYY', 'YYYYMMDD', 'YYYY-MM-DD'];

    // Act / Assess
    expect(parseDate('05-Mar-2025', formats)).toBe(day(2025, 3, 5));
    expect(parseDate('20250305', formats)).toBe(day(2025, 3, 5));
    expect(parseDate('2025-03-05', formats)).toBe(day(2025, 3, 5));
    expect(parseDate('05/03/2025', formats)).toBe('invalid');
    expect(parseDate('', formats)).toBeNull();
  });

  it.each([
    ['YYYYMMDD', '2025030'],
    ['YYYYMMDD', '2025O305'],
    ['DD.MM.YYYY', '05.03.25'],
    ['DD-MM-YYYY', '005-03-2025'],
    ['DD/MM/YYYY', '05/13/2025'],
    ['YYYY-MM-DD', '1899-12-31'],
  ] as const)('rejects %s text %s', (format, text) => {
    expect(parseDate(text, [format])).toBe('invalid');
  });

  it('names the formats for messages', () => {
    expect(describeDateFormats()).toBe('YYYY-MM-DD or DD/MM/YYYY');
    expect(describeDateFormats(['DD-MMM-YYYY'])).toBe('DD-MMM-YYYY');
    expect(describeDateFormats(['DD-MMM-YYYY', 'YYYYMMDD', 'YYYY-MM-DD'])).toBe(
      'DD-MMM-YYYY, YYYYMMDD or YYYY-MM-DD',
    );
  });
});
