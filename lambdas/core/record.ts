/**
 * The canonical CWT pathway record: the upload contract's columns (dataset `cwt`) and the
 * normalised shape the rules work on.
 *
 * Dates are held as day numbers (whole days since 1970-01-01, UTC) so clock arithmetic is integer
 * subtraction and no Date objects are created per record. `null` means "not recorded".
 * Codes are normalised to their data-dictionary width (`1` → `01` for two-character codes).
 */

export const CANONICAL_COLUMNS = [
  'pathway_id',
  'nhs_number',
  'date_of_birth',
  'person_stated_gender_code',
  'ethnic_category',
  'postcode',
  'lsoa_code',
  'priority_type',
  'source_of_referral',
  'cancer_referral_type',
  'referral_received_date',
  'consultant_upgrade_date',
  'org_first_seen',
  'date_first_seen',
  'first_seen_adjustment_days',
  'fds_end_date',
  'fds_end_reason',
  'fds_exclusion_reason',
  'org_fds_end',
  'accountable_investigating_provider',
  'transfer_to_treatment_date',
  'primary_diagnosis_icd10',
  'decision_to_treat_date',
  'treatment_start_date',
  'treatment_event_type',
  'treatment_modality',
  'org_treatment_start',
  'treatment_adjustment_days',
  'treatment_adjustment_reason',
  'patient_status',
] as const;

export type ColumnName = (typeof CANONICAL_COLUMNS)[number];

/** Columns whose absence rejects a whole file. */
export const REQUIRED_COLUMNS: readonly ColumnName[] = [
  'pathway_id',
  'nhs_number',
  'priority_type',
  'referral_received_date',
];

/** Columns that identify a patient: they never leave the enrichment step. */
export const PATIENT_IDENTIFIER_COLUMNS: readonly ColumnName[] = [
  'nhs_number',
  'date_of_birth',
  'postcode',
];

/** A day number: whole days since 1970-01-01 (UTC). */
export type DayNumber = number;

export interface PathwayRecord {
  /** Spreadsheet-style row number in the uploaded file (the header is row 1). */
  readonly row: number;
  readonly pathwayId: string;
  /** 10 digits, Modulus 11 valid. */
  readonly nhsNumber: string;
  readonly dateOfBirth: DayNumber | null;
  /** PERSON STATED GENDER CODE: '1', '2', '9' or 'X'. */
  readonly sex: string | null;
  /** ETHNIC CATEGORY national code: 'A'…'S', 'Z' or '99'. */
  readonly ethnicity: string | null;
  /** Upper case, single space before the inward code (e.g. 'E1 1BB'). */
  readonly postcode: string | null;
  /** LSOA 2011 or 2021 code as supplied (E01…). */
  readonly lsoaCode: string | null;
  /** PRIORITY TYPE: '1' routine, '2' urgent, '3' two week wait (urgent suspected cancer). */
  readonly priorityType: string;
  readonly sourceOfReferral: string | null;
  readonly cancerReferralType: string | null;
  readonly referralReceived: DayNumber;
  readonly consultantUpgrade: DayNumber | null;
  readonly orgFirstSeen: string | null;
  readonly dateFirstSeen: DayNumber | null;
  /** Days; 0 when not recorded. */
  readonly firstSeenAdjustment: number;
  readonly fdsEnd: DayNumber | null;
  readonly fdsEndReason: string | null;
  readonly fdsExclusionReason: string | null;
  readonly orgFdsEnd: string | null;
  readonly accountableInvestigatingProvider: string | null;
  readonly transferToTreatment: DayNumber | null;
  readonly primaryDiagnosis: string | null;
  readonly decisionToTreat: DayNumber | null;
  readonly treatmentStart: DayNumber | null;
  readonly treatmentEventType: string | null;
  readonly treatmentModality: string | null;
  readonly orgTreatmentStart: string | null;
  /** Days; 0 when not recorded. */
  readonly treatmentAdjustment: number;
  readonly treatmentAdjustmentReason: string | null;
  readonly patientStatus: string | null;
}

/** The trust (3-character ODS code) of an organisation code: a site's trust is its first three characters. */
export function trustOf(orgCode: string | null | undefined): string | null {
  if (!orgCode) return null;
  return orgCode.slice(0, 3).toUpperCase();
}
