import { describe, expect, it } from 'vitest';
import { cellsByStandard, createAccumulator } from '../../../../lambdas/core/aggregate';
import { RulesSchema, STORED_STANDARDS } from '../../../../lambdas/core/config';
import { deriveRecord } from '../../../../lambdas/core/derive';
import {
  buildPerformance,
  type PerformanceContribution,
} from '../../../../lambdas/core/performance';
import type { PathwayRecord } from '../../../../lambdas/core/record';
import { day, enrichedRecord, nelConfig, pathwayRecord } from './support';

/**
 * Golden aggregation of shared breaches: eight 62-day pathways treated on 15 February 2026,
 * derived by the real rules and summed by the real accumulator. Each is described by its 62-day
 * wait (d62) and the referrer's part (d38): referral = treatment − d62, transfer = referral + d38,
 * so d24 = d62 − d38 (no adjustments).
 */
const PERIOD = '2026-02';
const TREATMENT = day('2026-02-15');
const RULES = RulesSchema.parse({});

function pathway(options: {
  id: string;
  d62: number;
  d38: number | null;
  accountable: string | null;
  firstSeen: string;
  treatedAt: string;
}): PathwayRecord {
  const referral = TREATMENT - options.d62;
  return pathwayRecord({
    pathwayId: options.id,
    referralReceived: referral,
    dateFirstSeen: referral + 3,
    fdsEnd: referral + 10,
    fdsEndReason: '01',
    orgFirstSeen: options.firstSeen,
    orgFdsEnd: options.firstSeen,
    accountableInvestigatingProvider: options.accountable,
    transferToTreatment: options.d38 === null ? null : referral + options.d38,
    decisionToTreat: TREATMENT - 5,
    treatmentStart: TREATMENT,
    treatmentEventType: '01',
    treatmentModality: '23',
    orgTreatmentStart: options.treatedAt,
    patientStatus: '08',
  });
}

// Diagnosed at RF4 (accountable), treated at R1H unless said otherwise.
const ipt = (id: string, d62: number, d38: number) =>
  pathway({ id, d62, d38, accountable: 'RF4', firstSeen: 'RF401', treatedAt: 'R1H01' });

const PATHWAYS: PathwayRecord[] = [
  ipt('S1', 50, 30), // d24 20 — scenario 1: RF4 0.5/0.5, R1H 0.5/0.5
  ipt('S2', 60, 30), // d24 30 — scenario 2: RF4 0.5/0.5, R1H 0.5/0.5
  ipt('S3', 60, 40), // d24 20 — scenario 3: R1H 1/1
  ipt('S4', 70, 35), // d24 35 — scenario 4: R1H 0/1
  ipt('S5', 70, 50), // d24 20 — scenario 5: RF4 0/1
  ipt('S6', 75, 45), // d24 30 — scenario 6: RF4 0/0.5, R1H 0/0.5
  // Solo: RQX diagnosed and treated, 40 days → RQX 1/1.
  pathway({
    id: 'SOLO',
    d62: 40,
    d38: null,
    accountable: 'RQX',
    firstSeen: 'RQX01',
    treatedAt: 'RQX01',
  }),
  // No accountable provider, first seen at RQX, treated at R1H, 80 days → RQX 0/0.5, R1H 0/0.5.
  pathway({
    id: 'HALF',
    d62: 80,
    d38: null,
    accountable: null,
    firstSeen: 'RQX01',
    treatedAt: 'R1H01',
  }),
];

function summarise() {
  const accumulator = createAccumulator('sub-golden', PERIOD);
  for (const record of PATHWAYS) {
    const derived = deriveRecord(record, 'RF4', RULES);
    accumulator.add(
      enrichedRecord({
        pathwayId: record.pathwayId,
        outcomes: derived.outcomes,
        openPathway: null,
      }),
    );
  }
  return accumulator.result();
}

describe('shared-breach aggregation (golden)', () => {
  const partial = summarise();
  const headline = (standard: string, trust: string) =>
    partial.cells[`${standard}|all|${trust}|all`] ?? null;

  it('sums the shared allocation fractionally per trust', () => {
    // Assess: RF4 within S1 .5 + S2 .5 = 1, total .5 + .5 + S5 1 + S6 .5 = 2.5;
    // R1H within S1 .5 + S2 .5 + S3 1 = 2, total .5 + .5 + 1 + 1 + .5 + HALF .5 = 4;
    // RQX within SOLO 1, total 1 + HALF .5 = 1.5.
    expect(headline('62d', 'RF4')).toEqual([1, 2.5]);
    expect(headline('62d', 'R1H')).toEqual([2, 4]);
    expect(headline('62d', 'RQX')).toEqual([1, 1.5]);
  });

  it('gives every pathway wholly to the treating trust under the treating allocation', () => {
    // Assess: R1H treated S1–S6 and HALF: within when d62 ≤ 62 (S1, S2, S3) → 3/7; RQX SOLO 1/1.
    expect(headline('62d-treating', 'R1H')).toEqual([3, 7]);
    expect(headline('62d-treating', 'RQX')).toEqual([1, 1]);
    expect(headline('62d-treating', 'RF4')).toBeNull();
  });

  it('counts the handover sub-metrics for transfers with a date only', () => {
    // Assess: 38d for RF4 over S1–S6, d38 ≤ 38 for S1 30, S2 30, S4 35 → 3/6.
    // 24d for R1H over S1–S6, d24 ≤ 24 for S1 20, S3 20, S5 20 → 3/6. SOLO and HALF: neither.
    expect(headline('38d', 'RF4')).toEqual([3, 6]);
    expect(headline('24d', 'R1H')).toEqual([3, 6]);
    expect(Object.keys(partial.cells).filter((k) => /^(38d|24d)\|all\|/.test(k))).toEqual([
      '38d|all|RF4|all',
      '24d|all|R1H|all',
    ]);
    expect(partial.counted['62d']).toBe(8);
  });

  it('gives identical alliance totals under both allocations', () => {
    // Prepare: the partial as stored, read back by the performance report.
    const lists = cellsByStandard(partial);
    const contributions: PerformanceContribution[] = STORED_STANDARDS.map((standard) => ({
      period: PERIOD,
      standard,
      cells: lists[standard],
    }));
    const report = (allocation: 'shared' | 'treating') =>
      buildPerformance({
        standard: '62d',
        allocation,
        from: PERIOD,
        to: PERIOD,
        contributions,
        config: nelConfig(),
        disclosure: 'full',
      });

    // Act
    const shared = report('shared');
    const treating = report('treating');

    // Assess: 8 pathways, 4 within 62 days (S1, S2, S3, SOLO) → ALL 4/8 under both.
    const all = (rows: typeof shared.rows) => rows.find((r) => r.trust === 'ALL');
    expect(all(shared.rows)).toMatchObject({ within: 4, total: 8, performance: 0.5 });
    expect(all(treating.rows)).toMatchObject({ within: 4, total: 8, performance: 0.5 });
    expect(shared.allocation).toBe('shared');
    expect(treating.allocation).toBe('treating');
    // RF4 2.5 with 1 within → 0.4; the 62-day target (85%) applies under both allocations.
    expect(shared.rows.find((r) => r.trust === 'RF4')).toMatchObject({
      within: 1,
      total: 2.5,
      performance: 0.4,
      target: 0.85,
    });
    expect(treating.rows.find((r) => r.trust === 'RF4')).toBeUndefined();
  });
});
