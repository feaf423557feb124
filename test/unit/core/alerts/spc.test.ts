import { describe, expect, it } from 'vitest';
import { analyseXmr, type SpcPoint } from '../../../../lambdas/core/spc';

/**
 * XmR cases worked by hand. For each: mean = Σx / n; mR̄ = Σ|xᵢ − xᵢ₋₁| / (n − 1);
 * limits = mean ± 2.66·mR̄; near-limit lines = mean ± (2/3)·2.66·mR̄ = mean ± 1.77333·mR̄.
 */

/** Indices of the points a rule flags. */
function flagged(points: readonly SpcPoint[], rule: string): number[] {
  return points.flatMap((point, i) => (point.rules.includes(rule as never) ? [i] : []));
}

describe('XmR limits and common-cause variation', () => {
  it('computes mean, average moving range and limits, and flags nothing in a stable series', () => {
    // Prepare: Σ = 50, n = 8 → mean 6.25. Moving ranges 2,1,2,2,1,2,1 → 11/7 = 1.571429.
    // 2.66 × 11/7 = 4.18 → limits 2.07 and 10.43; near lines 6.25 ± 2.786667 = 3.463, 9.037.
    // Sides of the mean: − + − + − + − − (longest run 2); no three points rise or fall in a row.
    const values = [5, 7, 6, 8, 6, 7, 5, 6];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.mean).toBeCloseTo(6.25, 9);
    expect(analysis?.movingRangeMean).toBeCloseTo(11 / 7, 9);
    expect(analysis?.lowerProcessLimit).toBeCloseTo(2.07, 9);
    expect(analysis?.upperProcessLimit).toBeCloseTo(10.43, 9);
    expect(analysis?.lowerNearLimit).toBeCloseTo(6.25 - 2.786667, 5);
    expect(analysis?.upperNearLimit).toBeCloseTo(6.25 + 2.786667, 5);
    expect(analysis?.points.map((p) => p.variation)).toEqual(values.map(() => 'common-cause'));
    expect(analysis?.points.every((p) => p.rules.length === 0)).toBe(true);
  });

  it('needs two values for a moving range', () => {
    expect(analyseXmr([])).toBeNull();
    expect(analyseXmr([0.8])).toBeNull();
  });
});

describe('special-cause rules', () => {
  it('flags a point below the lower process limit as concern', () => {
    // Prepare: Σ = 4×20 + 4×16 + 0 = 144, n = 9 → mean 16 (the 16s sit on the mean, so no run).
    // Moving ranges: eight 4s would be 28 for the first 7, plus |16 − 0| = 16 → 44/8 = 5.5.
    // Limits 16 ± 14.63 → 1.37 and 30.63: the 0 is below. Near lines 16 ± 9.753: only the 0.
    const values = [20, 16, 20, 16, 20, 16, 20, 16, 0];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.mean).toBeCloseTo(16, 9);
    expect(analysis?.movingRangeMean).toBeCloseTo(5.5, 9);
    expect(analysis?.lowerProcessLimit).toBeCloseTo(1.37, 9);
    expect(flagged(analysis?.points ?? [], 'outside-limits')).toEqual([8]);
    expect(analysis?.points[8]).toMatchObject({ rules: ['outside-limits'], variation: 'concern' });
    expect(analysis?.points.slice(0, 8).every((p) => p.variation === 'common-cause')).toBe(true);
  });

  it('reads a point above the upper limit as improvement when higher is better, concern when not', () => {
    // Prepare: Σ = 4×10 + 4×14 + 30 = 126, n = 9 → mean 14; mR̄ = (7×4 + 16)/8 = 5.5;
    // upper limit 14 + 14.63 = 28.63 < 30.
    const values = [10, 14, 10, 14, 10, 14, 10, 14, 30];

    // Act
    const higher = analyseXmr(values, 'higher-is-better');
    const lower = analyseXmr(values, 'lower-is-better');

    // Assess
    expect(higher?.upperProcessLimit).toBeCloseTo(28.63, 9);
    expect(higher?.points[8]).toMatchObject({
      rules: ['outside-limits'],
      variation: 'improvement',
    });
    expect(lower?.points[8]).toMatchObject({ rules: ['outside-limits'], variation: 'concern' });
  });

  it('flags a run of 7 points below the mean', () => {
    // Prepare: 11,12,11,12,11 then 9,10,9,10,9,10,9. Σ = 57 + 66 = 123, n = 12 → mean 10.25:
    // the first five above, the last seven below. Moving ranges: four 1s, |11 − 9| = 2, six 1s
    // → 12/11 = 1.090909; limits 10.25 ± 2.901818 = 7.348, 13.152 (none outside); near lines
    // 10.25 ± 1.934545 = 8.315, 12.185 (none beyond); values alternate, so no trend.
    const values = [11, 12, 11, 12, 11, 9, 10, 9, 10, 9, 10, 9];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.mean).toBeCloseTo(10.25, 9);
    expect(analysis?.movingRangeMean).toBeCloseTo(12 / 11, 9);
    expect(flagged(analysis?.points ?? [], 'run')).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(analysis?.points.slice(5).every((p) => p.variation === 'concern')).toBe(true);
    expect(analysis?.points.slice(0, 5).every((p) => p.rules.length === 0)).toBe(true);
  });

  it('does not flag a run of 6', () => {
    // Prepare: 11,12,11,12,11,12 then 9,10,9,10,9,10. Σ = 69 + 57 = 126 → mean 10.5: six above,
    // six below. mR̄ = (5 + 3 + 5)/11 = 1.181818; limits 10.5 ± 3.1436, near ± 2.0958 → 8.404,
    // 12.596: nothing beyond; no trend.
    const values = [11, 12, 11, 12, 11, 12, 9, 10, 9, 10, 9, 10];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.points.every((p) => p.variation === 'common-cause')).toBe(true);
  });

  it('ends a run at a point on the mean', () => {
    // Prepare: Σ = 6×8 + 2×10 + 6×12 = 140, n = 14 → mean 10. Seven points would be below
    // (and seven above) but a 10 on the mean sits in each group, leaving runs of 3 and 3.
    const values = [8, 8, 8, 10, 8, 8, 8, 12, 12, 12, 10, 12, 12, 12];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.mean).toBeCloseTo(10, 9);
    expect(flagged(analysis?.points ?? [], 'run')).toEqual([]);
  });

  it('flags a trend of 6 falling points', () => {
    // Prepare: 80,95,80,95,80,95 then 100,95,90,85,80,75. Σ = 525 + 525 = 1050 → mean 87.5.
    // Moving ranges: five 15s, 5, five 5s → 105/11 = 9.545455; limits 87.5 ± 25.390909 =
    // 62.109, 112.891 (none outside); near 87.5 ± 16.927273 = 70.573, 104.427 (none beyond);
    // sides − + − + − + + + + − − −: longest run 4. 100 → 75 falls five times: six points.
    const values = [80, 95, 80, 95, 80, 95, 100, 95, 90, 85, 80, 75];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.movingRangeMean).toBeCloseTo(105 / 11, 9);
    expect(flagged(analysis?.points ?? [], 'trend')).toEqual([6, 7, 8, 9, 10, 11]);
    expect(analysis?.points.slice(6).every((p) => p.variation === 'concern')).toBe(true);
    expect(analysis?.points.slice(0, 6).every((p) => p.rules.length === 0)).toBe(true);
  });

  it('does not flag 5 falling points', () => {
    // Prepare: the series above without its last point. Σ = 975, n = 11 → mean 88.636;
    // mR̄ = 100/10 = 10; limits ± 26.6 (62.04, 115.24); near ± 17.733 (70.90, 106.37);
    // 100 → 80 falls four times: five points; longest run 4.
    const values = [80, 95, 80, 95, 80, 95, 100, 95, 90, 85, 80];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.points.every((p) => p.variation === 'common-cause')).toBe(true);
  });

  it('flags two of three points beyond two sigma on the same side', () => {
    // Prepare: 90,100 five times, then 70,70. Σ = 950 + 140 = 1090 → mean 90.833333. Moving
    // ranges: nine 10s, |100 − 70| = 30, 0 → 120/11 = 10.909091. Limits 90.8333 ± 29.018182 =
    // 61.815, 119.852 (none outside); lower near line 90.8333 − 19.345455 = 71.487879: both 70s
    // are beyond it, in one window of three. Sides alternate then − −: no run; 70 → 70 is flat.
    const values = [90, 100, 90, 100, 90, 100, 90, 100, 90, 100, 70, 70];

    // Act
    const analysis = analyseXmr(values);

    // Assess
    expect(analysis?.lowerNearLimit).toBeCloseTo(71.487879, 5);
    expect(flagged(analysis?.points ?? [], 'two-of-three')).toEqual([10, 11]);
    expect(analysis?.points[10]).toMatchObject({ rules: ['two-of-three'], variation: 'concern' });
    expect(analysis?.points.slice(0, 10).every((p) => p.rules.length === 0)).toBe(true);
  });

  it('calls a point caught both ways a concern', () => {
    // Prepare: 1…6 rising then 5…1 falling. Σ = 36, n = 11 → mean 3.2727; mR̄ = 1; limits
    // 3.2727 ± 2.66 → upper 5.9327, so the 6 is also outside. Near lines 1.499 and 5.046: the 6
    // is the only point beyond the upper one; runs are 3, 5, 3 long.
    const values = [1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1];

    // Act
    const analysis = analyseXmr(values);

    // Assess: the peak closes the rising trend (good) and opens the falling one (bad).
    expect(analysis?.points[5]).toMatchObject({
      rules: ['outside-limits', 'trend'],
      variation: 'concern',
    });
    expect(analysis?.points.slice(0, 5).every((p) => p.variation === 'improvement')).toBe(true);
    expect(analysis?.points.slice(6).every((p) => p.variation === 'concern')).toBe(true);
  });
});
