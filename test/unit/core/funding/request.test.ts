import { describe, expect, it } from 'vitest';
import { AllianceConfigSchema, STANDARDS } from '../../../../lambdas/core/config';
import { FUNDING_STANDARDS, fundingConfigOf } from '../../../../lambdas/core/funding-config';
import { FundingRequestSchema } from '../../../../lambdas/core/funding-request';
import nel from '../../../../lib/alliances/north-east-london.json';

const valid = {
  budget: 1_000_000,
  unit: 'place',
  window: { from: '2025-04', to: '2025-06' },
  weights: { need: 0.5, gap: 0.3, equal: 0.2 },
};

const messages = (body: unknown) => {
  const parsed = FundingRequestSchema.safeParse(body);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('funding request', () => {
  it('accepts a minimal request', () => {
    expect(messages(valid)).toEqual([]);
  });

  it('says which weight is negative', () => {
    expect(messages({ ...valid, weights: { need: 1.2, gap: -0.2, equal: 0 } })).toEqual([
      'weights.gap: weight gap must not be negative',
    ]);
  });

  it('says by how much the weights miss 1', () => {
    // 0.5 + 0.3 + 0.3 = 1.1 (in floating point 1.1000000000000001)
    expect(messages({ ...valid, weights: { need: 0.5, gap: 0.3, equal: 0.3 } })[0]).toMatch(
      /^weights: the weights must sum to 1 \(need \+ gap \+ equal = 1\.1/,
    );
  });

  it('accepts weights that sum to 1 within 1e-9', () => {
    // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in floating point.
    expect(messages({ ...valid, weights: { need: 0.1, gap: 0.2, equal: 0.7 } })).toEqual([]);
  });

  it('rejects budgets that are not whole pounds or not a multiple of the rounding unit', () => {
    expect(messages({ ...valid, budget: 100.5 })[0]).toMatch(/^budget: /);
    expect(messages({ ...valid, roundTo: 300 })).toEqual([
      'roundTo: the budget (1000000) must be a whole multiple of the rounding unit (300)',
    ]);
  });

  it('needs a previous allocation for damping, and a sensible cap', () => {
    expect(messages({ ...valid, damping: { maxChange: 1.5 } })).toEqual([
      'damping.maxChange: the maximum change must be between 0 and 1 (0.05 = ±5%)',
      'damping: damping needs a previous allocation',
    ]);
  });

  it('rejects unknown fields and a window that runs backwards', () => {
    expect(messages({ ...valid, extra: 1 }).length).toBe(1);
    expect(messages({ ...valid, window: { from: '2025-06', to: '2025-04' } })).toEqual([
      'window.from: `from` must not be after `to`',
    ]);
  });

  it('checks age weights and deprivation multipliers', () => {
    const ages = Object.fromEntries(
      Object.keys(fundingConfigOf({}).ageWeights.weights).map((band) => [band, 0]),
    );
    expect(messages({ ...valid, ageWeights: { ...ages, '0-4': -1 } })).toEqual([
      'ageWeights.0-4: an age weight must be a number ≥ 0',
      'ageWeights: at least one age weight must be above 0',
    ]);
    expect(
      messages({
        ...valid,
        deprivation: { multipliers: { '1': 1.2, '2': 1, '3': 1, '4': 1, '5': 0 } },
      }),
    ).toEqual(['deprivation.multipliers.5: a multiplier must be above 0']);
  });
});

describe('funding config', () => {
  it('defaults to UNVERIFIED incidence weights, β = 0.25, FDS and 62-day gaps, whole pounds', () => {
    // Act: NEL's config names no funding block.
    const funding = fundingConfigOf(AllianceConfigSchema.parse(nel));

    // Assess
    expect(funding.ageWeights.verified).toBe(false);
    expect(funding.ageWeights.source).toMatch(/UNVERIFIED/);
    expect(funding.deprivation).toEqual({ beta: 0.25 });
    expect(funding.gapStandards).toEqual(['fds', '62d']);
    expect(funding.roundTo).toBe(1);
    // Incidence rises with age: every band from 15–19 to 85–89 weighs more than the one before.
    const weights = Object.values(funding.ageWeights.weights);
    for (let i = 4; i < 18; i += 1) expect(weights[i]).toBeGreaterThan(weights[i - 1] ?? 0);
  });

  it('is overridable in the alliance config and checked there too', () => {
    const parsed = AllianceConfigSchema.safeParse({
      ...nel,
      funding: { deprivation: { beta: -1 } },
    });
    expect(parsed.success).toBe(false);
    const ok = AllianceConfigSchema.parse({ ...nel, funding: { roundTo: 1000 } });
    expect(fundingConfigOf(ok).roundTo).toBe(1000);
  });

  it('measures gaps on exactly the standards that have targets', () => {
    expect([...FUNDING_STANDARDS]).toEqual([...STANDARDS]);
  });
});
