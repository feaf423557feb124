import { describe, expect, it } from 'vitest';
import {
  type AllocationSettings,
  allocate,
  emptyPopulation,
  type FundingUnit,
  POPULATION_QUINTILES,
  type PopulationMatrix,
} from '../../../../lambdas/core/funding';
import {
  AGE_BANDS,
  type AgeWeights,
  DEFAULT_AGE_WEIGHTS,
  type DeprivationRule,
} from '../../../../lambdas/core/funding-config';
import { seeded } from './support';

/**
 * Properties of the method over many random pots (seeded, so a failure replays): exact totals,
 * monotonicity in need and gap, scale invariance of populations, and damping bounds.
 */

const CASES = 300;

type Random = () => number;
const int = (r: Random, low: number, high: number) => low + Math.floor(r() * (high - low + 1));
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, 0, items.length - 1)] as T;

function randomPopulation(r: Random): PopulationMatrix {
  const matrix = emptyPopulation();
  const cells = int(r, 0, 12);
  for (let i = 0; i < cells; i += 1) {
    const quintile = pick(r, POPULATION_QUINTILES);
    matrix[quintile][int(r, 0, AGE_BANDS.length - 1)] = int(r, 1, 20_000);
  }
  return matrix;
}

function randomWeights(r: Random) {
  const raw = [r(), r() < 0.2 ? 0 : r(), r() < 0.4 ? 0 : r()];
  const total = raw.reduce((sum, x) => sum + x, 0);
  const [need, gap, equal] = raw.map((x) => x / total) as [number, number, number];
  return { need, gap, equal };
}

function randomAgeWeights(r: Random): AgeWeights {
  if (r() < 0.5) return DEFAULT_AGE_WEIGHTS;
  return Object.fromEntries(
    AGE_BANDS.map((band) => [band, r() < 0.2 ? 0 : Math.round(r() * 400) / 100]),
  ) as AgeWeights;
}

function randomDeprivation(r: Random): DeprivationRule {
  if (r() < 0.5) return { beta: Math.round(r() * 100) / 100 };
  const m = () => 0.5 + Math.round(r() * 100) / 100;
  return { multipliers: { '1': m(), '2': m(), '3': m(), '4': m(), '5': m() } };
}

function randomPot(
  r: Random,
  damping: boolean,
): { units: FundingUnit[]; settings: AllocationSettings } {
  const count = int(r, 1, 9);
  const units = Array.from({ length: count }, (_, i) => ({
    id: `u${i}`,
    name: `Unit ${i}`,
    population: randomPopulation(r),
    gap: r() < 0.3 ? 0 : Math.round(r() * 20_000) / 100,
    ...(damping ? { previous: int(r, 1, 500_000) } : {}),
  }));
  const roundTo = pick(r, [1, 1, 10, 100, 1000]);
  const settings: AllocationSettings = {
    budget: roundTo * int(r, count, 2_000_000 / roundTo),
    roundTo,
    weights: randomWeights(r),
    ageWeights: randomAgeWeights(r),
    deprivation: randomDeprivation(r),
    ...(damping ? { maxChange: pick(r, [0, 0.01, 0.05, 0.1, 0.25, 1]) } : {}),
  };
  return { units, settings };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('funding allocation properties', () => {
  it('always spends exactly the budget, in whole multiples of the rounding unit', () => {
    const r = seeded(20260601);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare
      const { units, settings } = randomPot(r, n % 2 === 0);

      // Act
      const outcome = allocate(units, settings);

      // Assess
      const amounts = outcome.units.map((unit) => unit.amount);
      expect(sum(amounts), `case ${n}`).toBe(settings.budget);
      for (const amount of amounts) {
        expect(amount % settings.roundTo, `case ${n}`).toBe(0);
        expect(amount, `case ${n}`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('never lowers a unit’s share when its need grows, all else equal', () => {
    const r = seeded(1971);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare: the same pot with more people in one band of one unit.
      const { units, settings } = randomPot(r, false);
      const target = int(r, 0, units.length - 1);
      const grown = structuredClone(units[target]?.population) as PopulationMatrix;
      const quintile = pick(r, POPULATION_QUINTILES);
      const band = int(r, 0, AGE_BANDS.length - 1);
      (grown[quintile] as number[])[band] = (grown[quintile][band] ?? 0) + int(r, 1, 50_000);
      const more = units.map((unit, i) => (i === target ? { ...unit, population: grown } : unit));

      // Act
      const before = allocate(units, settings).units[target];
      const after = allocate(more, settings).units[target];

      // Assess
      expect(after?.formulaShare, `case ${n}`).toBeGreaterThanOrEqual(
        (before?.formulaShare ?? 0) - 1e-12,
      );
      expect(after?.amount, `case ${n}`).toBeGreaterThanOrEqual(before?.amount ?? 0);
    }
  });

  it('never lowers a unit’s share when its gap grows, all else equal', () => {
    const r = seeded(2718);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare
      const { units, settings } = randomPot(r, false);
      const target = int(r, 0, units.length - 1);
      const wider = units.map((unit, i) =>
        i === target ? { ...unit, gap: unit.gap + int(r, 1, 500) } : unit,
      );

      // Act
      const before = allocate(units, settings).units[target];
      const after = allocate(wider, settings).units[target];

      // Assess
      expect(after?.formulaShare, `case ${n}`).toBeGreaterThanOrEqual(
        (before?.formulaShare ?? 0) - 1e-12,
      );
      expect(after?.amount, `case ${n}`).toBeGreaterThanOrEqual(before?.amount ?? 0);
    }
  });

  it('never lowers a damped amount when need or gap grows, all else equal', () => {
    const r = seeded(4242);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare
      const { units, settings } = randomPot(r, true);
      const target = int(r, 0, units.length - 1);
      const grown = structuredClone(units[target]?.population) as PopulationMatrix;
      const band = int(r, 0, AGE_BANDS.length - 1);
      (grown['1'] as number[])[band] = (grown['1'][band] ?? 0) + int(r, 1, 50_000);
      const wider = units.map((unit, i) =>
        i !== target
          ? unit
          : n % 2 === 0
            ? { ...unit, gap: unit.gap + int(r, 1, 500) }
            : { ...unit, population: grown },
      );

      // Act
      const before = allocate(units, settings).units[target];
      const after = allocate(wider, settings).units[target];

      // Assess: on the damped pounds (before whole-unit rounding), to a millionth of the budget.
      expect(after?.afterDamping, `case ${n}`).toBeGreaterThanOrEqual(
        (before?.afterDamping ?? 0) - 1e-6 * settings.budget,
      );
    }
  });

  it('leaves every share unchanged when every population is scaled by the same factor', () => {
    const r = seeded(314159);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare: powers of two scale floating-point numbers exactly.
      const { units, settings } = randomPot(r, n % 2 === 0);
      const factor = pick(r, [0.25, 0.5, 2, 8, 1024]);
      const scaled = units.map((unit) => ({
        ...unit,
        population: Object.fromEntries(
          POPULATION_QUINTILES.map((q) => [q, unit.population[q].map((x) => x * factor)]),
        ) as unknown as PopulationMatrix,
      }));

      // Act
      const before = allocate(units, settings);
      const after = allocate(scaled, settings);

      // Assess
      after.units.forEach((unit, i) => {
        expect(unit.formulaShare, `case ${n}`).toBeCloseTo(before.units[i]?.formulaShare ?? 0, 12);
        expect(unit.amount, `case ${n}`).toBe(before.units[i]?.amount);
      });
    }
  });

  it('keeps damped amounts within ±x% of the scaled previous allocation', () => {
    const r = seeded(8128);
    for (let n = 0; n < CASES; n += 1) {
      // Prepare
      const { units, settings } = randomPot(r, true);
      const previousTotal = sum(units.map((unit) => unit.previous ?? 0));
      const x = settings.maxChange ?? 0;

      // Act
      const outcome = allocate(units, settings);

      // Assess: baseline = previous × budget / Σ previous; damped pounds inside the band (to a
      // billionth of the budget), whole amounts too unless rounding had to relax (then by less
      // than one rounding unit).
      const slack = 1e-9 * settings.budget;
      outcome.units.forEach((unit, i) => {
        const baseline = ((units[i]?.previous ?? 0) * settings.budget) / previousTotal;
        const [lower, upper] = [baseline * (1 - x), baseline * (1 + x)];
        expect(unit.afterDamping, `case ${n}`).toBeGreaterThanOrEqual(lower - slack);
        expect(unit.afterDamping, `case ${n}`).toBeLessThanOrEqual(upper + slack);
        const give = outcome.dampingRelaxedByRounding ? settings.roundTo : 0;
        expect(unit.amount, `case ${n}`).toBeGreaterThanOrEqual(lower - give - slack);
        expect(unit.amount, `case ${n}`).toBeLessThanOrEqual(upper + give + slack);
      });
    }
  });
});
