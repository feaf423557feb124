import { z } from 'zod';

/**
 * Settings of the data-quality scorecard (`rules.quality` in the alliance config). The default
 * codes and thresholds are a starting point for an alliance to agree (NHS DQMI sets its own per
 * data set), so every one is configuration.
 */

/**
 * Upload-contract items the scorecard assesses (domain brief §2, §7). Identifiers count too:
 * quality is about what the trust sent, and only counts are ever kept.
 */
export const QUALITY_ITEMS = [
  'nhs_number',
  'date_of_birth',
  'person_stated_gender_code',
  'ethnic_category',
  'postcode',
  'priority_type',
  'source_of_referral',
  'cancer_referral_type',
  'referral_received_date',
  'date_first_seen',
  'org_first_seen',
  'fds_end_date',
  'fds_end_reason',
  'org_fds_end',
  'decision_to_treat_date',
  'treatment_start_date',
  'treatment_event_type',
  'treatment_modality',
  'org_treatment_start',
  'primary_diagnosis_icd10',
] as const;
export type QualityItem = (typeof QUALITY_ITEMS)[number];

/** Items with a code value set, the only ones that can have "default" (not known) codes. */
export const CODED_QUALITY_ITEMS = [
  'person_stated_gender_code',
  'ethnic_category',
  'priority_type',
  'source_of_referral',
  'cancer_referral_type',
  'fds_end_reason',
  'treatment_event_type',
  'treatment_modality',
] as const satisfies readonly QualityItem[];
export type CodedQualityItem = (typeof CODED_QUALITY_ITEMS)[number];

const ShareSchema = z.number().min(0).max(1);

/** Built-in default codes and thresholds; config entries replace them item by item. */
const DEFAULT_CODES: Partial<Record<CodedQualityItem, string[]>> = {
  ethnic_category: ['Z', '99'],
  person_stated_gender_code: ['X', '9'],
};
const DEFAULT_THRESHOLDS: Partial<Record<QualityItem, number>> = {
  ethnic_category: 0.05,
  person_stated_gender_code: 0.01,
};

export const QualityRulesSchema = z.object({
  /**
   * Codes that mean "not stated / not known" per item, compared after the validator's
   * normalisation (`z` → `Z`, `9` → `09` for two-character codes). A list given here replaces the
   * default list for that item. ETHNIC CATEGORY Z (not stated) and 99 (not known) follow the NHS
   * Data Dictionary; PERSON STATED GENDER X (not known) and 9 (indeterminate) are a local choice.
   */
  defaultCodes: z
    .partialRecord(z.enum(CODED_QUALITY_ITEMS), z.array(z.string().trim().min(1)))
    .default({})
    // per item: naming one item's codes must not drop the built-in codes of the others
    .transform((given) => ({ ...DEFAULT_CODES, ...given })),
  /**
   * DQMI default threshold per item: the share of records that may carry a default code before
   * the rest count against the item score. An item with default codes but no threshold here
   * tolerates none.
   */
  defaultThresholds: z
    .partialRecord(z.enum(QUALITY_ITEMS), ShareSchema)
    .default({})
    .transform((given) => ({ ...DEFAULT_THRESHOLDS, ...given })),
  /** Months, ending at each period, over which coverage of expected submissions is measured. */
  coverageMonths: z.number().int().min(1).max(36).default(12),
  /** A DQMI-style score (0–100) below this is flagged `belowMinimum` on the scorecard. */
  minScore: z.number().min(0).max(100).default(80),
});
export type QualityRules = z.infer<typeof QualityRulesSchema>;
