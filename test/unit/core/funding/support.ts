import {
  emptyPopulation,
  type PopulationMatrix,
  type PopulationQuintile,
} from '../../../../lambdas/core/funding';
import { AGE_BANDS, type AgeBand, type AgeWeights } from '../../../../lambdas/core/funding-config';

/** A population from sparse cells: { '1': { '0-4': 100 }, '5': { '90+': 50 } }. */
export function population(
  cells: Partial<Record<PopulationQuintile, Partial<Record<AgeBand, number>>>>,
): PopulationMatrix {
  const matrix = emptyPopulation();
  for (const [quintile, bands] of Object.entries(cells) as [
    PopulationQuintile,
    Partial<Record<AgeBand, number>>,
  ][]) {
    for (const [band, count] of Object.entries(bands) as [AgeBand, number][]) {
      matrix[quintile][AGE_BANDS.indexOf(band)] = count;
    }
  }
  return matrix;
}

/** Age weights: the given bands, every other band `rest`. */
export function ageWeights(given: Partial<Record<AgeBand, number>>, rest = 0): AgeWeights {
  return Object.fromEntries(AGE_BANDS.map((band) => [band, given[band] ?? rest])) as AgeWeights;
}

/** Small, fast, seedable PRNG (mulberry32), so property tests replay exactly. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
