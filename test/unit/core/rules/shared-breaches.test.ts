import { describe, expect, it } from 'vitest';
import { RulesSchema } from '../../../../lambdas/core/config';
import { deriveRecord } from '../../../../lambdas/core/derive';
import type { StandardOutcome } from '../../../../lambdas/core/outcomes';
import type { PathwayRecord } from '../../../../lambdas/core/record';
import { sixtyTwoDayVariants } from '../../../../lambdas/core/shared-breaches';
import { deriveOutcomes } from '../../../../lambdas/core/standards';
import { day, pathwayRecord } from '../enrich/support';

/**
 * Every 62-day pathway is stored under both allocations plus, for inter-provider transfers, the
 * handover sub-metrics (domain brief §2.4). Clock start is 1 December 2025 (REF); other dates are
 * days after it, so d62 = treatment day, d38 = transfer day and d24 = treatment − transfer when
 * there are no adjustments. Diagnosed at RF4 (first seen RF401), treated at R1H (R1H01).
 */
const REF = day('2025-12-01');
const RULES = RulesSchema.parse({});

function transfer(days: {
  transfer: number | null;
  treatment: number;
  accountable?: string | null;
  firstSeenAdjustment?: number;
  treatmentAdjustment?: number;
}): PathwayRecord {
  return pathwayRecord({
    referralReceived: REF,
    dateFirstSeen: REF + 5,
    fdsEnd: REF + 10,
    fdsEndReason: '01',
    orgFirstSeen: 'RF401',
    orgFdsEnd: 'RF401',
    accountableInvestigatingProvider: days.accountable === undefined ? 'RF4' : days.accountable,
    transferToTreatment: days.transfer === null ? null : REF + days.transfer,
    decisionToTreat: REF + days.treatment - 3,
    treatmentStart: REF + days.treatment,
    treatmentEventType: '01',
    treatmentModality: '23',
    orgTreatmentStart: 'R1H01',
    firstSeenAdjustment: days.firstSeenAdjustment ?? 0,
    treatmentAdjustment: days.treatmentAdjustment ?? 0,
    patientStatus: '08',
  });
}

/** Allocations by stored standard, for compact assertions. */
function byStandard(outcomes: readonly StandardOutcome[]) {
  return Object.fromEntries(outcomes.map((o) => [o.standard, o.allocations]));
}

describe('62-day variants of a transfer, per §2.4 scenario', () => {
  // Weights from the §2.4 table (within = denominator − breach). 62d-treating gives the whole
  // pathway to R1H, within when d62 ≤ 62. 38d: RF4 within when d38 ≤ 38; 24d: R1H within when
  // d24 ≤ 24.
  it.each([
    {
      scenario: 1,
      days: { transfer: 30, treatment: 50 }, // d62 50 ✓ d38 30 ✓ d24 20 ✓
      shared: [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
      treating: { trust: 'R1H', within: 1, total: 1 },
      d38: 1,
      d24: 1,
    },
    {
      scenario: 2,
      days: { transfer: 30, treatment: 60 }, // d62 60 ✓ d38 30 ✓ d24 30 ✗
      shared: [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
      treating: { trust: 'R1H', within: 1, total: 1 },
      d38: 1,
      d24: 0,
    },
    {
      scenario: 3,
      days: { transfer: 40, treatment: 60 }, // d62 60 ✓ d38 40 ✗ d24 20 ✓
      shared: [{ trust: 'R1H', within: 1, total: 1 }],
      treating: { trust: 'R1H', within: 1, total: 1 },
      d38: 0,
      d24: 1,
    },
    {
      scenario: 4,
      days: { transfer: 35, treatment: 70 }, // d62 70 ✗ d38 35 ✓ d24 35 ✗
      shared: [{ trust: 'R1H', within: 0, total: 1 }],
      treating: { trust: 'R1H', within: 0, total: 1 },
      d38: 1,
      d24: 0,
    },
    {
      scenario: 5,
      days: { transfer: 50, treatment: 70 }, // d62 70 ✗ d38 50 ✗ d24 20 ✓
      shared: [{ trust: 'RF4', within: 0, total: 1 }],
      treating: { trust: 'R1H', within: 0, total: 1 },
      d38: 0,
      d24: 1,
    },
    {
      scenario: 6,
      days: { transfer: 45, treatment: 75 }, // d62 75 ✗ d38 45 ✗ d24 30 ✗
      shared: [
        { trust: 'RF4', within: 0, total: 0.5 },
        { trust: 'R1H', within: 0, total: 0.5 },
      ],
      treating: { trust: 'R1H', within: 0, total: 1 },
      d38: 0,
      d24: 0,
    },
  ])('scenario $scenario', ({ scenario, days, shared, treating, d38, d24 }) => {
    // Act
    const variants = sixtyTwoDayVariants(transfer(days), 'usc', 'RF4');

    // Assess
    expect(variants.assessment).toMatchObject({ kind: 'scenario', scenario });
    expect(variants.exception).toBeNull();
    expect(byStandard(variants.outcomes)).toEqual({
      '62d': shared,
      '62d-treating': [treating],
      '38d': [{ trust: 'RF4', within: d38, total: 1 }],
      '24d': [{ trust: 'R1H', within: d24, total: 1 }],
    });
    // Every figure is reported in the month of treatment (REF + ≤ 75 days: Dec 2025–Feb 2026).
    const month = variants.outcomes[0]?.month;
    expect(variants.outcomes.every((o) => o.month === month)).toBe(true);
  });

  it('measures the handover parts net of their own adjustments, at the 38/24 boundaries', () => {
    // Prepare: d38 = 41 − 3 (first seen) = 38 ✓; d24 = (67 − 41) − 1 (treatment) = 25 ✗;
    // d62 = 67 − 3 − 1 = 63 ✗ → scenario 4: the treating trust owns the breach.
    const input = transfer({
      transfer: 41,
      treatment: 67,
      firstSeenAdjustment: 3,
      treatmentAdjustment: 1,
    });

    // Act
    const variants = sixtyTwoDayVariants(input, 'usc', 'RF4');

    // Assess
    expect(variants.assessment).toMatchObject({ scenario: 4, d62: 63, d38: 38, d24: 25 });
    const waits = Object.fromEntries(variants.outcomes.map((o) => [o.standard, o.waitDays]));
    expect(waits).toEqual({ '62d': 63, '62d-treating': 63, '38d': 38, '24d': 25 });
    expect(byStandard(variants.outcomes)['38d']).toEqual([{ trust: 'RF4', within: 1, total: 1 }]);
    expect(byStandard(variants.outcomes)['24d']).toEqual([{ trust: 'R1H', within: 0, total: 1 }]);
  });
});

describe('62-day variants outside the six scenarios', () => {
  it('keeps a solo pathway whole under both allocations, with no handover figures', () => {
    // Prepare: R1H was accountable and treated: d62 = 70 ✗.
    const input = { ...transfer({ transfer: 50, treatment: 70 }), orgFirstSeen: 'R1H01' };

    // Act
    const variants = sixtyTwoDayVariants(
      { ...input, accountableInvestigatingProvider: 'R1H' },
      'usc',
      'R1H',
    );

    // Assess
    expect(byStandard(variants.outcomes)).toEqual({
      '62d': [{ trust: 'R1H', within: 0, total: 1 }],
      '62d-treating': [{ trust: 'R1H', within: 0, total: 1 }],
    });
    expect(variants.exception).toBeNull();
  });

  it('splits 50/50 without an accountable provider, still measuring the handover', () => {
    // Prepare: first seen at RF4, no accountable provider, transfer day 30, treatment day 50:
    // d62 50 ✓ → 0.5/0.5 within each; d38 30 ✓ (RF4), d24 20 ✓ (R1H).
    const input = transfer({ transfer: 30, treatment: 50, accountable: null });

    // Act
    const variants = sixtyTwoDayVariants(input, 'usc', 'RF4');

    // Assess: 50/50 is the rule here, not a data-quality exception.
    expect(variants.exception).toBeNull();
    expect(byStandard(variants.outcomes)).toEqual({
      '62d': [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
      '62d-treating': [{ trust: 'R1H', within: 1, total: 1 }],
      '38d': [{ trust: 'RF4', within: 1, total: 1 }],
      '24d': [{ trust: 'R1H', within: 1, total: 1 }],
    });
  });

  it('splits 50/50 without an accountable provider or a transfer date, with no exception', () => {
    // Act
    const variants = sixtyTwoDayVariants(
      transfer({ transfer: null, treatment: 70, accountable: null }),
      'usc',
      'RF4',
    );

    // Assess: d62 70 ✗ → 0/0.5 each.
    expect(variants.exception).toBeNull();
    expect(byStandard(variants.outcomes)).toEqual({
      '62d': [
        { trust: 'RF4', within: 0, total: 0.5 },
        { trust: 'R1H', within: 0, total: 0.5 },
      ],
      '62d-treating': [{ trust: 'R1H', within: 0, total: 1 }],
    });
  });

  it.each([
    { case: 'no transfer date', transferDay: null },
    { case: 'a transfer after treatment', transferDay: 51 },
    { case: 'a transfer before the clock start', transferDay: -1 },
  ])('reports an accountable transfer with $case as IPT_NO_SCENARIO, split 50/50', (example) => {
    // Prepare: treatment day 50 → d62 50 ✓, so each half is within.
    const input = transfer({ transfer: example.transferDay, treatment: 50 });

    // Act
    const variants = sixtyTwoDayVariants(input, 'usc', 'RF4');

    // Assess
    expect(variants.exception).toMatchObject({
      code: 'IPT_NO_SCENARIO',
      field: 'transfer_to_treatment_date',
    });
    expect(variants.exception?.message).not.toMatch(/\d{4}-\d{2}-\d{2}/); // no values echoed
    expect(byStandard(variants.outcomes)).toEqual({
      '62d': [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
      '62d-treating': [{ trust: 'R1H', within: 1, total: 1 }],
    });
  });

  it('starts a consultant upgrade’s handover clock at the upgrade, without first-seen adjustment', () => {
    // Prepare: referral day 0, upgrade day 10, transfer day 50, treatment day 60, first-seen
    // adjustment 5 (ignored for upgrades): d62 = 50 ✓, d38 = 40 ✗, d24 = 10 ✓ → scenario 3.
    const input = {
      ...transfer({ transfer: 50, treatment: 60, firstSeenAdjustment: 5 }),
      priorityType: '1',
      consultantUpgrade: REF + 10,
    };

    // Act
    const variants = sixtyTwoDayVariants(input, 'consultant-upgrade', 'RF4');

    // Assess
    expect(variants.assessment).toMatchObject({ scenario: 3, d62: 50, d38: 40, d24: 10 });
    expect(byStandard(variants.outcomes)['62d']).toEqual([{ trust: 'R1H', within: 1, total: 1 }]);
  });

  it('gives nothing for a record outside the 62-day cohort', () => {
    // Prepare: a subsequent treatment (event type 02) is 31-day only.
    const input = { ...transfer({ transfer: 30, treatment: 50 }), treatmentEventType: '02' };

    // Act / Assess
    expect(sixtyTwoDayVariants(input, 'usc', 'RF4')).toEqual({
      outcomes: [],
      assessment: null,
      exception: null,
    });
  });
});

describe('deriveRecord', () => {
  it('stores the shared and treating 62-day figures exactly as deriveOutcomes gives them', () => {
    // Prepare: scenario 5 (referrer owns the breach).
    const input = transfer({ transfer: 50, treatment: 70 });

    // Act
    const derived = deriveRecord(input, 'RF4', RULES);
    const shared = deriveOutcomes(input, 'RF4', RULES, { allocation: 'shared' });
    const treating = deriveOutcomes(input, 'RF4', RULES, { allocation: 'treating' });

    // Assess
    const find = (outcomes: readonly StandardOutcome[], standard: string) =>
      outcomes.find((o) => o.standard === standard);
    expect(find(derived.outcomes, '62d')).toEqual(find(shared.outcomes, '62d'));
    expect(find(derived.outcomes, '62d-treating')).toEqual({
      ...find(treating.outcomes, '62d'),
      standard: '62d-treating',
    });
    expect(find(derived.outcomes, '31d')).toEqual(find(shared.outcomes, '31d'));
    expect(derived.route).toBe('usc');
    expect(derived.openPathway).toBeNull(); // treated: not on the backlog
  });
});
