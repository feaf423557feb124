import { z } from 'zod';
import { AlertRulesSchema } from './alert-config';
import { FundingConfigSchema } from './funding-config';

/**
 * Alliance configuration: who the alliance is, its trusts and places, and the rules in force.
 * Validated once (CDK app at synth time, each Lambda at cold start from ALLIANCE_CONFIG), so a
 * typo fails loudly before anything runs. Everything the domain brief marks UNVERIFIED lives here
 * with a sensible default rather than in code.
 */

const PeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
const OdsTrustSchema = z.string().regex(/^[A-Z0-9]{3}$/, 'expected a 3-character ODS trust code');

export const STANDARDS = ['fds', '31d', '62d'] as const;
export type Standard = (typeof STANDARDS)[number];

/**
 * Everything stored per submission in the aggregates, each in the same cell format: the headline
 * standards (`62d` with the shared breach allocation of domain brief §2.4), the 62-day figures
 * with every pathway given to the treating trust (`62d-treating`), the inter-provider handover
 * sub-metrics (`38d` referrer, `24d` treater) and the open-pathway snapshot (`backlog`).
 */
export const STORED_STANDARDS = [...STANDARDS, '62d-treating', '38d', '24d', 'backlog'] as const;
export type StoredStandard = (typeof STORED_STANDARDS)[number];
/** Stored ids that come from a record's clock stop (everything but the backlog snapshot). */
export type OutcomeStandard = Exclude<StoredStandard, 'backlog'>;

/** A value that applies from a month onwards, until a later entry replaces it. */
const EffectiveValueSchema = z.object({
  from: PeriodSchema,
  value: z.number().min(0).max(1),
  /** Where the figure comes from, shown to users beside the target. */
  source: z.string().optional(),
});
export type EffectiveValue = z.infer<typeof EffectiveValueSchema>;

const TargetsSchema = z.object({
  fds: z.array(EffectiveValueSchema).min(1),
  '31d': z.array(EffectiveValueSchema).min(1),
  '62d': z.array(EffectiveValueSchema).min(1),
  /** Handover sub-metrics: no national percentage exists (day 38 is a policy date), so optional. */
  '38d': z.array(EffectiveValueSchema).optional(),
  '24d': z.array(EffectiveValueSchema).optional(),
});

export const TrustSchema = z.object({
  ods: OdsTrustSchema,
  name: z.string().min(1),
  /** Short name used in messages (e.g. "BHRUT"). */
  shortName: z.string().optional(),
});
export type Trust = z.infer<typeof TrustSchema>;

export const PlaceSchema = z.object({
  /** Stable identifier used in API groups (e.g. "city-and-hackney"). */
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  /** GSS local authority district codes that make up the place. */
  localAuthorities: z.array(z.string().regex(/^E0[6-9]\d{6}$/)).min(1),
});
export type Place = z.infer<typeof PlaceSchema>;

export const RulesSchema = z.object({
  /** Share of invalid records above which a whole file is rejected. */
  rejectInvalidShare: z.number().min(0).max(1).default(0.5),
  /** IMD edition used for enrichment; recorded on every enriched record. */
  imdEdition: z.enum(['2025', '2019']).default('2025'),
  /**
   * Domain brief §1.4 (UNVERIFIED): one public implementation keeps FDS end reason 03 with
   * exclusion reason 01 as a breach when the wait exceeds 28 days. Off unless confirmed.
   */
  fdsCountExcludedLateAsBreach: z.boolean().default(false),
  /** NHS small-number suppression for breakdowns (domain brief §6). */
  suppression: z
    .object({
      /** Counts from 1 up to this value are suppressed. */
      maxSuppressed: z.number().int().min(0).default(7),
      /** Other counts are rounded to the nearest multiple of this. */
      roundTo: z.number().int().min(1).default(5),
    })
    .default({ maxSuppressed: 7, roundTo: 5 }),
  /** Files above this size are split into chunks processed by a Distributed Map. */
  chunkThresholdBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Records per chunk on the chunked path. */
  chunkRows: z.number().int().positive().default(250_000),
  /** Thresholds of the alert rules (inequality gap, special cause, submission deadline). */
  alerts: AlertRulesSchema.default(AlertRulesSchema.parse({})),
});
export type Rules = z.infer<typeof RulesSchema>;

export const AllianceConfigSchema = z.object({
  /** Alliance display name, e.g. "North East London". */
  name: z.string().min(1),
  /** ONS Cancer Alliance code (E56…). */
  code: z.string().regex(/^E56\d{6}$/),
  region: z.string().default('eu-west-2'),
  trusts: z.array(TrustSchema).min(1),
  places: z.array(PlaceSchema).default([]),
  /** Operational standards by effective month (fractions). */
  targets: TargetsSchema,
  /** Planning ambitions / interim trajectories by effective month (fractions). */
  ambitions: TargetsSchema.partial().default({}),
  rules: RulesSchema.default(RulesSchema.parse({})),
  /** Funding-allocation defaults (domain brief §5.2); absent = the defaults in funding-config. */
  funding: FundingConfigSchema.optional(),
  /** Email subscribed to the alerts topic (cloud only). */
  alertEmail: z.email().optional(),
});
export type AllianceConfig = z.infer<typeof AllianceConfigSchema>;

/** The value in force for a month: the latest entry whose `from` is not after it. */
export function valueInForce(
  entries: readonly EffectiveValue[] | undefined,
  period: string,
): EffectiveValue | null {
  let best: EffectiveValue | null = null;
  for (const entry of entries ?? []) {
    if (entry.from <= period && (best === null || entry.from > best.from)) best = entry;
  }
  return best;
}
