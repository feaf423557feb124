import type { OpenPathway } from './backlog';
import type { Standard, StoredStandard } from './config';
import type { Route, StandardOutcome } from './outcomes';

/**
 * A record after enrichment: deprivation, place and derived clocks, with every patient
 * identifier (NHS number, date of birth, postcode) dropped. This is what leaves the enrichment
 * step; nothing downstream ever sees an identifier.
 */
export interface EnrichedRecord {
  readonly row: number;
  readonly pathwayId: string;
  readonly route: Route;
  /** Suspected cancer type label (FDS) — from cancer_referral_type. */
  readonly suspectedCancerType: string;
  /** Treated cancer type label (31/62-day) — from the ICD-10 primary diagnosis. */
  readonly treatedCancerType: string;
  readonly ageBand: string;
  readonly sex: string;
  readonly ethnicGroup: string;
  readonly imdEdition: '2025' | '2019';
  readonly imdDecile: number | null;
  readonly imdQuintile: number | null;
  readonly core20: boolean | null;
  readonly lsoa21: string | null;
  readonly localAuthority: string | null;
  readonly place: string;
  /** 31-day modality group (domain brief §1.5) of the record's treatment. */
  readonly modalityGroup?: string;
  readonly outcomes: readonly StandardOutcome[];
  /** Set when the pathway is open on the 62-day PTL: it counts in the backlog. */
  readonly openPathway?: OpenPathway | null;
}

/** Breakdown dimensions the performance API accepts in `by`. */
export const DIMENSIONS = [
  'imdQuintile',
  'imdDecile',
  'core20',
  'ethnicity',
  'ageBand',
  'sex',
  'place',
  'route',
  'cancerType',
  'modality',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Treatment modality groups are published for 31 days only (domain brief §1.5). */
const MODALITY_STANDARDS: ReadonlySet<StoredStandard> = new Set<StoredStandard>(['31d']);
const DIMENSIONS_WITHOUT_MODALITY = DIMENSIONS.filter((d) => d !== 'modality');

/** The breakdown dimensions a stored standard is aggregated (and may be asked) by. */
export function dimensionsFor(standard: StoredStandard): readonly Dimension[] {
  return MODALITY_STANDARDS.has(standard) ? DIMENSIONS : DIMENSIONS_WITHOUT_MODALITY;
}

/** Dimensions that describe the patient: breakdowns by these get small-number suppression. */
export const PATIENT_CHARACTERISTIC_DIMENSIONS: readonly Dimension[] = [
  'imdQuintile',
  'imdDecile',
  'core20',
  'ethnicity',
  'ageBand',
  'sex',
  'place',
];

/** The pseudo-dimension for headline (unbroken-down) figures. */
export const ALL = 'all';

/**
 * A submission's (or one chunk's) contribution to the aggregates: within/total sums keyed by
 * `${standard}|${dimension}|${trust}|${group}` (dimension and group are `all` for headline
 * figures). Partials from chunks merge by plain addition, so chunked and single-pass results are
 * identical.
 */
export interface PartialAggregate {
  readonly version: 1;
  readonly submissionId: string;
  readonly period: string;
  /** Valid records read (all months). */
  readonly records: number;
  /** Records counted in each standard for this period. */
  readonly counted: Record<Standard, number>;
  /** Enrichment warnings by code (e.g. POSTCODE_UNKNOWN). */
  readonly warnings: Record<string, number>;
  readonly cells: Record<string, [within: number, total: number]>;
  /**
   * Record-level data-quality exceptions found after validation (e.g. IPT_NO_SCENARIO), listed
   * in the submission report by row and pathway id.
   */
  readonly exceptions?: readonly RecordException[];
}

/** A data-quality exception of one record: where it is and what it is, never its values. */
export interface RecordException {
  readonly row: number;
  readonly pathwayId: string;
  readonly code: string;
  readonly field: string | null;
  readonly message: string;
}
