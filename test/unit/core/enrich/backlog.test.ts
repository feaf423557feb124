import { describe, expect, it } from 'vitest';
import { cellsByStandard, createAccumulator } from '../../../../lambdas/core/aggregate';
import {
  BACKLOG_BANDS,
  backlogBand,
  backlogTotals,
  backlogWait,
  buildBacklog,
  type OpenPathway,
  openPathway,
} from '../../../../lambdas/core/backlog';
import type { PerformanceContribution } from '../../../../lambdas/core/performance';
import { deriveRoute } from '../../../../lambdas/core/route';
import { day, enrichedRecord, nelConfig, pathwayRecord } from './support';

/**
 * The backlog: open 62-day pathways in a trust's submission, in the national PTL bands at the end
 * of the month (domain brief §2.5, §3). Snapshot March 2026: period end 31 March 2026.
 */
const PERIOD = '2026-03';
const PERIOD_END = day('2026-03-31');

/** An open USC pathway (status 14, no treatment, FDS not ended) referred `wait` days before. */
function open(wait: number, overrides: Parameters<typeof pathwayRecord>[0] = {}) {
  return pathwayRecord({
    referralReceived: PERIOD_END - wait,
    dateFirstSeen: null,
    fdsEnd: null,
    fdsEndReason: null,
    patientStatus: '14',
    ...overrides,
  });
}

const openOf = (record: ReturnType<typeof pathwayRecord>, trust = 'RF4') =>
  openPathway(record, deriveRoute(record), trust);

describe('which pathways are open', () => {
  it.each(['14', '09', '10', '11'])('counts patient status %s as open', (status) => {
    // Act / Assess: the clock starts at the referral, for the submitting trust.
    expect(openOf(open(30, { patientStatus: status }))).toEqual({
      trust: 'RF4',
      clockStart: PERIOD_END - 30,
      adjustmentDays: 0,
    });
  });

  it.each([
    ['status 03 (no cancer)', { patientStatus: '03' }],
    ['status 07 (no NHS treatment)', { patientStatus: '07' }],
    ['status 08 (treated)', { patientStatus: '08' }],
    ['no status', { patientStatus: null }],
    ['a treatment date', { treatmentStart: PERIOD_END - 2 }],
    ['FDS end reason 02 (ruled out)', { fdsEnd: PERIOD_END - 5, fdsEndReason: '02' }],
    ['FDS end reason 04 (ruled out, surveillance)', { fdsEnd: PERIOD_END - 5, fdsEndReason: '04' }],
    ['a routine referral (no 62-day route)', { priorityType: '1' }],
  ])('does not count a pathway with %s', (_case, overrides) => {
    // Act / Assess
    expect(openOf(open(30, overrides))).toBeNull();
  });

  it('keeps a pathway open after cancer is diagnosed (FDS end reason 01) or excluded (03)', () => {
    // Act / Assess
    expect(openOf(open(30, { fdsEnd: PERIOD_END - 5, fdsEndReason: '01' }))).not.toBeNull();
    expect(openOf(open(30, { fdsEnd: PERIOD_END - 5, fdsEndReason: '03' }))).not.toBeNull();
  });

  it('nets adjustments off the wait, as the 62-day clock does', () => {
    // Prepare: 70 days since referral, 5 first-seen and 3 treatment adjustment → 62.
    const record = open(70, { firstSeenAdjustment: 5, treatmentAdjustment: 3 });

    // Act
    const found = openOf(record) as OpenPathway;

    // Assess
    expect(found.adjustmentDays).toBe(8);
    expect(backlogWait(found, PERIOD)).toBe(62);
  });

  it('starts a consultant upgrade at the upgrade date, without the first-seen adjustment', () => {
    // Prepare: referral 100 days before the period end, upgrade 40 days before it.
    const record = open(100, {
      priorityType: '1',
      consultantUpgrade: PERIOD_END - 40,
      firstSeenAdjustment: 7,
    });

    // Act
    const found = openOf(record) as OpenPathway;

    // Assess: 40 days, the 7-day first-seen adjustment ignored.
    expect(backlogWait(found, PERIOD)).toBe(40);
  });
});

describe('backlog bands at the period end', () => {
  // wait = 31 March 2026 − clock start − adjustments.
  it.each([
    [0, '0-28'],
    [28, '0-28'],
    [29, '29-62'],
    [62, '29-62'],
    [63, '63-104'],
    [104, '63-104'],
    [105, '>104'],
    [400, '>104'],
  ])('puts a %i-day wait in band %s', (wait, band) => {
    // Act
    const found = openOf(open(wait)) as OpenPathway;

    // Assess
    expect(backlogWait(found, PERIOD)).toBe(wait);
    expect(backlogBand(backlogWait(found, PERIOD))).toBe(band);
  });

  it('measures to the end of the month asked for (30 days in April)', () => {
    // Prepare: referral on 31 March; at the end of April (30 April) that is 30 days.
    const found = openOf(open(0)) as OpenPathway;

    // Act / Assess
    expect(backlogWait(found, '2026-04')).toBe(30);
    expect(backlogBand(-3)).toBe('0-28'); // adjustments longer than the wait never go below 0-28
  });
});

describe('backlog aggregation', () => {
  it('counts each open pathway once per dimension, in its band, for the submitting trust', () => {
    // Prepare: three RF4 pathways: 28 and 29 days (headline bands 0-28 and 29-62, IMD quintile 1)
    // and 105 days (>104, quintile 3, suspected breast). One closed record adds nothing.
    const accumulator = createAccumulator('sub-1', PERIOD);
    const add = (wait: number, groups = {}) => {
      const found = openOf(open(wait));
      accumulator.add(enrichedRecord({ ...groups, openPathway: found }));
    };
    add(28);
    add(29);
    add(105, { imdQuintile: 3, suspectedCancerType: 'Suspected breast cancer' });
    accumulator.add(enrichedRecord({ openPathway: null }));

    // Act
    const { cells, counted } = accumulator.result();

    // Assess
    expect(cells['backlog|all|RF4|0-28|all']).toEqual([0, 1]);
    expect(cells['backlog|all|RF4|29-62|all']).toEqual([0, 1]);
    expect(cells['backlog|all|RF4|>104|all']).toEqual([0, 1]);
    expect(cells['backlog|all|RF4|63-104|all']).toBeUndefined();
    expect(cells['backlog|imdQuintile|RF4|0-28|1']).toEqual([0, 1]);
    expect(cells['backlog|imdQuintile|RF4|>104|3']).toEqual([0, 1]);
    // Not yet treated: the cancer type is what was suspected; no modality breakdown.
    expect(cells['backlog|cancerType|RF4|>104|Suspected breast cancer']).toEqual([0, 1]);
    expect(Object.keys(cells).some((key) => key.startsWith('backlog|modality|'))).toBe(false);
    expect(counted).toEqual({ fds: 0, '31d': 0, '62d': 0 });
    // Stored with the band leading the group.
    expect(cellsByStandard(accumulator.result()).backlog).toContainEqual([
      'all',
      'RF4',
      '>104|all',
      0,
      1,
    ]);
  });
});

/** Stored backlog contributions for March 2026 (cells as [dimension, trust, band|group, 0, n]). */
const contributions: PerformanceContribution[] = [
  {
    period: PERIOD,
    standard: 'backlog',
    submittingTrust: 'RF4',
    cells: [
      ['all', 'RF4', '0-28|all', 0, 40],
      ['all', 'RF4', '29-62|all', 0, 12],
      ['all', 'RF4', '63-104|all', 0, 6],
      ['all', 'RF4', '>104|all', 0, 2],
      ['imdQuintile', 'RF4', '0-28|1', 0, 33],
      ['imdQuintile', 'RF4', '0-28|2', 0, 7],
      ['imdQuintile', 'RF4', '29-62|1', 0, 12],
      ['imdQuintile', 'RF4', '63-104|1', 0, 6],
      ['imdQuintile', 'RF4', '>104|1', 0, 2],
    ],
  },
  {
    period: PERIOD,
    standard: 'backlog',
    submittingTrust: 'R1H',
    cells: [
      ['all', 'R1H', '0-28|all', 0, 100],
      ['all', 'R1H', '>104|all', 0, 3],
    ],
  },
  // RQX submitted but has nobody waiting.
  { period: PERIOD, standard: 'backlog', submittingTrust: 'RQX', cells: [] },
  // Ignored: another month, another standard, a trust outside the alliance (buildBacklog).
  {
    period: '2026-02',
    standard: 'backlog',
    submittingTrust: 'RF4',
    cells: [['all', 'RF4', '0-28|all', 0, 999]],
  },
  { period: PERIOD, standard: 'fds', cells: [['all', 'RF4', 'all', 5, 9]] },
  {
    period: PERIOD,
    standard: 'backlog',
    submittingTrust: 'XYZ',
    cells: [['all', 'XYZ', '>104|all', 0, 50]],
  },
];

describe('backlogTotals', () => {
  it('gives each trust and the alliance their band counts and total for the period', () => {
    // Act
    const totals = backlogTotals(contributions, PERIOD);

    // Assess: RF4 40 + 12 + 6 + 2 = 60; R1H 100 + 3 = 103; RQX 0; XYZ is kept here (alerts get
    // the raw totals); ALL = 60 + 103 + 0 + 50 = 213, >104 = 2 + 3 + 50 = 55.
    expect(totals.RF4).toEqual({
      bands: { '0-28': 40, '29-62': 12, '63-104': 6, '>104': 2 },
      total: 60,
    });
    expect(totals.R1H).toEqual({
      bands: { '0-28': 100, '29-62': 0, '63-104': 0, '>104': 3 },
      total: 103,
    });
    expect(totals.RQX).toEqual({
      bands: { '0-28': 0, '29-62': 0, '63-104': 0, '>104': 0 },
      total: 0,
    });
    expect(totals.ALL).toEqual({
      bands: { '0-28': 140, '29-62': 12, '63-104': 6, '>104': 55 },
      total: 213,
    });
  });

  it('always has the alliance row, even with nothing stored', () => {
    // Act / Assess
    expect(backlogTotals([], PERIOD)).toEqual({
      ALL: { bands: { '0-28': 0, '29-62': 0, '63-104': 0, '>104': 0 }, total: 0 },
    });
  });
});

describe('buildBacklog', () => {
  const config = nelConfig();

  it('gives every band for each submitting trust and the alliance, zeros included', () => {
    // Act
    const result = buildBacklog({
      period: PERIOD,
      contributions,
      config,
      disclosure: 'suppressed',
    });

    // Assess: configured trusts only (XYZ left out): ALL = RF4 + R1H + RQX.
    expect(result).toMatchObject({ period: PERIOD, asAt: '2026-03-31', by: null });
    expect(result.bands).toEqual(BACKLOG_BANDS);
    expect(result.rows.map((r) => [r.trust, r.band, r.count])).toEqual([
      ['R1H', '0-28', 100],
      ['R1H', '29-62', 0],
      ['R1H', '63-104', 0],
      ['R1H', '>104', 3],
      ['RF4', '0-28', 40],
      ['RF4', '29-62', 12],
      ['RF4', '63-104', 6],
      ['RF4', '>104', 2],
      ['RQX', '0-28', 0],
      ['RQX', '29-62', 0],
      ['RQX', '63-104', 0],
      ['RQX', '>104', 0],
      ['ALL', '0-28', 140],
      ['ALL', '29-62', 12],
      ['ALL', '63-104', 6],
      ['ALL', '>104', 5],
    ]);
    expect(result.rows.every((r) => r.group === null && r.period === PERIOD)).toBe(true);
  });

  it('keeps only the trust asked for, and the alliance rows', () => {
    // Act
    const { rows } = buildBacklog({
      period: PERIOD,
      trust: 'RQX',
      contributions,
      config,
      disclosure: 'suppressed',
    });

    // Assess
    expect([...new Set(rows.map((r) => r.trust))]).toEqual(['RQX', 'ALL']);
    expect(rows.filter((r) => r.trust === 'ALL').map((r) => r.count)).toEqual([140, 12, 6, 5]);
  });

  it('suppresses patient-characteristic breakdowns: 1–7 hidden, others to the nearest 5', () => {
    // Act
    const { rows } = buildBacklog({
      period: PERIOD,
      trust: 'RF4',
      by: 'imdQuintile',
      contributions,
      config,
      disclosure: 'suppressed',
    });

    // Assess: quintile 1: 33 → 35, 12 → 10, 6 → *, 2 → *; quintile 2: 7 → *, empty bands 0.
    const rf4 = (group: string) =>
      rows.filter((r) => r.trust === 'RF4' && r.group === group).map((r) => r.count);
    expect(rf4('1')).toEqual([35, 10, null, null]);
    expect(rf4('2')).toEqual([null, 0, 0, 0]);
    expect(rows.find((r) => r.group === '2' && r.band === '0-28')).toMatchObject({
      suppressed: true,
    });
  });

  it('shows the unrounded counts with full disclosure', () => {
    // Act
    const { rows } = buildBacklog({
      period: PERIOD,
      trust: 'RF4',
      by: 'imdQuintile',
      contributions,
      config,
      disclosure: 'full',
    });

    // Assess
    expect(rows.filter((r) => r.trust === 'RF4' && r.group === '1').map((r) => r.count)).toEqual([
      33, 12, 6, 2,
    ]);
  });
});
