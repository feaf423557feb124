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
  readonly warnings: readonly string[];
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

/** No warnings: shared (and frozen), so a record without any allocates no array. */
const NO_WARNINGS: readonly string[] = Object.freeze([]);

/** The warnings of one record as they are found; most records have none. */
interface Found {
  warnings: readonly string[];
}

/**
 * LSOA 2021 index of a record (-1: none): a supplied LSOA code wins (a 2021 code directly, a 2011
 * code through the ONS best fit); without one, or when it is unknown, the postcode.
 */
function resolveLsoa(record: PathwayRecord, ref: ReferenceData, found: Found): number {
  const code = record.lsoaCode;
  const supplied = code !== null && code !== undefined && code.trim() !== '';
  if (supplied) {
    const index = ref.lsoa21Index(code);
    if (index >= 0) return index;
    const mapped = ref.lsoa21IndexForLsoa11(code);
    if (mapped >= 0) return mapped;
    warn(found, ENRICH_WARNINGS.lsoaUnknown);
  }
  if (record.postcode) {
    const fromPostcode = ref.lsoa21IndexForPostcode(record.postcode);
    if (fromPostcode >= 0) return fromPostcode;
    warn(found, ENRICH_WARNINGS.postcodeUnknown);
    return -1;
  }
  if (!supplied) warn(found, ENRICH_WARNINGS.locationMissing);
  return -1;
}

function warn(found: Found, code: string): void {
  found.warnings = [...found.warnings, code];
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
  const found: Found = { warnings: NO_WARNINGS };
  const lsoa = resolveLsoa(record, ref, found);
  const decile = lsoa >= 0 ? ref.imdDecileAt(lsoa) : 0;
  if (lsoa >= 0 && decile === 0) warn(found, ENRICH_WARNINGS.imdUnknown);
  const quintile = decile === 0 ? null : Math.ceil(decile / 2);
  const localAuthority = lsoa >= 0 ? (ref.localAuthorityAt(lsoa) ?? null) : null;
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
    imdDecile: decile === 0 ? null : decile,
    imdQuintile: quintile,
    core20: quintile === null ? null : quintile === 1,
    lsoa21: lsoa >= 0 ? ref.lsoa21Code(lsoa) : null,
    localAuthority,
    place,
    modalityGroup: modalityGroupLabel(record.treatmentModality, labels),
    outcomes: derived.outcomes,
    openPathway: derived.openPathway ?? null,
  };
  return { enriched, warnings: found.warnings };
}
