import type { OpenPathway } from './backlog';
import type { AllianceConfig } from './config';
import type { EnrichedRecord } from './enriched';
import { ConfigError } from './errors';
import {
  ageBandLabel,
  DEFAULT_LABELS,
  ethnicGroupLabel,
  type LabelTables,
  modalityGroupLabel,
  sexLabel,
  suspectedCancerTypeLabel,
  treatedCancerTypeLabel,
} from './labels';
import type { Route, StandardOutcome } from './outcomes';
import type { PathwayRecord } from './record';
import type { ReferenceData } from './reference';

/** Enrichment warning codes (counted per submission, never fatal). */
export const ENRICH_WARNINGS = {
  /** The supplied LSOA code is neither a known LSOA 2021 nor a known LSOA 2011. */
  lsoaUnknown: 'LSOA_UNKNOWN',
  /** The postcode is not in the postcode lookup. */
  postcodeUnknown: 'POSTCODE_UNKNOWN',
  /** Neither an LSOA code nor a postcode was supplied. */
  locationMissing: 'LOCATION_MISSING',
  /** The LSOA is known but has no IMD in the edition in use (e.g. outside England). */
  imdUnknown: 'IMD_UNKNOWN',
} as const;

/** Place of a record whose LSOA is known but outside every configured place. */
export const OUTSIDE_ALLIANCE = 'outside-alliance';
/** Place of a record without a usable LSOA. */
export const UNKNOWN_PLACE = 'unknown';

export interface DerivedOutcomes {
  readonly route: Route;
  readonly outcomes: readonly StandardOutcome[];
  /** The open-pathway clock when the record counts in the backlog. */
  readonly openPathway?: OpenPathway | null;
}

export interface EnrichResult {
  readonly enriched: EnrichedRecord;
  readonly warnings: string[];
}

const placeIndexes = new WeakMap<AllianceConfig, ReadonlyMap<string, string>>();

/** Local authority → place id, built once per config object (records reuse the same config). */
function placeByLocalAuthority(alliance: AllianceConfig): ReadonlyMap<string, string> {
  let index = placeIndexes.get(alliance);
  if (!index) {
    const built = new Map<string, string>();
    for (const place of alliance.places) {
      for (const la of place.localAuthorities) if (!built.has(la)) built.set(la, place.id);
    }
    placeIndexes.set(alliance, built);
    index = built;
  }
  return index;
}

/**
 * LSOA 2021 of a record: a supplied LSOA code wins (a 2021 code directly, a 2011 code through the
 * ONS best fit); without one, or when it is unknown, the postcode.
 */
function resolveLsoa(record: PathwayRecord, ref: ReferenceData, warnings: string[]): string | null {
  const supplied = record.lsoaCode?.trim().toUpperCase();
  if (supplied) {
    if (ref.isLsoa21(supplied)) return supplied;
    const mapped = ref.lsoa21ForLsoa11(supplied);
    if (mapped) return mapped;
    warnings.push(ENRICH_WARNINGS.lsoaUnknown);
  }
  if (record.postcode) {
    const fromPostcode = ref.lsoaForPostcode(record.postcode);
    if (fromPostcode) return fromPostcode;
    warnings.push(ENRICH_WARNINGS.postcodeUnknown);
    return null;
  }
  if (!supplied) warnings.push(ENRICH_WARNINGS.locationMissing);
  return null;
}

/**
 * Turns a validated record and its derived outcomes into the identifier-free record that leaves
 * the enrichment step. The NHS number, date of birth and postcode are read here and nowhere after.
 */
export function enrichRecord(
  record: PathwayRecord,
  derived: DerivedOutcomes,
  ref: ReferenceData,
  alliance: AllianceConfig,
  labels: LabelTables = DEFAULT_LABELS,
): EnrichResult {
  if (ref.edition !== alliance.rules.imdEdition) {
    // Mixing IMD editions in one series would make deprivation trends meaningless (brief §4.3).
    throw new ConfigError(
      `Reference data is IMD ${ref.edition} but the alliance is configured for IMD ${alliance.rules.imdEdition}.`,
      'REFERENCE_EDITION_MISMATCH',
    );
  }
  const warnings: string[] = [];
  const lsoa21 = resolveLsoa(record, ref, warnings);
  const imd = lsoa21 ? ref.imd(lsoa21) : undefined;
  if (lsoa21 && !imd) warnings.push(ENRICH_WARNINGS.imdUnknown);
  const localAuthority = lsoa21 ? (ref.localAuthorityOf(lsoa21) ?? null) : null;
  const place = localAuthority
    ? (placeByLocalAuthority(alliance).get(localAuthority) ?? OUTSIDE_ALLIANCE)
    : UNKNOWN_PLACE;

  const enriched: EnrichedRecord = {
    row: record.row,
    pathwayId: record.pathwayId,
    route: derived.route,
    suspectedCancerType: suspectedCancerTypeLabel(record.cancerReferralType, labels),
    treatedCancerType: treatedCancerTypeLabel(record.primaryDiagnosis, labels),
    ageBand: ageBandLabel(record.dateOfBirth, record.referralReceived, labels),
    sex: sexLabel(record.sex, labels),
    ethnicGroup: ethnicGroupLabel(record.ethnicity, labels),
    imdEdition: ref.edition,
    imdDecile: imd?.decile ?? null,
    imdQuintile: imd?.quintile ?? null,
    core20: imd ? imd.quintile === 1 : null,
    lsoa21,
    localAuthority,
    place,
    modalityGroup: modalityGroupLabel(record.treatmentModality, labels),
    outcomes: derived.outcomes,
    openPathway: derived.openPathway ?? null,
  };
  return { enriched, warnings };
}
