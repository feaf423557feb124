import { describe, expect, it } from 'vitest';
import { RulesSchema } from '../../../../lambdas/core/config';
import type { PathwayRecord } from '../../../../lambdas/core/record';
import {
  deriveOutcomes,
  sharedBreachAllocation,
  sharedBreachScenario,
} from '../../../../lambdas/core/standards';

const MS_PER_DAY = 86_400_000;
/** Clock start of every record here: 1 March 2025. Other dates are given as days after it. */
const START = Date.UTC(2025, 2, 1) / MS_PER_DAY;
const RULES = RulesSchema.parse({});

function record(overrides: Partial<PathwayRecord> = {}): PathwayRecord {
  return {
    row: 2,
    pathwayId: 'P1',
    nhsNumber: '3914177764',
    dateOfBirth: null,
    sex: null,
    ethnicity: null,
    postcode: null,
    lsoaCode: null,
    priorityType: '3',
    sourceOfReferral: '03',
    cancerReferralType: '02',
    referralReceived: START,
    consultantUpgrade: null,
    orgFirstSeen: null,
    dateFirstSeen: null,
    firstSeenAdjustment: 0,
    fdsEnd: null,
    fdsEndReason: null,
    fdsExclusionReason: null,
    orgFdsEnd: null,
    accountableInvestigatingProvider: null,
    transferToTreatment: null,
    primaryDiagnosis: null,
    decisionToTreat: null,
    treatmentStart: null,
    treatmentEventType: null,
    treatmentModality: null,
    orgTreatmentStart: null,
    treatmentAdjustment: 0,
    treatmentAdjustmentReason: null,
    patientStatus: null,
    ...overrides,
  };
}

describe('FDS late exclusions (rules.fdsCountExcludedLateAsBreach)', () => {
  const excludedLate = record({
    fdsEnd: START + 29,
    fdsEndReason: '03',
    fdsExclusionReason: '01',
  });

  it('leaves end reason 03 out when the rule is off (the default)', () => {
    // Act
    const { outcomes } = deriveOutcomes(excludedLate, 'R1H', RULES);

    // Assess
    expect(outcomes).toEqual([]);
  });

  it('counts end reason 03 with exclusion reason 01 as a breach when over 28 days', () => {
    // Act: 29 days from referral to FDS end.
    const { outcomes } = deriveOutcomes(excludedLate, 'R1H', {
      ...RULES,
      fdsCountExcludedLateAsBreach: true,
    });

    // Assess
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      standard: 'fds',
      month: '2025-03',
      waitDays: 29,
      within: false,
      allocations: [{ trust: 'R1H', within: 0, total: 1 }],
    });
  });

  it.each([
    ['within 28 days', { fdsEnd: START + 28 }],
    ['another exclusion reason', { fdsExclusionReason: '02' }],
    ['no exclusion reason', { fdsExclusionReason: null }],
  ])('still leaves end reason 03 out with %s', (_, change) => {
    // Act
    const { outcomes } = deriveOutcomes({ ...excludedLate, ...change }, 'R1H', {
      ...RULES,
      fdsCountExcludedLateAsBreach: true,
    });

    // Assess
    expect(outcomes).toEqual([]);
  });

  it('does not count an FDS end date without an end reason', () => {
    // Act
    const { outcomes } = deriveOutcomes(record({ fdsEnd: START + 10 }), 'R1H', RULES);

    // Assess
    expect(outcomes).toEqual([]);
  });
});

/** A first definitive treatment: diagnosed at one trust (RF4), treated at another (R1H). */
function transferred(days: {
  transfer: number | null;
  treatment: number;
  firstSeenAdjustment?: number;
  treatmentAdjustment?: number;
  accountable?: string | null;
}): PathwayRecord {
  return record({
    orgFirstSeen: 'RF4QH',
    accountableInvestigatingProvider: days.accountable === undefined ? 'RF4' : days.accountable,
    transferToTreatment: days.transfer === null ? null : START + days.transfer,
    decisionToTreat: START + days.treatment - 5,
    treatmentStart: START + days.treatment,
    treatmentEventType: '01',
    treatmentModality: '23',
    primaryDiagnosis: 'C34.1',
    orgTreatmentStart: 'R1HKH',
    firstSeenAdjustment: days.firstSeenAdjustment ?? 0,
    treatmentAdjustment: days.treatmentAdjustment ?? 0,
  });
}

function sixtyTwo(input: PathwayRecord, allocation: 'treating' | 'shared') {
  const outcome = deriveOutcomes(input, 'R1H', RULES, { allocation }).outcomes.find(
    (candidate) => candidate.standard === '62d',
  );
  if (!outcome) throw new Error('expected a 62-day outcome');
  return outcome;
}

describe('62-day allocation', () => {
  it('gives everything to the treating trust by default, even after a transfer', () => {
    // Prepare: treatment on day 70 → d62 = 70 > 62.
    const input = transferred({ transfer: 50, treatment: 70 });

    // Act
    const outcome = sixtyTwo(input, 'treating');

    // Assess
    expect(outcome.waitDays).toBe(70);
    expect(outcome.allocations).toEqual([{ trust: 'R1H', within: 0, total: 1 }]);
  });

  // d62 = treatment day; d38 = transfer day; d24 = treatment − transfer (no adjustments).
  // Weights from the domain brief §2.4 table; within = denominator − breach.
  it.each([
    {
      scenario: 1,
      days: { transfer: 30, treatment: 50 }, // d62 50 ✓, d38 30 ✓, d24 20 ✓
      expected: [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
    },
    {
      scenario: 2,
      days: { transfer: 30, treatment: 60 }, // d62 60 ✓, d38 30 ✓, d24 30 ✗
      expected: [
        { trust: 'RF4', within: 0.5, total: 0.5 },
        { trust: 'R1H', within: 0.5, total: 0.5 },
      ],
    },
    {
      scenario: 3,
      days: { transfer: 40, treatment: 60 }, // d62 60 ✓, d38 40 ✗, d24 20 ✓
      expected: [{ trust: 'R1H', within: 1, total: 1 }],
    },
    {
      scenario: 4,
      days: { transfer: 35, treatment: 70 }, // d62 70 ✗, d38 35 ✓, d24 35 ✗
      expected: [{ trust: 'R1H', within: 0, total: 1 }],
    },
    {
      scenario: 5,
      days: { transfer: 50, treatment: 70 }, // d62 70 ✗, d38 50 ✗, d24 20 ✓
      expected: [{ trust: 'RF4', within: 0, total: 1 }],
    },
    {
      scenario: 6,
      days: { transfer: 45, treatment: 75 }, // d62 75 ✗, d38 45 ✗, d24 30 ✗
      expected: [
        { trust: 'RF4', within: 0, total: 0.5 },
        { trust: 'R1H', within: 0, total: 0.5 },
      ],
    },
  ])('shares scenario $scenario as the §2.4 table says', ({ scenario, days, expected }) => {
    // Prepare
    const input = transferred(days);

    // Act
    const outcome = sixtyTwo(input, 'shared');

    // Assess
    expect(
      sharedBreachScenario(days.treatment, days.transfer, days.treatment - days.transfer),
    ).toBe(scenario);
    expect(outcome.allocations).toEqual(expected);
  });

  it('applies adjustments to the parts: exactly 38 and 24 days is scenario 1', () => {
    // Prepare: d38 = 40 − 2 (first seen) = 38; d24 = (66 − 40) − 2 (treatment) = 24;
    // d62 = 66 − 2 − 2 = 62.
    const input = transferred({
      transfer: 40,
      treatment: 66,
      firstSeenAdjustment: 2,
      treatmentAdjustment: 2,
    });

    // Act
    const outcome = sixtyTwo(input, 'shared');

    // Assess
    expect(outcome.waitDays).toBe(62);
    expect(outcome.allocations).toEqual([
      { trust: 'RF4', within: 0.5, total: 0.5 },
      { trust: 'R1H', within: 0.5, total: 0.5 },
    ]);
  });

  it('is solo when the accountable provider also treated', () => {
    // Prepare: treated by R1H, accountable R1H; 70 days > 62.
    const input = {
      ...transferred({ transfer: 50, treatment: 70 }),
      accountableInvestigatingProvider: 'R1H',
    };

    // Act / Assess
    expect(sixtyTwo(input, 'shared').allocations).toEqual([{ trust: 'R1H', within: 0, total: 1 }]);
  });

  it('is solo when no diagnosing trust is known', () => {
    // Prepare
    const input = {
      ...transferred({ transfer: null, treatment: 50, accountable: null }),
      orgFirstSeen: null,
    };

    // Act / Assess
    expect(sixtyTwo(input, 'shared').allocations).toEqual([{ trust: 'R1H', within: 1, total: 1 }]);
  });

  it('splits 50/50 without an accountable provider (first-seen trust differs)', () => {
    // Prepare: within (50 ≤ 62) and a breach (70 > 62).
    const within = transferred({ transfer: 30, treatment: 50, accountable: null });
    const breach = transferred({ transfer: 30, treatment: 70, accountable: null });

    // Act / Assess
    expect(sixtyTwo(within, 'shared').allocations).toEqual([
      { trust: 'RF4', within: 0.5, total: 0.5 },
      { trust: 'R1H', within: 0.5, total: 0.5 },
    ]);
    expect(sixtyTwo(breach, 'shared').allocations).toEqual([
      { trust: 'RF4', within: 0, total: 0.5 },
      { trust: 'R1H', within: 0, total: 0.5 },
    ]);
  });

  it('splits 50/50 when there is no transfer date to split the wait at', () => {
    // Act / Assess
    expect(sixtyTwo(transferred({ transfer: null, treatment: 70 }), 'shared').allocations).toEqual([
      { trust: 'RF4', within: 0, total: 0.5 },
      { trust: 'R1H', within: 0, total: 0.5 },
    ]);
  });

  it('reports the combinations the table leaves out as no scenario', () => {
    // Assess: (62 met, 38 and 24 missed) and (62 missed, 38 and 24 met).
    expect(sharedBreachScenario(62, 39, 25)).toBeNull();
    expect(sharedBreachScenario(63, 38, 24)).toBeNull();
  });

  it('weights always sum to 1 in the denominator', () => {
    // Prepare
    const cases = [
      [30, 50],
      [30, 60],
      [40, 60],
      [35, 70],
      [50, 70],
      [45, 75],
    ] as const;

    // Act / Assess
    for (const [transfer, treatment] of cases) {
      const total = sharedBreachAllocation({
        treatingTrust: 'R1H',
        accountableProvider: 'RF4',
        firstSeenTrust: 'RF4',
        clockStart: START,
        treatmentStart: START + treatment,
        transferToTreatment: START + transfer,
        firstSeenAdjustment: 0,
        treatmentAdjustment: 0,
      }).reduce((sum, share) => sum + share.total, 0);
      expect(total).toBe(1);
    }
  });
});

describe('consultant upgrade', () => {
  it('starts the 62-day clock at the upgrade and ignores the first-seen adjustment', () => {
    // Prepare: upgrade on day 10, treatment on day 73 → 73 − 10 = 63; the 5-day first-seen
    // adjustment would have made it 58 (within) if wrongly applied.
    const input = record({
      priorityType: '1',
      consultantUpgrade: START + 10,
      firstSeenAdjustment: 5,
      fdsEnd: START + 20,
      fdsEndReason: '01',
      decisionToTreat: START + 60,
      treatmentStart: START + 73,
      treatmentEventType: '01',
      treatmentModality: '23',
      primaryDiagnosis: 'C34.1',
    });

    // Act
    const { route, outcomes } = deriveOutcomes(input, 'RQX', RULES);

    // Assess
    expect(route).toBe('consultant-upgrade');
    expect(outcomes.map((outcome) => outcome.standard)).toEqual(['31d', '62d']);
    expect(outcomes[1]).toMatchObject({ clockStart: START + 10, waitDays: 63, within: false });
    expect(outcomes[1]?.allocations).toEqual([{ trust: 'RQX', within: 0, total: 1 }]);
  });
});
