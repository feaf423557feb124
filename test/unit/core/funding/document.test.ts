import { describe, expect, it } from 'vitest';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import { FundingInputError } from '../../../../lambdas/core/funding';
import { fundingConfigOf } from '../../../../lambdas/core/funding-config';
import {
  type AllocationInput,
  computeAllocation,
  type PopulationProvenance,
} from '../../../../lambdas/core/funding-document';
import { FundingRequestSchema } from '../../../../lambdas/core/funding-request';
import nel from '../../../../lib/alliances/north-east-london.json';
import { population } from './support';

const config = AllianceConfigSchema.parse(nel);
const P = '2025-06';

const provenance: PopulationProvenance = {
  population: {
    file: 'population.csv',
    rows: 2,
    edition: 'test',
    geography: 'LSOA 2011',
    total: 2000,
  },
  imd: { file: 'imd.csv', rows: 2, edition: '2025', method: 'test' },
  lookup: { file: 'lookup.csv', rows: 2, localAuthorities: 'LAD 2022' },
  unmatched: {
    withoutLocalAuthority: { lsoas: 0, population: 0 },
    withoutImd: { lsoas: 0, population: 0 },
  },
};

/**
 * Havering (E09000016): 1,000 people aged 60–64 in IMD quintile 2; Newham (E09000025): 1,000
 * aged 60–64 in quintile 1. No other borough has anyone.
 */
const byLocalAuthority = new Map([
  ['E09000016', population({ '2': { '60-64': 1000 } })],
  ['E09000025', population({ '1': { '60-64': 1000 } })],
]);

/** June FDS: RF4 3/5 and R1H 6/11; Havering patients RF4 4, R1H 1; Newham R1H 10. */
const contributions = [
  {
    period: P,
    standard: 'fds' as const,
    submissionId: 'sub-r1h',
    submittingTrust: 'R1H',
    cells: [
      ['all', 'R1H', 'all', 6, 11],
      ['place', 'R1H', 'havering', 1, 1],
      ['place', 'R1H', 'newham', 5, 10],
    ] as [string, string, string, number, number][],
  },
  {
    period: P,
    standard: 'fds' as const,
    submissionId: 'sub-rf4',
    submittingTrust: 'RF4',
    cells: [
      ['all', 'RF4', 'all', 3, 5],
      ['place', 'RF4', 'havering', 2, 4],
    ] as [string, string, string, number, number][],
  },
];

function input(request: unknown, extra: Partial<AllocationInput> = {}): AllocationInput {
  return {
    allocationId: 'alloc-1',
    createdAt: '2025-07-10T09:00:00.000Z',
    createdBy: 'user-1',
    request: FundingRequestSchema.parse(request),
    config,
    funding: fundingConfigOf(config),
    configSha256: 'abc',
    population: { imdEdition: '2025', byLocalAuthority, provenance },
    contributions,
    ...extra,
  };
}

const trustRequest = {
  budget: 3000,
  unit: 'trust',
  window: { from: '2025-05', to: P },
  standards: ['fds'],
  weights: { need: 0.5, gap: 0.5, equal: 0 },
};

describe('an allocation by trust', () => {
  it('gives each trust its catchment population and its own gap, then splits the budget', () => {
    // Act
    const document = computeAllocation(input(trustRequest));

    // Assess, by hand (default age weight 1.32 for 60–64, β = 0.25):
    // catchments: Havering RF4 4/5, R1H 1/5; Newham R1H 10/10. So RF4 800 people in Q2,
    // R1H 200 in Q2 + 1,000 in Q1, RQX none.
    // N: RF4 800 × 1.32 = 1,056; R1H 1,200 × 1.32 = 1,584 (Q1 part 1,320).
    // D: RF4 1,056; R1H 1,584 + 0.25 × 1,320 = 1,914. ΣD = 2,970.
    // Gap (FDS 75%): RF4 0.75 × 5 − 3 = 0.75; R1H 0.75 × 11 − 6 = 2.25; ΣG = 3.
    // RF4 = 1,500 × 1,056/2,970 + 1,500 × 0.25 = 533.33 + 375 = 908.33
    // R1H = 1,500 × 1,914/2,970 + 1,500 × 0.75 = 966.67 + 1,125 = 2,091.67; RQX 0.
    // Floors 908 + 2,091 = 2,999; the spare pound to the larger remainder (R1H, .67).
    const [r1h, rf4, rqx] = document.units;
    expect(document.units.map((u) => u.id)).toEqual(['R1H', 'RF4', 'RQX']);
    expect(rf4?.population).toBe(800);
    expect(r1h?.needWeightedPopulation).toBeCloseTo(1584, 6);
    expect(r1h?.deprivationAdjustedNeed).toBeCloseTo(1914, 6);
    expect(rf4?.gap).toBe(0.75);
    expect(r1h?.gap).toBe(2.25);
    expect(rf4?.terms.need).toBeCloseTo(533.33, 2);
    expect(r1h?.terms.gap).toBeCloseTo(1125, 6);
    expect(document.units.map((u) => u.amount)).toEqual([2092, 908, 0]);
    expect(rqx?.share).toBe(0);
    expect(document.catchments?.find((c) => c.place === 'havering')?.shares).toEqual({
      R1H: 0.2,
      RF4: 0.8,
      RQX: 0,
    });
  });

  it('records periods, submissions, config and every parameter used', () => {
    // Act
    const document = computeAllocation(input(trustRequest));

    // Assess
    expect(document.provenance.aggregates).toEqual({
      periods: ['2025-05', P],
      periodsWithData: [P],
      submissions: [
        { period: P, trust: 'R1H', submissionId: 'sub-r1h' },
        { period: P, trust: 'RF4', submissionId: 'sub-rf4' },
      ],
    });
    expect(document.provenance.config).toEqual({
      name: 'North East London',
      code: 'E56000028',
      sha256: 'abc',
    });
    expect(document.parameters).toMatchObject({
      unit: 'trust',
      standards: ['fds'],
      deprivation: { beta: 0.25 },
      imdEdition: '2025',
      roundTo: 1,
      catchmentStandard: 'fds',
      damping: null,
    });
    expect(document.notes).toContain(
      'No accepted submissions for 2025-05: those months add no gap.',
    );
  });

  it('explains the result in plain English, unit by unit', () => {
    // Act
    const { explanation } = computeAllocation(input(trustRequest));

    // Assess
    expect(explanation[0]).toMatch(
      /^£3,000 was split between the 3 trusts .*50% by need, 50% by the performance gap and 0% in equal shares/,
    );
    expect(explanation[1]).toMatch(/weighted by age band \(.*UNVERIFIED/);
    expect(explanation).toContain(
      'Barts Health: £2,092 (69.73%) = need £967 + gap £1,125 + equal share £0, rounding +£0.33; ' +
        'population 1,200, Core20 share of need 83.3%, 2.25 patients short of target.',
    );
  });
});

describe('previous allocations', () => {
  it('must name exactly the units being allocated', () => {
    const previous = { amounts: { R1H: 1000, RF4: 1000 } };
    expect(() => computeAllocation(input(trustRequest, { previous }))).toThrow(
      /must name exactly the trusts being allocated \(missing RQX\)/,
    );
    expect(() =>
      computeAllocation(input(trustRequest, { previous: { unit: 'place', amounts: {} } })),
    ).toThrow(FundingInputError);
  });

  it('damps against them and reports each cap', () => {
    // Prepare: previous 1,000 each (Σ 3,000 = budget), ±10% → 900–1,100 each.
    const previous = { amounts: { R1H: 1000, RF4: 1000, RQX: 1000 } };
    const request = { ...trustRequest, previous, damping: { maxChange: 0.1 } };

    // Act
    const document = computeAllocation(input(request, { previous }));

    // Assess: formula 2,091.67 / 908.33 / 0 → R1H capped at 1,100, RQX held at 900, RF4 takes
    // the rest: 3,000 − 1,100 − 900 = 1,000.
    expect(document.units.map((u) => u.amount)).toEqual([1100, 1000, 900]);
    expect(document.units.map((u) => u.damping?.limitedBy)).toEqual(['upper', null, 'lower']);
    expect(document.units.map((u) => u.previousAmount)).toEqual([1000, 1000, 1000]);
  });
});
