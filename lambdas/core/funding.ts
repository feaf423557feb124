import { ValidationError } from './errors';
import {
  AGE_BANDS,
  type AgeWeights,
  type DeprivationRule,
  IMD_QUINTILES,
  type ImdQuintile,
} from './funding-config';
import { type DampingBounds, type DampingLimit, damp, dampingBounds } from './funding-damping';
import { roundToUnit } from './funding-rounding';

/**
 * The transparent allocation method of domain brief §5.2, as pure arithmetic:
 *
 *   N_u = Σ_q Σ_a pop_u,q,a × w_a                         need-weighted population
 *   D_u = N_u × (1 + β × core20Share_u)   or   Σ_q N_u,q × m_q   deprivation-adjusted need
 *   G_u = Σ_standards Σ_months max(0, target × total − within)     performance gap (patients)
 *   s_u = a × D_u / ΣD + b × G_u / ΣG + c / n                       formula share, a + b + c = 1
 *   then optional damping (±x% of the previous allocation) and whole-unit rounding to the budget.
 *
 * Nothing here reads data; callers pass populations and gaps (see funding-units.ts).
 */

/** Population rows: national IMD quintile of the LSOA, or `unknown` when it has none. */
export const POPULATION_QUINTILES = [...IMD_QUINTILES, 'unknown'] as const;
export type PopulationQuintile = (typeof POPULATION_QUINTILES)[number];

/** Headcounts by IMD quintile × age band (arrays aligned with AGE_BANDS). */
export type PopulationMatrix = Readonly<Record<PopulationQuintile, readonly number[]>>;

export function emptyPopulation(): Record<PopulationQuintile, number[]> {
  return Object.fromEntries(POPULATION_QUINTILES.map((q) => [q, AGE_BANDS.map(() => 0)])) as Record<
    PopulationQuintile,
    number[]
  >;
}

/** Adds `factor × source` into `target` (in place). */
export function addPopulation(
  target: Record<PopulationQuintile, number[]>,
  source: PopulationMatrix,
  factor = 1,
): void {
  for (const q of POPULATION_QUINTILES) {
    const row = target[q];
    source[q].forEach((count, band) => {
      row[band] = (row[band] ?? 0) + factor * count;
    });
  }
}

export function populationTotal(population: PopulationMatrix): number {
  let total = 0;
  for (const q of POPULATION_QUINTILES) for (const count of population[q]) total += count;
  return total;
}

export interface BlendWeights {
  /** a: deprivation-adjusted need. */
  readonly need: number;
  /** b: performance gap. */
  readonly gap: number;
  /** c: equal share. */
  readonly equal: number;
}

export interface FundingUnit {
  readonly id: string;
  readonly name: string;
  readonly population: PopulationMatrix;
  /** Patients short of target (G_u). */
  readonly gap: number;
  /** The unit's amount in the previous allocation (damping only). */
  readonly previous?: number;
}

export interface AllocationSettings {
  /** Pounds; a whole multiple of `roundTo`. */
  readonly budget: number;
  readonly roundTo: number;
  readonly weights: BlendWeights;
  readonly ageWeights: AgeWeights;
  readonly deprivation: DeprivationRule;
  /** Cap on the change from the previous allocation, as a fraction (0.05 = ±5%). */
  readonly maxChange?: number;
}

export interface NeedTerms {
  /** Headcount. */
  readonly population: number;
  /** N_u. */
  readonly needWeightedPopulation: number;
  /**
   * Share of the need-weighted population living in national IMD quintile 1 (Core20). Need-
   * weighted rather than a headcount share so that D = N + β × N_Q1 only grows when people are
   * added: a headcount share would fall when low-need residents (e.g. children) outside quintile
   * 1 are added, and could lower a unit's need.
   */
  readonly core20Share: number;
  /** Share of the headcount living in quintile 1 (for information; not used in the formula). */
  readonly core20PopulationShare: number;
  /** D_u / N_u. */
  readonly deprivationFactor: number;
  /** D_u. */
  readonly deprivationAdjustedNeed: number;
}

export interface UnitAllocation extends NeedTerms {
  readonly id: string;
  readonly name: string;
  /** G_u. */
  readonly gap: number;
  /** Each component's own split: D_u/ΣD, G_u/ΣG and 1/n. */
  readonly components: { readonly need: number; readonly gap: number; readonly equal: number };
  /** Each term of the formula in pounds: weight × component × budget. */
  readonly terms: { readonly need: number; readonly gap: number; readonly equal: number };
  /** s_u. */
  readonly formulaShare: number;
  /** s_u × budget. */
  readonly beforeDamping: number;
  readonly damping: (DampingBounds & { readonly limitedBy: DampingLimit }) | null;
  /** Pounds after damping, before rounding (equal to beforeDamping without damping). */
  readonly afterDamping: number;
  /** Whole pounds, a multiple of the rounding unit. */
  readonly amount: number;
  /** amount / budget. */
  readonly share: number;
}

export interface AllocationOutcome {
  readonly units: UnitAllocation[];
  /** The blend weights actually applied (see notes when they differ from the request). */
  readonly appliedWeights: BlendWeights;
  readonly totals: {
    readonly population: number;
    readonly needWeightedPopulation: number;
    readonly deprivationAdjustedNeed: number;
    readonly gap: number;
    readonly amount: number;
  };
  /** True when rounding had to cross a damping cap by less than one rounding unit. */
  readonly dampingRelaxedByRounding: boolean;
  readonly notes: string[];
}

/** Why a request cannot be computed from its inputs: a 400 that says why. */
export class FundingInputError extends ValidationError {
  constructor(message: string) {
    super(`Invalid request: ${message}`, 'FUNDING_INPUT_INVALID');
    this.name = 'FundingInputError';
  }
}

/** N, Core20 share and D of one population. */
export function needOf(
  population: PopulationMatrix,
  ageWeights: AgeWeights,
  deprivation: DeprivationRule,
): NeedTerms {
  const weighted = (q: PopulationQuintile) =>
    population[q].reduce((sum, count, band) => {
      const ageBand = AGE_BANDS[band];
      return ageBand === undefined ? sum : sum + count * ageWeights[ageBand];
    }, 0);
  const byQuintile = Object.fromEntries(
    POPULATION_QUINTILES.map((q) => [q, weighted(q)]),
  ) as Record<PopulationQuintile, number>;
  const need = POPULATION_QUINTILES.reduce((sum, q) => sum + byQuintile[q], 0);
  const headcount = populationTotal(population);
  const core20People = population['1'].reduce((sum, count) => sum + count, 0);
  const core20Share = need > 0 ? byQuintile['1'] / need : 0;
  const adjusted =
    'beta' in deprivation
      ? need * (1 + deprivation.beta * core20Share)
      : // LSOAs without a quintile keep their need unchanged (multiplier 1).
        IMD_QUINTILES.reduce(
          (sum, q: ImdQuintile) => sum + byQuintile[q] * deprivation.multipliers[q],
          byQuintile.unknown,
        );
  return {
    population: headcount,
    needWeightedPopulation: need,
    core20Share,
    core20PopulationShare: headcount > 0 ? core20People / headcount : 0,
    deprivationFactor: need > 0 ? adjusted / need : 1,
    deprivationAdjustedNeed: adjusted,
  };
}

/**
 * Splits the budget across the units. Degenerate pots are handled openly (and noted): when no
 * unit has any need the need weight goes to equal shares; when no unit is short of target the gap
 * weight goes to need (or, with no need either, to equal shares).
 */
export function allocate(
  units: readonly FundingUnit[],
  settings: AllocationSettings,
): AllocationOutcome {
  const { budget, roundTo } = settings;
  if (units.length === 0) throw new FundingInputError('There are no units to allocate to.');
  const notes: string[] = [];
  const needs = units.map((unit) =>
    needOf(unit.population, settings.ageWeights, settings.deprivation),
  );
  const totalNeed = sum(needs.map((n) => n.deprivationAdjustedNeed));
  const totalGap = sum(units.map((unit) => unit.gap));

  let { need: a, gap: b, equal: c } = settings.weights;
  if (b > 0 && !(totalGap > 0)) {
    notes.push(
      'No unit was short of target in the window, so the performance-gap weight was added to ' +
        (totalNeed > 0 ? 'the need weight.' : 'the equal-share weight.'),
    );
    if (totalNeed > 0) a += b;
    else c += b;
    b = 0;
  }
  if (a > 0 && !(totalNeed > 0)) {
    notes.push('No unit has any population, so the need weight was added to the equal share.');
    c += a;
    a = 0;
  }

  const n = units.length;
  const components = units.map((unit, i) => ({
    need: totalNeed > 0 ? (needs[i]?.deprivationAdjustedNeed ?? 0) / totalNeed : 0,
    gap: totalGap > 0 ? unit.gap / totalGap : 0,
    equal: 1 / n,
  }));
  const formulaShares = components.map((k) => a * k.need + b * k.gap + c * k.equal);
  const beforeDamping = formulaShares.map((share) => share * budget);

  let bounds: DampingBounds[] | null = null;
  let afterDamping = beforeDamping;
  let limitedBy: DampingLimit[] = units.map(() => null);
  if (settings.maxChange !== undefined) {
    const previous = units.map((unit) => unit.previous);
    if (previous.some((amount) => amount === undefined)) {
      throw new FundingInputError('Damping needs a previous amount for every unit.');
    }
    bounds = dampingBounds(previous as number[], budget, settings.maxChange);
    const damped = damp(beforeDamping, bounds, budget);
    afterDamping = damped.amounts;
    limitedBy = damped.limitedBy;
  }
  const rounded = roundToUnit(afterDamping, budget, roundTo, bounds ?? undefined);
  if (rounded.boundsRelaxed) {
    notes.push(
      `Whole multiples of £${roundTo} could not meet every damping cap exactly; some amounts ` +
        'cross their cap by less than one rounding unit.',
    );
  }

  const allocations = units.map((unit, i): UnitAllocation => {
    const k = components[i] ?? { need: 0, gap: 0, equal: 0 };
    const terms = needs[i] as NeedTerms;
    const amount = rounded.amounts[i] ?? 0;
    const unitBounds = bounds?.[i];
    return {
      id: unit.id,
      name: unit.name,
      ...terms,
      gap: unit.gap,
      components: k,
      terms: { need: a * k.need * budget, gap: b * k.gap * budget, equal: c * k.equal * budget },
      formulaShare: formulaShares[i] ?? 0,
      beforeDamping: beforeDamping[i] ?? 0,
      damping: unitBounds ? { ...unitBounds, limitedBy: limitedBy[i] ?? null } : null,
      afterDamping: afterDamping[i] ?? 0,
      amount,
      share: amount / budget,
    };
  });
  return {
    units: allocations,
    appliedWeights: { need: a, gap: b, equal: c },
    totals: {
      population: sum(needs.map((t) => t.population)),
      needWeightedPopulation: sum(needs.map((t) => t.needWeightedPopulation)),
      deprivationAdjustedNeed: totalNeed,
      gap: totalGap,
      amount: sum(rounded.amounts),
    },
    dampingRelaxedByRounding: rounded.boundsRelaxed,
    notes,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
