import type { AllianceConfig } from './config';
import {
  type AllocationOutcome,
  allocate,
  type BlendWeights,
  emptyPopulation,
  FundingInputError,
  type FundingUnit,
  type PopulationMatrix,
  populationTotal,
  type UnitAllocation,
} from './funding';
import type { AgeWeights, DeprivationRule, FundingConfig, FundingStandard } from './funding-config';
import { explainAllocation } from './funding-explain';
import type { FundingRequest } from './funding-request';
import {
  type FundingUnitKind,
  type GapLine,
  gapLines,
  type PlaceCatchment,
  placeCatchments,
  placePopulations,
  totalShortfall,
  trustPopulations,
} from './funding-units';
import { buildPerformance, type PerformanceContribution } from './performance';
import { periodsBetween } from './periods';
import type { ImdEdition } from './reference';

/**
 * One funding decision, as computed, returned and stored for audit: the request, every
 * parameter in force (defaults filled in), each unit's terms, the inputs' provenance and a
 * plain-English account. Pure: the caller loads the population, the aggregates and any previous
 * allocation, and supplies the id, clock and identity.
 */

export const FUNDING_METHOD = 'Domain brief §5.2 transparent allocation, version 1';

export interface SourceFile {
  readonly file: string;
  readonly rows: number;
  readonly url?: string;
  readonly sha256?: string;
  readonly downloadedAt?: string;
}

/** Where the population and its geography came from (see lambdas/adapters/population-data). */
export interface PopulationProvenance {
  readonly population: SourceFile & {
    readonly edition: string;
    readonly geography: 'LSOA 2011';
    readonly total: number;
  };
  readonly imd: SourceFile & { readonly edition: ImdEdition; readonly method: string };
  readonly lookup: SourceFile & { readonly localAuthorities: string };
  /** LSOAs (and people) that could not be placed in a local authority or an IMD quintile. */
  readonly unmatched: {
    readonly withoutLocalAuthority: { readonly lsoas: number; readonly population: number };
    readonly withoutImd: { readonly lsoas: number; readonly population: number };
  };
}

export interface PopulationInput {
  readonly imdEdition: ImdEdition;
  readonly byLocalAuthority: ReadonlyMap<string, PopulationMatrix>;
  readonly provenance: PopulationProvenance;
}

/** A stored contribution with the submission it belongs to (for provenance). */
export interface SourcedContribution extends PerformanceContribution {
  readonly submissionId: string;
  readonly submittingTrust: string;
}

export interface PreviousAllocation {
  /** Set when the previous amounts come from a saved allocation. */
  readonly allocationId?: string;
  readonly unit?: FundingUnitKind;
  readonly amounts: Readonly<Record<string, number>>;
}

export interface AllocationInput {
  readonly allocationId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly request: FundingRequest;
  readonly config: AllianceConfig;
  readonly funding: FundingConfig;
  /** SHA-256 of the alliance config as the function received it. */
  readonly configSha256: string;
  readonly population: PopulationInput;
  readonly contributions: readonly SourcedContribution[];
  readonly previous?: PreviousAllocation;
}

export interface UnitResult extends UnitAllocation {
  /** Patients short of target by standard, over the window. */
  readonly gapByStandard: Readonly<Record<string, number>>;
  /** Month-by-month shortfalls that add up to `gap`. */
  readonly gapLines: readonly GapLine[];
  /** The unit's amount in the previous allocation, when one was given. */
  readonly previousAmount: number | null;
}

export interface AllocationParameters {
  readonly budget: number;
  readonly unit: FundingUnitKind;
  readonly window: { readonly from: string; readonly to: string };
  readonly standards: readonly FundingStandard[];
  readonly weights: BlendWeights;
  readonly appliedWeights: BlendWeights;
  readonly ageWeights: {
    readonly weights: AgeWeights;
    readonly source: string;
    readonly verified: boolean;
  };
  readonly deprivation: DeprivationRule;
  readonly imdEdition: ImdEdition;
  readonly roundTo: number;
  readonly damping: { readonly maxChange: number } | null;
  readonly previous: { readonly allocationId: string | null } | null;
  /** Trust units only: whose patients define the catchments. */
  readonly catchmentStandard: FundingStandard | null;
}

export interface AllocationDocument {
  readonly allocationId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly label: string | null;
  readonly method: string;
  readonly request: FundingRequest;
  readonly parameters: AllocationParameters;
  readonly units: readonly UnitResult[];
  readonly totals: AllocationOutcome['totals'];
  /** Trust units only: how each place's population was shared between trusts. */
  readonly catchments: readonly PlaceCatchment[] | null;
  readonly provenance: {
    readonly population: PopulationProvenance;
    readonly aggregates: {
      readonly periods: readonly string[];
      readonly periodsWithData: readonly string[];
      /** The current submissions whose figures were used. */
      readonly submissions: readonly {
        readonly period: string;
        readonly trust: string;
        readonly submissionId: string;
      }[];
    };
    readonly config: {
      readonly name: string;
      readonly code: string;
      readonly sha256: string;
    };
  };
  readonly explanation: readonly string[];
  readonly notes: readonly string[];
}

/** Presentation rounding: pence for money, 1e-6 for people, 1e-9 for fractions. */
const round = (value: number, places: number) => {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
};

function presentUnit(unit: UnitAllocation): UnitAllocation {
  return {
    ...unit,
    population: round(unit.population, 6),
    needWeightedPopulation: round(unit.needWeightedPopulation, 6),
    core20Share: round(unit.core20Share, 9),
    core20PopulationShare: round(unit.core20PopulationShare, 9),
    deprivationFactor: round(unit.deprivationFactor, 9),
    deprivationAdjustedNeed: round(unit.deprivationAdjustedNeed, 6),
    components: {
      need: round(unit.components.need, 9),
      gap: round(unit.components.gap, 9),
      equal: round(unit.components.equal, 9),
    },
    terms: {
      need: round(unit.terms.need, 2),
      gap: round(unit.terms.gap, 2),
      equal: round(unit.terms.equal, 2),
    },
    formulaShare: round(unit.formulaShare, 9),
    beforeDamping: round(unit.beforeDamping, 2),
    damping: unit.damping && {
      ...unit.damping,
      baseline: round(unit.damping.baseline, 2),
      lower: round(unit.damping.lower, 2),
      upper: round(unit.damping.upper, 2),
    },
    afterDamping: round(unit.afterDamping, 2),
    share: round(unit.share, 9),
  };
}

/** The previous amounts in unit order, checked against the units being allocated. */
function previousAmounts(
  previous: PreviousAllocation,
  kind: FundingUnitKind,
  ids: readonly string[],
): number[] {
  if (previous.unit && previous.unit !== kind) {
    throw new FundingInputError(
      `The previous allocation ${previous.allocationId ?? ''} was by ${previous.unit}, ` +
        `not ${kind}.`,
    );
  }
  const named = Object.keys(previous.amounts);
  const unknown = named.filter((id) => !ids.includes(id));
  const missing = ids.filter((id) => !named.includes(id));
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    throw new FundingInputError(
      `The previous allocation must name exactly the ${kind}s being allocated ` +
        `(${parts.join('; ')}).`,
    );
  }
  return ids.map((id) => previous.amounts[id] ?? 0);
}

/** Computes one allocation from its loaded inputs. */
export function computeAllocation(input: AllocationInput): AllocationDocument {
  const { request, config, funding, population } = input;
  const kind: FundingUnitKind = request.unit;
  const { from, to } = request.window;
  const standards = request.standards ?? funding.gapStandards;
  const roundTo = request.roundTo ?? funding.roundTo;
  if (request.budget % roundTo !== 0) {
    throw new FundingInputError(
      `The budget (${request.budget}) must be a whole multiple of the rounding unit (${roundTo}).`,
    );
  }
  if (population.imdEdition !== (request.imdEdition ?? config.rules.imdEdition)) {
    throw new FundingInputError('The population was loaded for another IMD edition.');
  }
  const ageWeights = request.ageWeights
    ? { weights: request.ageWeights, source: 'Given in the request', verified: false }
    : funding.ageWeights;
  const deprivation = request.deprivation ?? funding.deprivation;
  const notes: string[] = [];

  const performance = (standard: FundingStandard, by?: 'place') =>
    buildPerformance({
      standard,
      from,
      to,
      ...(by ? { by } : {}),
      contributions: input.contributions,
      config,
      // Internal arithmetic on alliance totals: small-number suppression applies to what is
      // published, and the response shows only unit-level sums over the whole window.
      disclosure: 'full',
    });

  const places = config.places;
  const { populations, missingLocalAuthorities } = placePopulations(
    places,
    population.byLocalAuthority,
  );
  if (missingLocalAuthorities.length > 0) {
    notes.push(
      `No population was found for local authorities ${missingLocalAuthorities.join(', ')}.`,
    );
  }
  const trusts = config.trusts.map((trust) => trust.ods);
  let catchments: PlaceCatchment[] | null = null;
  let unitPopulations: ReadonlyMap<string, PopulationMatrix>;
  let unitList: { id: string; name: string }[];
  if (kind === 'place') {
    if (places.length === 0) throw new FundingInputError('The alliance config has no places.');
    unitList = places.map((place) => ({ id: place.id, name: place.name }));
    unitPopulations = populations;
  } else {
    const rows = performance(funding.catchmentStandard, 'place').rows;
    catchments = placeCatchments(
      trusts,
      places.map((place) => place.id),
      rows,
    );
    const peopled = (place: string) => {
      const people = populations.get(place);
      return people !== undefined && populationTotal(people) > 0;
    };
    for (const catchment of catchments.filter((c) => c.equalFallback && peopled(c.place))) {
      notes.push(
        `${placeName(config, catchment.place)} had no ${funding.catchmentStandard} patients in ` +
          `${from}–${to}, so its population was shared equally between the trusts.`,
      );
    }
    unitList = config.trusts.map((trust) => ({
      id: trust.ods,
      name: trust.shortName ?? trust.name,
    }));
    unitPopulations = trustPopulations(trusts, catchments, populations);
  }

  const ids = unitList.map((unit) => unit.id);
  const lines = new Map<string, GapLine[]>(ids.map((id) => [id, []]));
  for (const standard of standards) {
    const result = performance(standard, kind === 'place' ? 'place' : undefined);
    for (const [id, unitLines] of gapLines(kind, ids, [result])) lines.get(id)?.push(...unitLines);
  }
  const previous = input.previous ? previousAmounts(input.previous, kind, ids) : undefined;

  const units: FundingUnit[] = unitList.map((unit, i) => ({
    id: unit.id,
    name: unit.name,
    population: unitPopulations.get(unit.id) ?? emptyPopulation(),
    gap: totalShortfall(lines.get(unit.id) ?? []),
    ...(previous ? { previous: previous[i] ?? 0 } : {}),
  }));
  const outcome = allocate(units, {
    budget: request.budget,
    roundTo,
    weights: request.weights,
    ageWeights: ageWeights.weights,
    deprivation,
    ...(request.damping ? { maxChange: request.damping.maxChange } : {}),
  });

  const results: UnitResult[] = outcome.units.map((unit, i) => {
    const unitLines = lines.get(unit.id) ?? [];
    const gapByStandard: Record<string, number> = {};
    for (const standard of standards) {
      gapByStandard[standard] = totalShortfall(unitLines.filter((l) => l.standard === standard));
    }
    return {
      ...presentUnit(unit),
      gapByStandard,
      gapLines: unitLines,
      previousAmount: previous ? (previous[i] ?? 0) : null,
    };
  });

  const periods = periodsBetween(from, to);
  const used = input.contributions.filter((c) => c.period >= from && c.period <= to);
  const submissions = [
    ...new Map(
      used.map((c) => [
        `${c.period}|${c.submissionId}`,
        { period: c.period, trust: c.submittingTrust, submissionId: c.submissionId },
      ]),
    ).values(),
  ].sort((a, b) => a.period.localeCompare(b.period) || a.trust.localeCompare(b.trust));
  const periodsWithData = periods.filter((period) => used.some((c) => c.period === period));
  if (periodsWithData.length < periods.length) {
    const empty = periods.filter((period) => !periodsWithData.includes(period));
    notes.push(`No accepted submissions for ${empty.join(', ')}: those months add no gap.`);
  }

  const parameters: AllocationParameters = {
    budget: request.budget,
    unit: kind,
    window: { from, to },
    standards,
    weights: request.weights,
    appliedWeights: outcome.appliedWeights,
    ageWeights,
    deprivation,
    imdEdition: population.imdEdition,
    roundTo,
    damping: request.damping ? { maxChange: request.damping.maxChange } : null,
    previous: input.previous ? { allocationId: input.previous.allocationId ?? null } : null,
    catchmentStandard: kind === 'trust' ? funding.catchmentStandard : null,
  };
  const document: Omit<AllocationDocument, 'explanation'> = {
    allocationId: input.allocationId,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    label: request.label ?? null,
    method: FUNDING_METHOD,
    request,
    parameters,
    units: results,
    totals: {
      population: round(outcome.totals.population, 6),
      needWeightedPopulation: round(outcome.totals.needWeightedPopulation, 6),
      deprivationAdjustedNeed: round(outcome.totals.deprivationAdjustedNeed, 6),
      gap: round(outcome.totals.gap, 9),
      amount: outcome.totals.amount,
    },
    catchments,
    provenance: {
      population: population.provenance,
      aggregates: { periods, periodsWithData, submissions },
      config: { name: config.name, code: config.code, sha256: input.configSha256 },
    },
    notes: [...outcome.notes, ...notes],
  };
  return { ...document, explanation: explainAllocation(document, config) };
}

function placeName(config: AllianceConfig, id: string): string {
  return config.places.find((place) => place.id === id)?.name ?? id;
}
