import { describe, expect, it } from 'vitest';
import { evaluatePeriod, evaluationWindow } from '../../../../lambdas/core/alert-evaluation';
import { breachResolutions, resolutionMessage } from '../../../../lambdas/core/alerts';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import { inequalityGaps } from '../../../../lambdas/core/inequality-alerts';
import type { PerformanceContribution, PerformanceRow } from '../../../../lambdas/core/performance';
import { buildSeries } from '../../../../lambdas/core/series';
import { specialCauseAlert } from '../../../../lambdas/core/special-cause-alerts';
import {
  missingSubmissions,
  overduePeriods,
  submissionDeadline,
} from '../../../../lambdas/core/submission-deadlines';
import nel from '../../../../lib/alliances/north-east-london.json';

const config = AllianceConfigSchema.parse(nel);
/** NEL with thresholds small enough for hand-sized examples. */
const small = AllianceConfigSchema.parse({
  ...nel,
  rules: {
    ...nel.rules,
    alerts: {
      inequality: { gapPoints: 10, minPatients: 20 },
      spc: { minPoints: 8, windowMonths: 12 },
      submissionDeadline: { daysAfterPeriodEnd: 25, lookbackMonths: 2 },
    },
  },
});

/** One month's FDS headline cell for a trust. */
const fds = (period: string, trust: string, within: number, total: number) =>
  ({
    period,
    standard: 'fds',
    cells: [['all', trust, 'all', within, total]],
  }) as PerformanceContribution;

const row = (over: Partial<PerformanceRow>): PerformanceRow => ({
  period: '2025-06',
  trust: 'RF4',
  group: null,
  within: 31,
  total: 40,
  performance: 0.775,
  target: 0.75,
  meetsTarget: true,
  ambition: null,
  ...over,
});

describe('performance series', () => {
  it('lists every month, leaves gaps empty and runs XmR over the months with figures', () => {
    // Prepare: RF4 FDS 2025-01 8/10, 2025-02 none, 2025-03 9/10, 2025-04 7/10.
    // Values 0.8, 0.9, 0.7 → mean 0.8; moving ranges 0.1, 0.2 → mR̄ 0.15; limits
    // 0.8 ± 0.399 = 0.401, 1.199. Three points < minPoints 12: not sufficient.
    const contributions = [
      fds('2025-01', 'RF4', 8, 10),
      fds('2025-03', 'RF4', 9, 10),
      fds('2025-04', 'RF4', 7, 10),
      fds('2025-03', 'R1H', 1, 10),
    ];

    // Act
    const series = buildSeries({
      standard: 'fds',
      trust: 'RF4',
      from: '2025-01',
      to: '2025-04',
      contributions,
      config,
    });

    // Assess
    expect(series.points.map((p) => [p.period, p.within, p.total, p.performance])).toEqual([
      ['2025-01', 8, 10, 0.8],
      ['2025-02', null, null, null],
      ['2025-03', 9, 10, 0.9],
      ['2025-04', 7, 10, 0.7],
    ]);
    expect(series.points.map((p) => p.target)).toEqual([0.75, 0.75, 0.75, 0.75]);
    expect(series.points[1]).toMatchObject({ rules: [], variation: null });
    expect(series.spc).toMatchObject({
      mean: 0.8,
      movingRangeMean: 0.15,
      lowerProcessLimit: 0.401,
      upperProcessLimit: 1.199,
      points: 3,
      sufficient: false,
    });
  });

  it('sums every configured trust for the alliance series', () => {
    // Prepare: 2025-01 RF4 8/10 + R1H 2/10 = 10/20; 2025-02 RF4 9/10 only.
    const contributions = [
      fds('2025-01', 'RF4', 8, 10),
      fds('2025-01', 'R1H', 2, 10),
      fds('2025-02', 'RF4', 9, 10),
    ];

    // Act
    const series = buildSeries({
      standard: 'fds',
      trust: 'ALL',
      from: '2025-01',
      to: '2025-02',
      contributions,
      config,
    });

    // Assess: 10/20 = 0.5, 9/10 = 0.9; mean 0.7, mR̄ 0.4.
    expect(series.points.map((p) => [p.within, p.total])).toEqual([
      [10, 20],
      [9, 10],
    ]);
    expect(series.spc?.mean).toBe(0.7);
    expect(series.spc?.movingRangeMean).toBe(0.4);
  });
});

/** Eight months of RF4 FDS (out of 10) ending 2025-08: the last point is far below. */
function dropSeries(lastWithin: number) {
  const within = [8, 9, 8, 9, 8, 9, 8, lastWithin];
  return within.map((w, i) => fds(`2025-0${i + 1}`, 'RF4', w, 10));
}

describe('special-cause alerts', () => {
  it('alerts when the newest point shows concern, with the rules and the limits', () => {
    // Prepare: 0.8, 0.9, 0.8, 0.9, 0.8, 0.9, 0.8, then 0.2. Σ = 6.1 → mean 0.7625;
    // mR̄ = (6×0.1 + 0.6)/7 = 0.171429; lower limit 0.7625 − 2.66×0.171429 = 0.7625 − 0.456 =
    // 0.3065 > 0.2 → outside the limits, concern.
    const series = buildSeries({
      standard: 'fds',
      trust: 'RF4',
      from: '2025-01',
      to: '2025-08',
      contributions: dropSeries(2),
      config: small,
    });

    // Act
    const alert = specialCauseAlert(series, '2025-08', small);

    // Assess
    expect(alert).toMatchObject({
      kind: 'special-cause',
      trust: 'RF4',
      standard: 'fds',
      key: 'fds#RF4',
      message: {
        type: 'special-cause',
        rules: ['outside-limits'],
        figures: { within: 2, total: 10, performance: 0.2 },
        threshold: { mean: 0.7625, lowerProcessLimit: 0.3065, points: 8 },
        query: '/performance/series?standard=fds&from=2025-01&to=2025-08&trust=RF4',
      },
    });
    expect(alert?.subject.length).toBeLessThan(100);
  });

  it('stays quiet for improvement, for common cause and with too few points', () => {
    // Prepare: ending 10/10 instead: Σ = 6.9 → mean 0.8625, mR̄ = (6×0.1 + 0.2)/7 = 0.114286,
    // upper limit 1.1665 — common cause. The 2/10 drop again, but from 2025-02: 7 points.
    const up = buildSeries({
      standard: 'fds',
      trust: 'RF4',
      from: '2025-01',
      to: '2025-08',
      contributions: dropSeries(10),
      config: small,
    });
    const short = buildSeries({
      standard: 'fds',
      trust: 'RF4',
      from: '2025-02',
      to: '2025-08',
      contributions: dropSeries(2),
      config: small,
    });

    // Act / Assess: 7 points < minPoints 8 for the short series.
    expect(specialCauseAlert(up, '2025-08', small)).toBeNull();
    expect(short.spc?.sufficient).toBe(false);
    expect(specialCauseAlert(short, '2025-08', small)).toBeNull();
  });
});

describe('inequality gaps', () => {
  const headline = [row({ within: 31, total: 40 }), row({ trust: 'ALL', within: 31, total: 40 })];

  it('compares IMD quintile 1 and each ethnic group with the rest of the trust', () => {
    // Prepare: RF4 31/40. Quintile 1 12/20 = 60%, rest 19/20 = 95% → 35 points below. Quintile
    // 5 is not compared. Ethnicity: Black 12/20 (same gap); "Not known" is never a group.
    const imd = [
      row({ group: '1', within: 12, total: 20 }),
      row({ group: '5', within: 19, total: 20 }),
    ];
    const ethnicity = [
      row({ group: 'Black or Black British', within: 12, total: 20 }),
      row({ group: 'Not known', within: 0, total: 20 }),
    ];

    // Act
    const alerts = inequalityGaps({
      standard: 'fds',
      period: '2025-06',
      headline,
      breakdowns: [
        { dimension: 'imdQuintile', rows: imd },
        { dimension: 'ethnicity', rows: ethnicity },
      ],
      config: small,
    });

    // Assess
    expect(alerts.map((a) => a.key)).toEqual([
      'fds#RF4#imdQuintile#1',
      'fds#RF4#ethnicity#Black or Black British',
    ]);
    expect(alerts[0]?.message).toMatchObject({
      type: 'inequality-gap',
      dimension: 'imdQuintile',
      group: '1',
      figures: {
        group: { within: 12, total: 20, performance: 0.6 },
        rest: { within: 19, total: 20, performance: 0.95 },
        gapPoints: 35,
      },
      threshold: { gapPoints: 10, minPatients: 20 },
      query: '/performance?standard=fds&from=2025-06&to=2025-06&trust=RF4&by=imdQuintile',
    });
  });

  it('needs enough patients on both sides and a gap above the threshold', () => {
    // Prepare: headline 31/40 with quintile 1 11/19 → rest 20/21: the group has under 20
    // patients. Headline 30/40 with 14/20 = 70% → rest 16/20 = 80%: exactly 10 points, not more.
    const cases = [
      { all: row({ within: 31, total: 40 }), group: row({ group: '1', within: 11, total: 19 }) },
      { all: row({ within: 30, total: 40 }), group: row({ group: '1', within: 14, total: 20 }) },
    ];

    for (const { all, group } of cases) {
      // Act
      const alerts = inequalityGaps({
        standard: 'fds',
        period: '2025-06',
        headline: [all],
        breakdowns: [{ dimension: 'imdQuintile', rows: [group] }],
        config: small,
      });

      // Assess
      expect(alerts).toEqual([]);
    }
  });
});

describe('breach resolution', () => {
  it('offers every headline figure at or above target as a resolution, with its message', () => {
    // Prepare: RF4 31/40 = 77.5% ≥ 75%; R1H below; a breakdown row at target is not headline.
    const rows = [
      row({}),
      row({ trust: 'R1H', within: 6, total: 10, performance: 0.6, meetsTarget: false }),
      row({ group: '1' }),
    ];

    // Act
    const resolutions = breachResolutions(rows, 'fds');
    const announced = resolutionMessage(resolutions[0]!, config, { within: 6, total: 10 });

    // Assess
    expect(resolutions.map((r) => r.key)).toEqual(['fds#RF4']);
    expect(announced.message).toMatchObject({
      type: 'breach-resolved',
      standard: 'fds',
      trust: 'RF4',
      period: '2025-06',
      figures: { within: 31, total: 40, performance: 0.775 },
      threshold: 0.75,
      breach: { within: 6, total: 10 },
      query: '/performance?standard=fds&from=2025-06&to=2025-06&trust=RF4',
    });
    expect(announced.subject).toContain('back on target');
  });
});

describe('evaluating a period', () => {
  it('reads the SPC window ending at the period', () => {
    // Prepare: windowMonths 12 → 2024-09 … 2025-08.
    const window = evaluationWindow('2025-08', small);

    // Assess
    expect(window[0]).toBe('2024-09');
    expect(window.at(-1)).toBe('2025-08');
    expect(window).toHaveLength(12);
  });

  it('judges the alliance series only once every trust has submitted the period', () => {
    // Prepare: RF4 only, so ALL = RF4 and both series end in the 2/10 drop.
    const input = { period: '2025-08', contributions: dropSeries(2), config: small };

    // Act
    const partial = evaluatePeriod({ ...input, submittedTrusts: new Set(['RF4']) });
    const complete = evaluatePeriod({
      ...input,
      submittedTrusts: new Set(['RF4', 'R1H', 'RQX']),
    });

    // Assess
    const specialCause = (alerts: typeof partial.alerts) =>
      alerts.filter((a) => a.kind === 'special-cause').map((a) => a.trust);
    expect(specialCause(partial.alerts)).toEqual(['RF4']);
    expect(specialCause(complete.alerts)).toEqual(['RF4', 'ALL']);
    // 2/10 is below 75%: RF4 and the alliance breach; nothing meets the target to resolve.
    expect(partial.alerts.filter((a) => a.kind === 'standard-breach').map((a) => a.trust)).toEqual([
      'RF4',
      'ALL',
    ]);
    expect(partial.resolutions).toEqual([]);
  });
});

describe('submission deadlines', () => {
  const rule = small.rules.alerts.submissionDeadline;

  it('puts the deadline N days after the last day of the month', () => {
    // 28 Feb 2025 + 25 days = 25 Mar; 31 Jan 2025 + 25 = 25 Feb; 29 Feb 2024 + 25 = 25 Mar.
    expect(submissionDeadline('2025-02', rule)).toBe('2025-03-25');
    expect(submissionDeadline('2025-01', rule)).toBe('2025-02-25');
    expect(submissionDeadline('2024-02', rule)).toBe('2024-03-25');
  });

  it('lists the overdue periods newest first, within the look-back and from go-live', () => {
    // 28 Mar: February (due 25 Mar) is overdue, March is not; look back 2 → Feb, Jan.
    expect(overduePeriods('2025-03-28', rule)).toEqual(['2025-02', '2025-01']);
    // On the deadline day itself February is still on time.
    expect(overduePeriods('2025-03-25', rule)).toEqual(['2025-01', '2024-12']);
    expect(overduePeriods('2025-03-28', { ...rule, firstPeriod: '2025-02' })).toEqual(['2025-02']);
  });

  it('raises one alert per configured trust without an accepted submission', () => {
    // Prepare: February submitted by R1H and RF4; January by R1H only. Today 28 Mar 2025:
    // February is 3 days late (due 25 Mar), January 31 days (due 25 Feb).
    const periods = [
      { period: '2025-02', submitted: new Set(['R1H', 'RF4']) },
      { period: '2025-01', submitted: new Set(['R1H']) },
    ];

    // Act
    const alerts = missingSubmissions(periods, '2025-03-28', small);

    // Assess
    expect(alerts.map((a) => `${a.period} ${a.trust}`)).toEqual([
      '2025-02 RQX',
      '2025-01 RF4',
      '2025-01 RQX',
    ]);
    expect(alerts[0]).toMatchObject({
      kind: 'missing-submission',
      key: 'RQX',
      standard: null,
      message: {
        type: 'missing-submission',
        trust: 'RQX',
        period: '2025-02',
        figures: { deadline: '2025-03-25', daysOverdue: 3 },
        threshold: { daysAfterPeriodEnd: 25 },
        query: '/submissions?trust=RQX',
      },
    });
    expect(alerts[2]?.message).toMatchObject({ figures: { daysOverdue: 31 } });
  });
});
