import { describe, expect, it } from 'vitest';
import {
  civilFromDay,
  dayFromCivil,
  daysInMonth,
  formatDay,
  monthEnd,
  monthOf,
  monthStart,
  parseDate,
} from '../../../../lambdas/core/dates';
import { ValidationError } from '../../../../lambdas/core/errors';

const MS_PER_DAY = 86_400_000;

describe('day numbers', () => {
  it('round-trips every day from 1900-01-01 to 2100-12-31 against Date.UTC', () => {
    // Prepare: the reference is the platform's own UTC calendar, one day at a time.
    const first = Date.UTC(1900, 0, 1) / MS_PER_DAY;
    const last = Date.UTC(2100, 11, 31) / MS_PER_DAY;
    let checked = 0;

    // Act / Assess
    for (let day = first; day <= last; day += 1) {
      const reference = new Date(day * MS_PER_DAY);
      const year = reference.getUTCFullYear();
      const month = reference.getUTCMonth() + 1;
      const dayOfMonth = reference.getUTCDate();
      if (dayFromCivil(year, month, dayOfMonth) !== day) {
        expect.fail(`dayFromCivil(${year}, ${month}, ${dayOfMonth}) !== ${day}`);
      }
      const civil = civilFromDay(day);
      if (civil.year !== year || civil.month !== month || civil.day !== dayOfMonth) {
        expect.fail(`civilFromDay(${day}) = ${JSON.stringify(civil)}`);
      }
      const iso = reference.toISOString().slice(0, 10);
      if (formatDay(day) !== iso || parseDate(iso) !== day) expect.fail(`format/parse ${iso}`);
      checked += 1;
    }
    // 201 years: 201 × 365 + 49 leap days (1904…2096 minus 2000 counted once, 1900 and 2100 not leap).
    expect(checked).toBe(201 * 365 + 49);
  });

  it('puts the epoch at day 0 and counts backwards before it', () => {
    // Assess
    expect(dayFromCivil(1970, 1, 1)).toBe(0);
    expect(dayFromCivil(1969, 12, 31)).toBe(-1);
    expect(formatDay(-1)).toBe('1969-12-31');
  });

  it('knows month lengths, including century leap rules', () => {
    // Assess: 2024 divisible by 4; 1900 by 100 not 400; 2000 by 400.
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2025, 4)).toBe(30);
    expect(daysInMonth(2025, 12)).toBe(31);
  });
});

describe('parseDate', () => {
  it('reads ISO, DD/MM/YYYY and D/M/YYYY as the same day', () => {
    // Prepare: 2025-05-01 is 20209 days after 1970-01-01 (Date.UTC(2025, 4, 1) / 86 400 000).
    const expected = Date.UTC(2025, 4, 1) / MS_PER_DAY;

    // Act / Assess
    expect(parseDate('2025-05-01')).toBe(expected);
    expect(parseDate('01/05/2025')).toBe(expected);
    expect(parseDate('1/5/2025')).toBe(expected);
    expect(parseDate('01/5/2025')).toBe(expected);
    expect(parseDate('  2025-05-01 ')).toBe(expected);
  });

  it('treats an empty cell as not recorded', () => {
    // Assess
    expect(parseDate('')).toBeNull();
    expect(parseDate('   ')).toBeNull();
  });

  it.each([
    ['31/02/2025', 'no 31 February'],
    ['29/02/2025', '2025 is not a leap year'],
    ['2025-13-01', 'no month 13'],
    ['2025-00-10', 'no month 0'],
    ['2025-04-31', 'April has 30 days'],
    ['00/01/2025', 'no day 0'],
    ['2025-5-1', 'ISO needs two-digit month and day'],
    ['01/05/25', 'two-digit year'],
    ['2025/05/01', 'year first with slashes'],
    ['1/5/2025/', 'trailing separator'],
    ['01-05-2025', 'day first with dashes'],
    ['2025-05-01T00:00', 'time part'],
    ['0025-05-01', 'year before 1900'],
    ['abc', 'text'],
    ['1//2025', 'missing month'],
  ])('rejects %s (%s)', (text) => {
    // Assess
    expect(parseDate(text)).toBe('invalid');
  });

  it('accepts 29 February in a leap year', () => {
    // Assess
    expect(parseDate('29/02/2024')).toBe(Date.UTC(2024, 1, 29) / MS_PER_DAY);
  });
});

describe('months', () => {
  it('gives the reporting month of a day', () => {
    // Assess
    expect(monthOf(Date.UTC(2025, 0, 31) / MS_PER_DAY)).toBe('2025-01');
    expect(monthOf(Date.UTC(2025, 11, 1) / MS_PER_DAY)).toBe('2025-12');
  });

  it('gives the first and last day of a month', () => {
    // Assess
    expect(monthStart('2025-06')).toBe(Date.UTC(2025, 5, 1) / MS_PER_DAY);
    expect(monthEnd('2025-06')).toBe(Date.UTC(2025, 5, 30) / MS_PER_DAY);
    expect(monthEnd('2024-02')).toBe(Date.UTC(2024, 1, 29) / MS_PER_DAY);
    expect(monthEnd('2025-12')).toBe(Date.UTC(2025, 11, 31) / MS_PER_DAY);
  });

  it.each(['2025-13', '2025-6', '25-06', '2025/06', ''])('rejects the period %j', (period) => {
    // Assess
    expect(() => monthEnd(period)).toThrow(ValidationError);
    expect(() => monthStart(period)).toThrow(ValidationError);
  });
});
