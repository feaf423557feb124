import type { Route } from './outcomes';
import type { DayNumber } from './record';

/**
 * Breakdown labels: the groups a record falls into for the performance API. The code lists are
 * configuration data (domain brief §2.1a and §1.5 mark several of them UNVERIFIED), so callers can
 * pass their own tables; the defaults below are what the platform uses until they are confirmed.
 */

/** Group for a missing or unrecognised code. */
export const NOT_KNOWN = 'Not known';

/** A treated-cancer-type rule: ICD-10 codes from `from` to `to` inclusive (same length, 3 or 4). */
export interface TreatedCancerTypeRule {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface AgeBand {
  /** Lowest age in whole years that falls in the band. */
  readonly from: number;
  readonly label: string;
}

export interface LabelTables {
  /** cancer_referral_type (two-character code) → suspected cancer type. */
  readonly suspectedCancerTypes: Readonly<Record<string, string>>;
  /** Checked in order, first match wins; anything unmatched is `otherTreatedCancerType`. */
  readonly treatedCancerTypes: readonly TreatedCancerTypeRule[];
  readonly otherTreatedCancerType: string;
  /** First character of ETHNIC CATEGORY → broad group. */
  readonly ethnicGroups: Readonly<Record<string, string>>;
  /** PERSON STATED GENDER CODE → label. */
  readonly sexes: Readonly<Record<string, string>>;
  readonly routes: Readonly<Record<Route, string>>;
  /** CANCER TREATMENT MODALITY (two-character code) → 31-day modality group. */
  readonly modalityGroups: Readonly<Record<string, string>>;
  /** Group of any other recorded modality. */
  readonly otherModalityGroup: string;
  /** Ascending by `from`; the first band must start at 0. */
  readonly ageBands: readonly AgeBand[];
  /** Age band of a record without a usable date of birth. */
  readonly unknownAgeBand: string;
}

/**
 * Domain brief §2.1a: 16 and 17 are confirmed, the other numeric codes are UNVERIFIED. Labels are
 * spelled as the national CWT publication prints them (§1.5), en dashes included.
 */
const SUSPECTED_CANCER_TYPES: Record<string, string> = {
  '01': 'Suspected breast cancer',
  '02': 'Suspected lung cancer',
  '03': 'Suspected lower gastrointestinal cancer',
  '04': 'Suspected upper gastrointestinal cancer',
  '05': 'Suspected gynaecological cancer',
  '06': 'Suspected head and neck cancer',
  '07': 'Suspected urological malignancies (excluding testicular)',
  '08': 'Suspected testicular cancer',
  '09': 'Suspected skin cancer',
  '10': 'Suspected haematological malignancies (excluding acute leukaemia)',
  '11': 'Suspected acute leukaemia',
  '12': 'Suspected brain/central nervous system tumours',
  '13': "Suspected children's cancer",
  '14': 'Suspected sarcoma',
  '15': 'Other suspected cancer (not listed)',
  '16': 'Exhibited (non-cancer) breast symptoms – cancer not initially suspected',
  '17': 'Suspected cancer – non-specific symptoms',
};

const rule = (from: string, to: string, label: string): TreatedCancerTypeRule => ({
  from,
  to,
  label,
});

/**
 * UNVERIFIED: the official CWT treated-cancer-type grouping is in the CWT-Stats data extract
 * guidance, which was not available (domain brief §1.5). This default follows the published
 * label list with conventional ICD-10 ranges. Acute leukaemia comes first because its codes sit
 * inside the C90–C96 "Haematological – Other" range. D05 (breast carcinoma in situ) is counted as
 * Breast, which is how the published list (no separate in-situ group) reads.
 */
const TREATED_CANCER_TYPES: readonly TreatedCancerTypeRule[] = [
  rule('C910', 'C910', 'Acute leukaemia'),
  rule('C920', 'C920', 'Acute leukaemia'),
  rule('C930', 'C930', 'Acute leukaemia'),
  rule('C940', 'C940', 'Acute leukaemia'),
  rule('C950', 'C950', 'Acute leukaemia'),
  rule('C50', 'C50', 'Breast'),
  rule('D05', 'D05', 'Breast'),
  rule('C33', 'C34', 'Lung'),
  rule('C18', 'C21', 'Lower Gastrointestinal'),
  rule('C15', 'C16', 'Upper GI – Oesophagus & Stomach'),
  rule('C22', 'C25', 'Upper GI – Hepatobiliary'),
  rule('C51', 'C58', 'Gynaecological'),
  rule('C00', 'C14', 'Head & Neck'),
  rule('C30', 'C32', 'Head & Neck'),
  rule('C43', 'C44', 'Skin'),
  rule('C81', 'C86', 'Haematological – Lymphoma'),
  rule('C88', 'C88', 'Haematological – Lymphoma'),
  rule('C90', 'C96', 'Haematological – Other'),
  rule('C61', 'C61', 'Urological – Prostate'),
  rule('C60', 'C60', 'Urological – Other'),
  rule('C64', 'C68', 'Urological – Other'),
  rule('C62', 'C62', 'Testicular'),
  rule('C70', 'C72', 'Brain/CNS'),
  rule('C40', 'C41', 'Sarcoma'),
  rule('C45', 'C49', 'Sarcoma'),
];

/** NHS Data Dictionary ETHNIC CATEGORY national codes grouped into the 2001 Census broad groups. */
const ETHNIC_GROUPS: Record<string, string> = {
  A: 'White',
  B: 'White',
  C: 'White',
  D: 'Mixed',
  E: 'Mixed',
  F: 'Mixed',
  G: 'Mixed',
  H: 'Asian or Asian British',
  J: 'Asian or Asian British',
  K: 'Asian or Asian British',
  L: 'Asian or Asian British',
  M: 'Black or Black British',
  N: 'Black or Black British',
  P: 'Black or Black British',
  R: 'Other ethnic group',
  S: 'Other ethnic group',
  Z: 'Not stated',
};

/**
 * 31-day modality groups as published (domain brief §1.5, NCL-Snowpark): anti-cancer drug
 * regimen 02, 03, 14, 15; surgery 01, 23, 24; radiotherapy 04, 05, 06, 13; everything else Other.
 */
const MODALITY_GROUPS: Record<string, string> = {
  '02': 'Anti-cancer drug regimen',
  '03': 'Anti-cancer drug regimen',
  '14': 'Anti-cancer drug regimen',
  '15': 'Anti-cancer drug regimen',
  '01': 'Surgery',
  '23': 'Surgery',
  '24': 'Surgery',
  '04': 'Radiotherapy',
  '05': 'Radiotherapy',
  '06': 'Radiotherapy',
  '13': 'Radiotherapy',
};

export const DEFAULT_LABELS: LabelTables = {
  suspectedCancerTypes: SUSPECTED_CANCER_TYPES,
  treatedCancerTypes: TREATED_CANCER_TYPES,
  otherTreatedCancerType: 'Other',
  ethnicGroups: ETHNIC_GROUPS,
  sexes: { '1': 'Male', '2': 'Female', '9': 'Indeterminate' },
  routes: {
    usc: 'Urgent suspected cancer',
    'breast-symptomatic': 'Breast symptomatic',
    screening: 'Screening',
    'consultant-upgrade': 'Consultant upgrade',
    unknown: NOT_KNOWN,
  },
  modalityGroups: MODALITY_GROUPS,
  otherModalityGroup: 'Other',
  ageBands: [
    { from: 0, label: '0-39' },
    { from: 40, label: '40-49' },
    { from: 50, label: '50-59' },
    { from: 60, label: '60-69' },
    { from: 70, label: '70-79' },
    { from: 80, label: '80+' },
  ],
  unknownAgeBand: 'unknown',
};

export function suspectedCancerTypeLabel(
  code: string | null,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  if (!code) return NOT_KNOWN;
  const trimmed = code.trim();
  const normalised = /^\d$/.test(trimmed) ? `0${trimmed}` : trimmed;
  return labels.suspectedCancerTypes[normalised] ?? NOT_KNOWN;
}

/** ICD-10 as supplied ('C50.9', 'C509', 'c50x') → upper case without the dot. */
function normaliseIcd10(code: string): string {
  return code.trim().toUpperCase().replace(/\./g, '');
}

export function treatedCancerTypeLabel(
  icd10: string | null,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  if (!icd10) return NOT_KNOWN;
  // Remembered per label table: a file repeats a few hundred codes over its rows, and the rule
  // scan below runs once per distinct code instead of once per record.
  let known = treatedLabelCache.get(labels);
  if (!known) {
    known = new Map();
    treatedLabelCache.set(labels, known);
  }
  let label = known.get(icd10);
  if (label === undefined) {
    if (known.size >= TREATED_LABEL_CACHE_MAX) known.clear();
    label = treatedLabelOf(icd10, labels);
    known.set(icd10, label);
  }
  return label;
}

const treatedLabelCache = new WeakMap<LabelTables, Map<string, string>>();
/** ICD-10 has ~14,000 codes in use; the bound only caps memory on unexpected input. */
const TREATED_LABEL_CACHE_MAX = 20_000;

function treatedLabelOf(icd10: string, labels: LabelTables): string {
  const code = normaliseIcd10(icd10);
  if (code === '') return NOT_KNOWN;
  for (const { from, to, label } of labels.treatedCancerTypes) {
    const head = code.slice(0, from.length);
    if (head.length === from.length && head >= from && head <= to) return label;
  }
  return labels.otherTreatedCancerType;
}

export function ethnicGroupLabel(
  code: string | null,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  // '99' (not asked) and anything unrecognised are "not known"; only the first character is national.
  const first = code?.trim().charAt(0).toUpperCase() ?? '';
  return labels.ethnicGroups[first] ?? NOT_KNOWN;
}

export function sexLabel(code: string | null, labels: LabelTables = DEFAULT_LABELS): string {
  const key = code?.trim().toUpperCase() ?? '';
  return labels.sexes[key] ?? NOT_KNOWN;
}

/** 31-day modality group of a CANCER TREATMENT MODALITY code; 'Not known' when not recorded. */
export function modalityGroupLabel(
  code: string | null,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  const trimmed = code?.trim() ?? '';
  if (trimmed === '') return NOT_KNOWN;
  const normalised = /^\d$/.test(trimmed) ? `0${trimmed}` : trimmed;
  return labels.modalityGroups[normalised] ?? labels.otherModalityGroup;
}

export function routeLabel(route: Route, labels: LabelTables = DEFAULT_LABELS): string {
  return labels.routes[route] ?? NOT_KNOWN;
}

/**
 * Civil date of a day number (proleptic Gregorian, days since 1970-01-01). Integer arithmetic
 * (H. Hinnant's days_from_civil inverse) so no Date object is created per record.
 */
function civilFromDays(day: DayNumber): { year: number; month: number; dayOfMonth: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, dayOfMonth };
}

/**
 * Age in whole years on a date: the number of birthdays passed. Someone born on 29 February has
 * their birthday on 1 March in a common year, because 28 February still compares as "before".
 */
export function ageInYears(dateOfBirth: DayNumber, on: DayNumber): number {
  const born = civilFromDays(dateOfBirth);
  const at = civilFromDays(on);
  const beforeBirthday =
    at.month < born.month || (at.month === born.month && at.dayOfMonth < born.dayOfMonth);
  return at.year - born.year - (beforeBirthday ? 1 : 0);
}

/** Age band at referral; 'unknown' without a date of birth or when it is after the referral. */
export function ageBandLabel(
  dateOfBirth: DayNumber | null,
  referralReceived: DayNumber,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  if (dateOfBirth === null || dateOfBirth > referralReceived) return labels.unknownAgeBand;
  const age = ageInYears(dateOfBirth, referralReceived);
  let band = labels.unknownAgeBand;
  for (const candidate of labels.ageBands) {
    if (age >= candidate.from) band = candidate.label;
  }
  return band;
}
