import { describe, expect, it } from 'vitest';
import { allocate, FundingInputError, needOf } from '../../../../lambdas/core/funding';
import { ageWeights, population } from './support';

const flat = ageWeights({}, 1);

describe('need-weighted population and deprivation uplift', () => {
  // 100 children (0–4) in quintile 1, 50 people aged 90+ in quintile 5; weights 1 and 3.
  const people = population({ '1': { '0-4': 100 }, '5': { '90+': 50 } });
  const weights = ageWeights({ '0-4': 1, '90+': 3 });

  it('weights each age band by its age weight', () => {
    // Act
    const terms = needOf(people, weights, { beta: 0 });

    // Assess: N = 100 × 1 + 50 × 3 = 250; β = 0 leaves it unchanged.
    expect(terms.population).toBe(150);
    expect(terms.needWeightedPopulation).toBe(250);
    expect(terms.deprivationAdjustedNeed).toBe(250);
    expect(terms.deprivationFactor).toBe(1);
  });

  it('uplifts by β × the share of the need-weighted population in quintile 1', () => {
    // Act
    const terms = needOf(people, weights, { beta: 0.3 });

    // Assess: need in quintile 1 = 100 × 1 = 100 of 250, so the Core20 share is 0.4 (the
    // headcount share, 100 of 150, is reported beside it); D = 250 × (1 + 0.3 × 0.4) = 280.
    expect(terms.core20Share).toBeCloseTo(0.4, 12);
    expect(terms.core20PopulationShare).toBeCloseTo(2 / 3, 12);
    expect(terms.deprivationAdjustedNeed).toBeCloseTo(280, 9);
    expect(terms.deprivationFactor).toBeCloseTo(1.12, 12);
  });

  it('or multiplies each quintile by its own factor, leaving unknown quintiles at 1', () => {
    // Prepare: plus 10 children whose LSOA has no IMD.
    const withUnknown = population({
      '1': { '0-4': 100 },
      '5': { '90+': 50 },
      unknown: { '0-4': 10 },
    });
    const multipliers = { '1': 1.5, '2': 1.2, '3': 1, '4': 1, '5': 0.8 };

    // Act
    const terms = needOf(withUnknown, weights, { multipliers });

    // Assess: N = 100 + 150 + 10 = 260; D = 100 × 1.5 + 150 × 0.8 + 10 × 1 = 150 + 120 + 10 = 280.
    expect(terms.needWeightedPopulation).toBe(260);
    expect(terms.deprivationAdjustedNeed).toBeCloseTo(280, 9);
    expect(terms.deprivationFactor).toBeCloseTo(280 / 260, 12);
  });
});

describe('blend, damping and exact totals', () => {
  // Flat age weights and β = 0, so need = headcount: A 300, B 100, C 100 (ΣD = 500).
  const units = [
    { id: 'a', name: 'A', population: population({ '3': { '40-44': 300 } }), gap: 0 },
    { id: 'b', name: 'B', population: population({ '3': { '40-44': 100 } }), gap: 3 },
    { id: 'c', name: 'C', population: population({ '3': { '40-44': 100 } }), gap: 1 },
  ];

  it('blends need, gap and equal shares and rounds by largest remainder to the budget', () => {
    // Act
    const outcome = allocate(units, {
      budget: 1000,
      roundTo: 1,
      weights: { need: 0.5, gap: 0.3, equal: 0.2 },
      ageWeights: flat,
      deprivation: { beta: 0 },
    });

    // Assess, by hand: need split 0.6/0.2/0.2, gap split 0/0.75/0.25 (ΣG = 4), equal 1/3 each.
    // A = 0.5 × 0.6 + 0.3 × 0 + 0.2/3 = 0.366667 → £366.67
    // B = 0.5 × 0.2 + 0.3 × 0.75 + 0.2/3 = 0.391667 → £391.67
    // C = 0.5 × 0.2 + 0.3 × 0.25 + 0.2/3 = 0.241667 → £241.67
    // Floors 366 + 391 + 241 = 998; the two spare pounds go to the largest remainders, all
    // 0.67, so by order to A and B.
    const [a, b, c] = outcome.units;
    expect(a?.components).toMatchObject({ need: 0.6, gap: 0, equal: 1 / 3 });
    expect(b?.terms.gap).toBeCloseTo(225, 9);
    expect(a?.formulaShare).toBeCloseTo(0.3 + 0.2 / 3, 12);
    expect(b?.formulaShare).toBeCloseTo(0.1 + 0.225 + 0.2 / 3, 12);
    expect(c?.formulaShare).toBeCloseTo(0.1 + 0.075 + 0.2 / 3, 12);
    expect(outcome.units.map((u) => u.amount)).toEqual([367, 392, 241]);
    expect(outcome.totals).toMatchObject({ amount: 1000, gap: 4, population: 500 });
    expect(a?.damping).toBeNull();
    expect(outcome.notes).toEqual([]);
  });

  it('moves the gap weight to need when no unit is short of target, and says so', () => {
    // Prepare
    const noGap = units.map((unit) => ({ ...unit, gap: 0 }));

    // Act
    const outcome = allocate(noGap, {
      budget: 1000,
      roundTo: 1,
      weights: { need: 0.5, gap: 0.5, equal: 0 },
      ageWeights: flat,
      deprivation: { beta: 0 },
    });

    // Assess: all by need, 3:1:1 → 600, 200, 200.
    expect(outcome.appliedWeights).toEqual({ need: 1, gap: 0, equal: 0 });
    expect(outcome.units.map((u) => u.amount)).toEqual([600, 200, 200]);
    expect(outcome.notes[0]).toMatch(/No unit was short of target/);
  });

  it('caps each change at ±x% of the previous allocation scaled to the new budget', () => {
    // Prepare: previous 500/300/200 (Σ 1,000), budget doubled to 2,000, so baselines are
    // 1,000/600/400 and a ±5% cap allows A 950–1,050, B 570–630, C 380–420. All by need with
    // equal need: the formula gives 666.67 each.
    const equalNeed = units.map((unit, i) => ({
      ...unit,
      population: population({ '3': { '40-44': 100 } }),
      previous: [500, 300, 200][i] ?? 0,
    }));

    // Act
    const outcome = allocate(equalNeed, {
      budget: 2000,
      roundTo: 1,
      weights: { need: 1, gap: 0, equal: 0 },
      ageWeights: flat,
      deprivation: { beta: 0 },
      maxChange: 0.05,
    });

    // Assess: A is held up at 950, B and C capped at 630 and 420: 950 + 630 + 420 = 2,000.
    const [a, b, c] = outcome.units;
    expect(a?.damping).toMatchObject({ previous: 500, baseline: 1000, limitedBy: 'lower' });
    expect(a?.damping?.lower).toBeCloseTo(950, 9);
    expect(b?.damping?.limitedBy).toBe('upper');
    expect(c?.damping?.limitedBy).toBe('upper');
    expect(outcome.units.map((u) => u.amount)).toEqual([950, 630, 420]);
    expect(a?.beforeDamping).toBeCloseTo(2000 / 3, 9);
  });

  it('refuses damping without a previous amount for every unit', () => {
    expect(() =>
      allocate(units, {
        budget: 1000,
        roundTo: 1,
        weights: { need: 1, gap: 0, equal: 0 },
        ageWeights: flat,
        deprivation: { beta: 0 },
        maxChange: 0.1,
      }),
    ).toThrow(FundingInputError);
  });
});
