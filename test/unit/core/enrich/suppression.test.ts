import { describe, expect, it } from 'vitest';
import { suppressRow } from '../../../../lambdas/core/suppression';

const NHS = { maxSuppressed: 7, roundTo: 5 };

describe('suppressRow (1–7 suppressed, others rounded to the nearest 5)', () => {
  it.each([
    // [within, total] → expected, worked by hand:
    // total 0: shown as 0, no percentage, nothing to hide.
    [0, 0, { within: 0, total: 0, performance: null, suppressed: false }],
    // total 1 and 7: inside 1–7 → everything hidden.
    [1, 1, { within: null, total: null, performance: null, suppressed: true }],
    [0, 7, { within: null, total: null, performance: null, suppressed: true }],
    // total 7.5 (shared halves) counts as 8: 7.5/5 = 1.5 → 2 × 5 = 10; within 0 stays 0.
    [0, 7.5, { within: 0, total: 10, performance: 0, suppressed: false }],
    // 8 → 8/5 = 1.6 → 10; within 8 → 10; 10/10 = 1.
    [8, 8, { within: 10, total: 10, performance: 1, suppressed: false }],
    // 12 → 2.4 → 10; within 8 → 10 → 1.
    [8, 12, { within: 10, total: 10, performance: 1, suppressed: false }],
    // 13 → 2.6 → 15; within 8 → 10 → 10/15.
    [8, 13, { within: 10, total: 15, performance: 10 / 15, suppressed: false }],
    // within 7 (a small count) hides the row even though the total is large.
    [7, 50, { within: null, total: null, performance: null, suppressed: true }],
    // within 7.5 is treated as 8: 7.5 → 10, 50 → 50.
    [7.5, 50, { within: 10, total: 50, performance: 0.2, suppressed: false }],
    // within 0 of 20 is shown: 0/20.
    [0, 20, { within: 0, total: 20, performance: 0, suppressed: false }],
  ])('within %s of %s', (within, total, expected) => {
    // Act / Assess
    expect(suppressRow({ within, total }, NHS)).toEqual(expected);
  });

  it('follows the configured threshold and rounding base', () => {
    // Prepare: the older "1–5 suppressed" rule, rounding to 10.
    const rule = { maxSuppressed: 5, roundTo: 10 };
    // Act / Assess: 6 is no longer suppressed (6 → 10); 5 is; 44 → 40, 46 → 50.
    expect(suppressRow({ within: 6, total: 44 }, rule)).toEqual({
      within: 10,
      total: 40,
      performance: 0.25,
      suppressed: false,
    });
    expect(suppressRow({ within: 5, total: 46 }, rule).suppressed).toBe(true);
  });
});
