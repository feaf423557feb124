import { z } from 'zod';

/**
 * Settings of the alert rules (`rules.alerts` in the alliance config). Every threshold is
 * configuration: the defaults are a starting point for an alliance to agree, not national rules.
 */

const PeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

export const InequalityRuleSchema = z.object({
  /** Alert when a group's performance is more than this many percentage points below the rest. */
  gapPoints: z.number().min(0).max(100).default(10),
  /** Fewer patients than this in the group, or in the rest, is too few to call a gap. */
  minPatients: z.number().int().min(1).default(20),
});

export const SpcRuleSchema = z.object({
  /**
   * Process limits from fewer points than this are not trusted for alerts (Making Data Count
   * advises at least 12–20 points); the series API still draws them, marked `sufficient: false`.
   */
  minPoints: z.number().int().min(2).default(12),
  /** Months of history, ending at the submitted period, that a special-cause check looks at. */
  windowMonths: z.number().int().min(2).max(60).default(24),
});

export const SubmissionDeadlineSchema = z.object({
  /** A period's file is due this many days after the last day of the month. */
  daysAfterPeriodEnd: z.number().int().min(0).max(366).default(25),
  /** How many overdue periods, newest first, each scheduled check looks at. */
  lookbackMonths: z.number().int().min(1).max(24).default(3),
  /** The first period trusts are expected to submit (go-live); earlier months are never chased. */
  firstPeriod: PeriodSchema.optional(),
});

export const BacklogGrowthSchema = z.object({
  /** Alert when the number waiting over 62 days rises by at least this many patients… */
  minIncrease: z.number().int().min(1).default(5),
  /** …and by at least this share of the previous month's figure. */
  minRelativeIncrease: z.number().min(0).default(0.1),
});

export const AlertRulesSchema = z.object({
  inequality: InequalityRuleSchema.default(InequalityRuleSchema.parse({})),
  spc: SpcRuleSchema.default(SpcRuleSchema.parse({})),
  submissionDeadline: SubmissionDeadlineSchema.default(SubmissionDeadlineSchema.parse({})),
  backlogGrowth: BacklogGrowthSchema.default(BacklogGrowthSchema.parse({})),
});
export type AlertRules = z.infer<typeof AlertRulesSchema>;
