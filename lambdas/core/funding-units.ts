import type { Place } from './config';
import {
  addPopulation,
  emptyPopulation,
  type PopulationMatrix,
  type PopulationQuintile,
} from './funding';
import { ALL_TRUSTS, type PerformanceResult, type PerformanceRow } from './performance';

/**
 * What the allocation method needs per unit, from the reference population and the stored
 * aggregates: each place's population, each trust's catchment population and each unit's
 * performance gap.
 */

export type FundingUnitKind = 'place' | 'trust';

/** Population of each configured place: the sum over its local authorities. */
export function placePopulations(
  places: readonly Place[],
  byLocalAuthority: ReadonlyMap<string, PopulationMatrix>,
): { populations: Map<string, PopulationMatrix>; missingLocalAuthorities: string[] } {
  const populations = new Map<string, PopulationMatrix>();
  const missingLocalAuthorities: string[] = [];
  for (const place of places) {
    const total = emptyPopulation();
    for (const la of place.localAuthorities) {
      const population = byLocalAuthority.get(la);
      if (population) addPopulation(total, population);
      else missingLocalAuthorities.push(la);
    }
    populations.set(place.id, total);
  }
  return { populations, missingLocalAuthorities };
}

export interface PlaceCatchment {
  readonly place: string;
  /** Patients of the place counted by the catchment standard over the window, all trusts. */
  readonly patients: number;
  /** Trust → share of the place's patients (sums to 1). */
  readonly shares: Readonly<Record<string, number>>;
  /** True when the place had no patients, so its population is split equally. */
  readonly equalFallback: boolean;
}

/**
 * Which trusts serve each place: a trust's share of the place's patients (the `total` of the
 * catchment standard's `place` breakdown, every month of the window). A place with no patients in
 * the window is split equally between the trusts, so its residents still count somewhere.
 *
 * @param rows buildPerformance rows broken down by place, unsuppressed
 */
export function placeCatchments(
  trusts: readonly string[],
  places: readonly string[],
  rows: readonly PerformanceRow[],
): PlaceCatchment[] {
  const patients = new Map<string, number>();
  for (const row of rows) {
    if (row.trust === ALL_TRUSTS || row.group === null || !trusts.includes(row.trust)) continue;
    const key = `${row.group}|${row.trust}`;
    patients.set(key, (patients.get(key) ?? 0) + (row.total ?? 0));
  }
  return places.map((place) => {
    const counts = trusts.map((trust) => patients.get(`${place}|${trust}`) ?? 0);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const shares = Object.fromEntries(
      trusts.map((trust, i) => [trust, total > 0 ? (counts[i] ?? 0) / total : 1 / trusts.length]),
    );
    return { place, patients: total, shares, equalFallback: !(total > 0) };
  });
}

/** Each trust's catchment population: Σ over places of place population × the trust's share. */
export function trustPopulations(
  trusts: readonly string[],
  catchments: readonly PlaceCatchment[],
  populations: ReadonlyMap<string, PopulationMatrix>,
): Map<string, PopulationMatrix> {
  const result = new Map<string, PopulationMatrix>();
  for (const trust of trusts) {
    const total: Record<PopulationQuintile, number[]> = emptyPopulation();
    for (const catchment of catchments) {
      const population = populations.get(catchment.place);
      const share = catchment.shares[trust] ?? 0;
      if (population && share > 0) addPopulation(total, population, share);
    }
    result.set(trust, total);
  }
  return result;
}

export interface GapLine {
  readonly standard: string;
  readonly period: string;
  readonly within: number;
  readonly total: number;
  /** Target in force that month; null when the config has none (no shortfall counted). */
  readonly target: number | null;
  /** max(0, target × total − within): patients who would have to move to meet the target. */
  readonly shortfall: number;
}

const snap = (value: number) => Math.round(value * 1e9) / 1e9;

/** Patients short of target, month by month, for one unit's performance row. */
export function shortfallOf(row: PerformanceRow, standard: string): GapLine {
  const within = row.within ?? 0;
  const total = row.total ?? 0;
  const target = row.target;
  const shortfall = target === null ? 0 : Math.max(0, snap(target * total - within));
  return { standard, period: row.period, within, total, target, shortfall };
}

/**
 * The gap lines of every unit from unsuppressed performance results: for places the alliance-wide
 * rows of the `place` breakdown (all trusts' patients resident in the place), for trusts their
 * headline rows. Months without activity have no row and add nothing.
 */
export function gapLines(
  kind: FundingUnitKind,
  unitIds: readonly string[],
  results: readonly PerformanceResult[],
): Map<string, GapLine[]> {
  const lines = new Map<string, GapLine[]>(unitIds.map((id) => [id, []]));
  for (const result of results) {
    for (const row of result.rows) {
      const unit =
        kind === 'place'
          ? row.trust === ALL_TRUSTS
            ? row.group
            : null
          : row.trust !== ALL_TRUSTS && row.group === null
            ? row.trust
            : null;
      if (unit === null) continue;
      lines.get(unit)?.push(shortfallOf(row, result.standard));
    }
  }
  return lines;
}

export function totalShortfall(lines: readonly GapLine[]): number {
  return snap(lines.reduce((sum, line) => sum + line.shortfall, 0));
}
