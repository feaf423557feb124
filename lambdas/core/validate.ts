import { type CodeSets, DEFAULT_CODE_SETS, normaliseCode, normaliseEthnicCategory } from './codes';
import {
  type DateFormat,
  DEFAULT_DATE_FORMATS,
  describeDateFormats,
  monthEnd,
  parseDate,
} from './dates';
import { checkNhsNumber, isValidNhsNumber, type NhsNumberOptions } from './nhs-number';
import type { ColumnName, DayNumber, PathwayRecord } from './record';

/**
 * Record validation: the upload contract's row rules. One call per data row turns the row's
 * cells into a normalised PathwayRecord, or lists everything wrong with it. Messages name fields
 * and expectations but never echo a cell: a shifted column can put an NHS number, postcode or
 * date of birth into any field, and reports leave the platform.
 *
 * Runs for millions of rows: regular expressions are module constants, the per-row helpers are
 * prototype methods of one small object (no closures), and a clean empty field allocates nothing.
 */

/** Position of each canonical column in a row's cells; a column left out is not recorded. */
export type ColumnIndex = Partial<Record<ColumnName, number>>;

export interface ValidationContext {
  /** ODS code of the trust whose upload this is (outcomes fall back to it; rows do not need it). */
  readonly submittingTrust: string;
  /** Upload period (YYYY-MM): no date may fall after its last day. */
  readonly period: string;
  /** @default DEFAULT_CODE_SETS */
  readonly codeSets?: CodeSets;
  /**
   * Date layouts the trust's files use (its `intake.dateFormats`); no other layout is guessed.
   * @default DEFAULT_DATE_FORMATS (YYYY-MM-DD or DD/MM/YYYY)
   */
  readonly dateFormats?: readonly DateFormat[];
  /**
   * Reject one-repeated-digit NHS numbers (local convention, domain brief §7).
   * @default true
   */
  readonly rejectRepeatedDigitNhsNumbers?: boolean;
}

export interface RecordIssue {
  readonly row: number;
  readonly pathwayId: string | null;
  readonly code: string;
  readonly field: ColumnName | null;
  readonly message: string;
  /** The offending cell as the report may show it: null for identifiers (see reportableValue). */
  readonly value?: string | null;
}

export type RowResult =
  | { ok: true; record: PathwayRecord; warnings: RecordIssue[] }
  | { ok: false; pathwayId: string | null; errors: RecordIssue[]; warnings: RecordIssue[] };

export interface CatalogueEntry {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** `record`: one row; `file`: the whole upload. */
  readonly scope: 'record' | 'file';
  /** One line telling the trust's data team how to fix it. */
  readonly hint: string;
}

/** Every issue code a report can carry, with its fix. The README prints this table. */
export const ERROR_CATALOGUE = [
  {
    code: 'REQUIRED_MISSING',
    severity: 'error',
    scope: 'record',
    hint: 'Fill in pathway_id, nhs_number, priority_type and referral_received_date on every row.',
  },
  {
    code: 'NHS_NUMBER_INVALID',
    severity: 'error',
    scope: 'record',
    hint: 'Use the 10-digit NHS number as traced on PDS; spaces and hyphens are fine.',
  },
  {
    code: 'DATE_INVALID',
    severity: 'error',
    scope: 'record',
    hint: "Write dates in the form the message names (your trust's configured formats; by default YYYY-MM-DD or DD/MM/YYYY) and check the day exists in that month.",
  },
  {
    code: 'DATE_IN_FUTURE',
    severity: 'error',
    scope: 'record',
    hint: 'No date may be after the last day of the upload month; check the year and the period.',
  },
  {
    code: 'DATE_ORDER',
    severity: 'error',
    scope: 'record',
    hint: 'Dates must run in pathway order: referral, upgrade, first seen, FDS end, DTT, treatment.',
  },
  {
    code: 'CODE_INVALID',
    severity: 'error',
    scope: 'record',
    hint: 'Use the NHS Data Dictionary code (e.g. 3 for a two week wait, 01 for a first treatment).',
  },
  {
    code: 'ADJUSTMENT_INVALID',
    severity: 'error',
    scope: 'record',
    hint: 'Adjustments are whole days, 0 or more, with no units or decimals; leave blank for none.',
  },
  {
    code: 'ADJUSTMENT_TOO_LARGE',
    severity: 'error',
    scope: 'record',
    hint: 'An adjustment cannot exceed the days it pauses; check the adjustment and its dates.',
  },
  {
    code: 'ORG_CODE_INVALID',
    severity: 'error',
    scope: 'record',
    hint: 'Use the ODS code: 3 characters for a trust (R1H) or 5 for a site (R1HKH).',
  },
  {
    code: 'ICD10_INVALID',
    severity: 'error',
    scope: 'record',
    hint: 'Give the ICD-10 primary diagnosis as a letter and digits, e.g. C34.1, C341 or C61.',
  },
  {
    code: 'DTT_AFTER_TREATMENT',
    severity: 'warning',
    scope: 'record',
    hint: 'Check decision_to_treat_date: it is after treatment, so 31 days are counted from treatment.',
  },
  {
    code: 'TRANSFER_DATE_ORDER',
    severity: 'warning',
    scope: 'record',
    hint: 'transfer_to_treatment_date should fall between referral and treatment; check it.',
  },
  {
    // Raised at enrichment (62-day shared breaches), not by validateRow.
    code: 'IPT_NO_SCENARIO',
    severity: 'warning',
    scope: 'record',
    hint: 'Give transfer_to_treatment_date between referral and treatment for transferred pathways; until then the breach is split 50/50.',
  },
  {
    code: 'POSTCODE_INVALID',
    severity: 'warning',
    scope: 'record',
    hint: 'Give the full UK postcode of usual address (e.g. E1 1BB); the record is kept without it.',
  },
  {
    code: 'LSOA_INVALID',
    severity: 'warning',
    scope: 'record',
    hint: 'Give an English LSOA code (E01 and 6 digits) or leave it blank; the postcode is used instead.',
  },
  {
    code: 'DEMOGRAPHIC_CODE_INVALID',
    severity: 'warning',
    scope: 'record',
    hint: 'Use PERSON STATED GENDER CODE 1, 2, 9, X and ETHNIC CATEGORY A–S, Z or 99; kept as not known.',
  },
  {
    code: 'COLUMN_UNKNOWN',
    severity: 'warning',
    scope: 'file',
    hint: 'Rename the column to its upload contract name, or remove it; its values were ignored.',
  },
  {
    code: 'UPLOAD_KEY_INVALID',
    severity: 'error',
    scope: 'file',
    hint: 'Upload to uploads/{your ODS trust code}/cwt/{YYYY-MM}/{file name}.',
  },
  {
    code: 'TRUST_UNKNOWN',
    severity: 'error',
    scope: 'file',
    hint: 'Use your own 3-character ODS trust code in the upload path; ask the alliance to add new trusts.',
  },
  {
    code: 'HEADER_MISSING_REQUIRED',
    severity: 'error',
    scope: 'file',
    hint: 'Add the missing columns to the header row (names are case-insensitive, any order).',
  },
  {
    code: 'FILE_NO_RECORDS',
    severity: 'error',
    scope: 'file',
    hint: 'Export the data rows as well as the header, then upload again.',
  },
  {
    code: 'TOO_MANY_INVALID_RECORDS',
    severity: 'error',
    scope: 'file',
    hint: 'Fix the most frequent errors in the report (often a shifted column or a date format).',
  },
] as const satisfies readonly CatalogueEntry[];

export type IssueCode = (typeof ERROR_CATALOGUE)[number]['code'];

const HINTS: ReadonlyMap<string, string> = new Map(
  ERROR_CATALOGUE.map((entry) => [entry.code, entry.hint]),
);
const DEFAULT_HINT = 'See the upload contract for this check, correct the rows and upload again.';

/** The one-line fix for an issue code; a generic line for codes outside the catalogue. */
export function hintFor(code: string): string {
  return HINTS.get(code) ?? DEFAULT_HINT;
}

// Module-scope patterns: compiled once, not per row.
const LSOA_PATTERN = /^E01\d{6}$/;
/**
 * BS7666 postcode (domain brief §7): outward AN, ANN, ANA, AAN, AANN, AANA with the letter rules
 * per position, a space, inward NAA without C, I, K, M, O, V; plus GIR 0AA.
 */
const POSTCODE_PATTERN =
  /^(?:GIR 0AA|[A-PR-UWYZ](?:\d{1,2}|\d[A-HJKSTUW]|[A-HK-Y]\d{1,2}|[A-HK-Y]\d[ABEHMNPRVWXY]) \d[ABD-HJLNP-UW-Z]{2})$/;
const MAX_ADJUSTMENT_DIGITS = 5;
const CODE_LIST_MAX_IN_MESSAGE = 20;

const NHS_NUMBER_MESSAGES = {
  format: 'nhs_number must be 10 digits (spaces and hyphens allowed).',
  checksum: 'nhs_number fails the Modulus 11 check digit test.',
  repeated: 'nhs_number is one digit repeated, a placeholder rather than a patient.',
} as const;

const REJECT_REPEATED: NhsNumberOptions = { rejectRepeatedDigits: true };
const ALLOW_REPEATED: NhsNumberOptions = { rejectRepeatedDigits: false };

/** One-entry cache: every row of an upload shares the period. */
let cachedPeriod = '';
let cachedPeriodEnd = 0;

function periodEndOf(period: string): DayNumber {
  if (period !== cachedPeriod) {
    cachedPeriodEnd = monthEnd(period);
    cachedPeriod = period;
  }
  return cachedPeriodEnd;
}

function describeSet(set: ReadonlySet<string>): string {
  if (set.size > CODE_LIST_MAX_IN_MESSAGE) return 'its NHS Data Dictionary value set';
  return [...set].join(', ');
}

function isDigitAt(text: string, index: number): boolean {
  const digit = text.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9;
}

function isAlphanumericAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

/** Upper case with one space before the inward code (`e11bb` → `E1 1BB`), or null if impossible. */
export function normalisePostcode(raw: string): string | null {
  let compact = '';
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw[i];
    if (ch !== ' ' && ch !== '\t' && ch !== '\u00a0') compact += ch;
  }
  if (compact.length < 5 || compact.length > 7) return null;
  compact = compact.toUpperCase();
  const split = compact.length - 3;
  return `${compact.slice(0, split)} ${compact.slice(split)}`;
}

export function isValidPostcode(normalised: string): boolean {
  return POSTCODE_PATTERN.test(normalised);
}

/**
 * ICD-10 code in `C34.1` form, from `C34.1`, `c341`, `C34` or the padded `C61X`; null if the text
 * is not a letter, two digits and at most two further digits.
 */
export function normaliseIcd10(raw: string): string | null {
  const value = raw.trim().toUpperCase();
  if (value.length < 3) return null;
  const letter = value.charCodeAt(0);
  if (letter < 65 || letter > 90 || !isDigitAt(value, 1) || !isDigitAt(value, 2)) return null;
  const category = value.slice(0, 3);
  const dotted = value.charCodeAt(3) === 46;
  const rest = value.slice(dotted ? 4 : 3);
  if (rest === '' || rest === 'X' || rest === '-') return dotted ? null : category;
  if (rest.length > 2 || !isDigitAt(rest, 0) || (rest.length === 2 && !isDigitAt(rest, 1))) {
    return null;
  }
  return `${category}.${rest}`;
}

/** Fields that identify a patient: their values never appear in a report. */
export const IDENTIFIER_FIELDS: ReadonlySet<ColumnName> = new Set([
  'nhs_number',
  'date_of_birth',
  'postcode',
]);
const MAX_REPORTED_VALUE = 40;
const NHS_NUMBER_LIKE = /^[\d\s-]{10,14}$/;
/** Ten digits (also 3-3-4 with spaces or hyphens) not part of a longer number. */
const TEN_DIGITS_INSIDE = /(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)/g;
/** A postcode-shaped token anywhere in the value, not part of a longer code. */
const POSTCODE_INSIDE = /(?<![A-Z0-9])[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}(?![A-Z0-9])/i;

/** A pathway id fit to quote in a report: null when it holds an NHS number or postcode. */
export function reportablePathwayId(raw: string): string | null {
  return reportableValue('pathway_id', raw);
}

/**
 * A cell's value as a report may echo it, so the trust sees what was wrong: null for identifier
 * fields, and null too for any value that is or holds something shaped like an NHS number or a
 * postcode (`9434765919`, `RF4-9434765919`, `E1 6AN-01`), since a shifted column or a pathway id
 * built from one can put one into any field. Long values are cut.
 */
export function reportableValue(field: ColumnName, raw: string): string | null {
  if (raw === '' || IDENTIFIER_FIELDS.has(field)) return null;
  if (NHS_NUMBER_LIKE.test(raw) && raw.replace(/\D/g, '').length === 10) return null;
  if (holdsIdentifier(raw)) return null;
  return raw.length > MAX_REPORTED_VALUE ? `${raw.slice(0, MAX_REPORTED_VALUE)}…` : raw;
}

function holdsIdentifier(raw: string): boolean {
  if (POSTCODE_INSIDE.test(raw)) return true;
  // inside a longer value only a number that passes Modulus 11 counts, so ordinary ten-digit
  // references are still quoted; a whole value of ten digits is withheld above regardless
  for (const match of raw.matchAll(TEN_DIGITS_INSIDE)) {
    if (isValidNhsNumber(match[0], { rejectRepeatedDigits: false })) return true;
  }
  return false;
}

function earliest(a: DayNumber | null, b: DayNumber | null): DayNumber | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/**
 * The row being checked: reads its cells by column name and records what is wrong. One object
 * per row whose methods live on the prototype, instead of closures created per row.
 */
class RowCheck {
  readonly errors: RecordIssue[] = [];
  readonly warnings: RecordIssue[] = [];

  constructor(
    private readonly cells: readonly string[],
    private readonly columns: ColumnIndex,
    readonly row: number,
    readonly pathwayId: string | null,
    private readonly period: string,
    private readonly periodEnd: DayNumber,
    private readonly dateFormats: readonly DateFormat[],
  ) {}

  error(code: IssueCode, field: ColumnName | null, message: string): void {
    this.errors.push(this.issue(code, field, message));
  }

  warn(code: IssueCode, field: ColumnName | null, message: string): void {
    this.warnings.push(this.issue(code, field, message));
  }

  private issue(code: IssueCode, field: ColumnName | null, message: string): RecordIssue {
    const value = field === null ? null : reportableValue(field, this.text(field));
    return { row: this.row, pathwayId: this.reportedPathwayId(), code, field, message, value };
  }

  /**
   * The pathway id as issues quote it: some exports put the NHS number (or a postcode) in the
   * pathway id column, and issues reach reports, the Submissions table and API responses. Worked
   * out only when the row has an issue, so clean rows pay nothing.
   */
  reportedPathwayId(): string | null {
    return this.pathwayId === null ? null : reportablePathwayId(this.pathwayId);
  }

  /** The trimmed cell; '' when empty or when the column is not in the file. */
  text(field: ColumnName): string {
    const index = this.columns[field];
    if (index === undefined) return '';
    const value = this.cells[index];
    return value === undefined ? '' : value.trim();
  }

  /** The cell of a required item; '' (error recorded) when empty or missing. */
  required(field: ColumnName): string {
    const value = this.text(field);
    if (value !== '') return value;
    const why = this.columns[field] === undefined ? 'the column is missing' : 'the cell is empty';
    this.error('REQUIRED_MISSING', field, `${field} is required but ${why}.`);
    return '';
  }

  /** A date as a day number; null when empty or wrong (error recorded). */
  date(field: ColumnName, value = this.text(field)): DayNumber | null {
    if (value === '') return null;
    const day = parseDate(value, this.dateFormats);
    if (day === 'invalid') {
      this.error(
        'DATE_INVALID',
        field,
        `${field} is not a real date in ${describeDateFormats(this.dateFormats)} form.`,
      );
      return null;
    }
    if (day !== null && day > this.periodEnd) {
      this.error(
        'DATE_IN_FUTURE',
        field,
        `${field} is after the end of the upload period ${this.period}.`,
      );
      return null;
    }
    return day;
  }

  /** A code at its data-dictionary width; null when empty or not in the set (error recorded). */
  code(
    field: ColumnName,
    width: 1 | 2,
    set: ReadonlySet<string>,
    value = this.text(field),
  ): string | null {
    if (value === '') return null;
    const code = normaliseCode(value, width);
    if (set.has(code)) return code;
    this.error('CODE_INVALID', field, `${field} is not one of ${describeSet(set)}.`);
    return null;
  }

  /** An ODS code, upper case; null when empty or malformed (error recorded). */
  org(field: ColumnName): string | null {
    const value = this.text(field).toUpperCase();
    if (value === '') return null;
    let valid = value.length === 3 || value.length === 5;
    for (let i = 0; valid && i < value.length; i += 1) valid = isAlphanumericAt(value, i);
    if (valid) return value;
    this.error(
      'ORG_CODE_INVALID',
      field,
      `${field} must be a 3-character trust or 5-character site ODS code.`,
    );
    return null;
  }

  /** Whole days ≥ 0; empty is 0 (no adjustment); a bad value is recorded and read as 0. */
  adjustment(field: ColumnName): number {
    const value = this.text(field);
    if (value === '') return 0;
    let days = value.length <= MAX_ADJUSTMENT_DIGITS ? 0 : -1;
    for (let i = 0; days >= 0 && i < value.length; i += 1) {
      days = isDigitAt(value, i) ? days * 10 + value.charCodeAt(i) - 48 : -1;
    }
    if (days >= 0) return days;
    this.error(
      'ADJUSTMENT_INVALID',
      field,
      `${field} must be a whole number of days, 0 or more (blank for none).`,
    );
    return 0;
  }

  /** Records DATE_ORDER when `later` falls before `earlier`; true if it did. */
  notBefore(
    later: DayNumber | null,
    laterField: ColumnName,
    earlier: DayNumber | null,
    earlierField: ColumnName,
  ): boolean {
    if (later === null || earlier === null || later >= earlier) return true;
    this.error('DATE_ORDER', laterField, `${laterField} is before ${earlierField}.`);
    return false;
  }
}

/**
 * Validates one data row against the upload contract. `row` is the spreadsheet row number (the
 * header is row 1). Every problem in the row is reported, not just the first.
 */
export function validateRow(
  cells: readonly string[],
  columns: ColumnIndex,
  row: number,
  ctx: ValidationContext,
): RowResult {
  const sets = ctx.codeSets ?? DEFAULT_CODE_SETS;
  const pathwayText = cells[columns.pathway_id ?? -1]?.trim() ?? '';
  const check = new RowCheck(
    cells,
    columns,
    row,
    pathwayText === '' ? null : pathwayText,
    ctx.period,
    periodEndOf(ctx.period),
    ctx.dateFormats ?? DEFAULT_DATE_FORMATS,
  );

  // Required items.
  check.required('pathway_id');
  const nhsText = check.required('nhs_number');
  let nhsNumber = '';
  if (nhsText !== '') {
    const repeated = ctx.rejectRepeatedDigitNhsNumbers === false ? ALLOW_REPEATED : REJECT_REPEATED;
    const nhs = checkNhsNumber(nhsText, repeated);
    if (nhs.ok) nhsNumber = nhs.value;
    else check.error('NHS_NUMBER_INVALID', 'nhs_number', NHS_NUMBER_MESSAGES[nhs.reason]);
  }
  const priorityType = check.code(
    'priority_type',
    1,
    sets.priorityType,
    check.required('priority_type'),
  );
  const referral = check.date('referral_received_date', check.required('referral_received_date'));

  // Dates, then their order along the pathway (domain brief §7).
  const dateOfBirth = check.date('date_of_birth');
  const upgrade = check.date('consultant_upgrade_date');
  const firstSeen = check.date('date_first_seen');
  const fdsEnd = check.date('fds_end_date');
  const transfer = check.date('transfer_to_treatment_date');
  const dtt = check.date('decision_to_treat_date');
  const treatment = check.date('treatment_start_date');

  if (dateOfBirth !== null && referral !== null && dateOfBirth > referral) {
    check.error('DATE_ORDER', 'date_of_birth', 'date_of_birth is after referral_received_date.');
  }
  check.notBefore(upgrade, 'consultant_upgrade_date', referral, 'referral_received_date');
  check.notBefore(firstSeen, 'date_first_seen', referral, 'referral_received_date');
  if (check.notBefore(fdsEnd, 'fds_end_date', referral, 'referral_received_date')) {
    check.notBefore(fdsEnd, 'fds_end_date', firstSeen, 'date_first_seen');
  }
  check.notBefore(dtt, 'decision_to_treat_date', referral, 'referral_received_date');
  if (check.notBefore(treatment, 'treatment_start_date', referral, 'referral_received_date')) {
    check.notBefore(treatment, 'treatment_start_date', upgrade, 'consultant_upgrade_date');
  }
  if (dtt !== null && treatment !== null && dtt > treatment) {
    check.warn(
      'DTT_AFTER_TREATMENT',
      'decision_to_treat_date',
      'decision_to_treat_date is after treatment_start_date; the 31-day clock starts at the treatment date.',
    );
  }
  if (
    transfer !== null &&
    ((referral !== null && transfer < referral) || (treatment !== null && transfer > treatment))
  ) {
    check.warn(
      'TRANSFER_DATE_ORDER',
      'transfer_to_treatment_date',
      'transfer_to_treatment_date is before referral_received_date or after treatment_start_date.',
    );
  }

  // Adjustments: never negative, never longer than the time they pause.
  const firstSeenAdjustment = check.adjustment('first_seen_adjustment_days');
  const treatmentAdjustment = check.adjustment('treatment_adjustment_days');
  const firstSeenBound = earliest(earliest(firstSeen, fdsEnd), earliest(dtt, treatment));
  // A bound date before the referral is already a DATE_ORDER error; no second error for it.
  if (
    firstSeenAdjustment > 0 &&
    referral !== null &&
    firstSeenBound !== null &&
    firstSeenBound >= referral &&
    firstSeenAdjustment > firstSeenBound - referral
  ) {
    check.error(
      'ADJUSTMENT_TOO_LARGE',
      'first_seen_adjustment_days',
      'first_seen_adjustment_days is longer than the days from referral to the first later pathway date.',
    );
  }
  if (
    dtt !== null &&
    treatment !== null &&
    treatmentAdjustment > treatment - Math.min(dtt, treatment)
  ) {
    check.error(
      'ADJUSTMENT_TOO_LARGE',
      'treatment_adjustment_days',
      'treatment_adjustment_days is longer than the days from decision to treat to treatment.',
    );
  }

  // Codes.
  const sourceOfReferral = check.code('source_of_referral', 2, sets.sourceOfReferral);
  const cancerReferralType = check.code('cancer_referral_type', 2, sets.cancerReferralType);
  const fdsEndReason = check.code('fds_end_reason', 2, sets.fdsEndReason);
  const treatmentEventType = check.code('treatment_event_type', 2, sets.treatmentEventType);
  const treatmentModality = check.code('treatment_modality', 2, sets.treatmentModality);
  const patientStatus = check.code('patient_status', 2, sets.patientStatus);
  // FDS exclusion reasons are unconfirmed nationally (§2.2): normalised, not checked.
  const exclusionText = check.text('fds_exclusion_reason');
  const adjustmentReason = check.text('treatment_adjustment_reason');

  // Demographics feed breakdowns only: a bad code is kept as "not known", not rejected.
  const sexText = check.text('person_stated_gender_code');
  let sex = sexText === '' ? null : normaliseCode(sexText, 1);
  if (sex !== null && !sets.personStatedGender.has(sex)) {
    check.warn(
      'DEMOGRAPHIC_CODE_INVALID',
      'person_stated_gender_code',
      `person_stated_gender_code is not one of ${describeSet(sets.personStatedGender)}; counted as not known.`,
    );
    sex = null;
  }
  const ethnicText = check.text('ethnic_category');
  let ethnicity = ethnicText === '' ? null : normaliseEthnicCategory(ethnicText);
  if (ethnicity !== null && !sets.ethnicCategory.has(ethnicity)) {
    check.warn(
      'DEMOGRAPHIC_CODE_INVALID',
      'ethnic_category',
      'ethnic_category is not an ETHNIC CATEGORY national code; counted as not known.',
    );
    ethnicity = null;
  }

  // Organisations and diagnosis.
  const orgFirstSeen = check.org('org_first_seen');
  const orgFdsEnd = check.org('org_fds_end');
  const accountable = check.org('accountable_investigating_provider');
  const orgTreatmentStart = check.org('org_treatment_start');
  const icdText = check.text('primary_diagnosis_icd10');
  const primaryDiagnosis = icdText === '' ? null : normaliseIcd10(icdText);
  if (icdText !== '' && primaryDiagnosis === null) {
    check.error(
      'ICD10_INVALID',
      'primary_diagnosis_icd10',
      'primary_diagnosis_icd10 is not an ICD-10 code such as C34.1, C341 or C61.',
    );
  }

  // Geography feeds enrichment only: an unusable value is dropped with a warning.
  const postcodeText = check.text('postcode');
  let postcode = postcodeText === '' ? null : normalisePostcode(postcodeText);
  if (postcodeText !== '' && (postcode === null || !POSTCODE_PATTERN.test(postcode))) {
    check.warn(
      'POSTCODE_INVALID',
      'postcode',
      'postcode is not a valid UK postcode; it was ignored.',
    );
    postcode = null;
  }
  let lsoaCode: string | null = check.text('lsoa_code').toUpperCase() || null;
  if (lsoaCode !== null && !LSOA_PATTERN.test(lsoaCode)) {
    check.warn(
      'LSOA_INVALID',
      'lsoa_code',
      'lsoa_code is not an English LSOA code (E01 and 6 digits); it was ignored.',
    );
    lsoaCode = null;
  }

  if (check.errors.length > 0 || priorityType === null || referral === null) {
    return {
      ok: false,
      pathwayId: check.reportedPathwayId(),
      errors: check.errors,
      warnings: check.warnings,
    };
  }
  return {
    ok: true,
    record: {
      row,
      pathwayId: pathwayText,
      nhsNumber,
      dateOfBirth,
      sex,
      ethnicity,
      postcode,
      lsoaCode,
      priorityType,
      sourceOfReferral,
      cancerReferralType,
      referralReceived: referral,
      consultantUpgrade: upgrade,
      orgFirstSeen,
      dateFirstSeen: firstSeen,
      firstSeenAdjustment,
      fdsEnd,
      fdsEndReason,
      fdsExclusionReason: exclusionText === '' ? null : normaliseCode(exclusionText, 2),
      orgFdsEnd,
      accountableInvestigatingProvider: accountable,
      transferToTreatment: transfer,
      primaryDiagnosis,
      decisionToTreat: dtt,
      treatmentStart: treatment,
      treatmentEventType,
      treatmentModality,
      orgTreatmentStart,
      treatmentAdjustment,
      treatmentAdjustmentReason: adjustmentReason === '' ? null : adjustmentReason,
      patientStatus,
    },
    warnings: check.warnings,
  };
}
