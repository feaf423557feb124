import { z } from 'zod';
import type { Standard } from './config';

/**
 * Funding-allocation settings (domain brief §5.2) an alliance may set in its config under
 * `funding`; every one can also be overridden per request. This module must not import values
 * from ./config (which imports this one), only types.
 */

/** The 5-year age bands of the ONS small-area population estimates, youngest first. */
export const AGE_BANDS = [
  '0-4',
  '5-9',
  '10-14',
  '15-19',
  '20-24',
  '25-29',
  '30-34',
  '35-39',
  '40-44',
  '45-49',
  '50-54',
  '55-59',
  '60-64',
  '65-69',
  '70-74',
  '75-79',
  '80-84',
  '85-89',
  '90+',
] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Standards a performance gap can be measured on: the ones with a target. */
export const FUNDING_STANDARDS = ['fds', '31d', '62d'] as const satisfies readonly Standard[];
export type FundingStandard = (typeof FUNDING_STANDARDS)[number];

export const IMD_QUINTILES = ['1', '2', '3', '4', '5'] as const;
export type ImdQuintile = (typeof IMD_QUINTILES)[number];

/** One weight per age band (structure only; ranges are checked where the reason can be given). */
export const AgeWeightsSchema = z.strictObject(
  Object.fromEntries(AGE_BANDS.map((band) => [band, z.number()])) as Record<AgeBand, z.ZodNumber>,
);
export type AgeWeights = Readonly<Record<AgeBand, number>>;

/** Core20 uplift `1 + β × share in quintile 1`, or a multiplier per national IMD quintile. */
export const DeprivationSchema = z.union([
  z.strictObject({ beta: z.number() }),
  z.strictObject({
    multipliers: z.strictObject(
      Object.fromEntries(IMD_QUINTILES.map((q) => [q, z.number()])) as Record<
        ImdQuintile,
        z.ZodNumber
      >,
    ),
  }),
]);
export type DeprivationRule = z.infer<typeof DeprivationSchema>;

/**
 * Relative cancer incidence by age band: the age-specific incidence rate of all malignant
 * cancers excluding non-melanoma skin cancer, persons, divided by the all-ages rate, so a
 * population with England's age structure has a need-weighted population close to its headcount.
 * UNVERIFIED: approximate values in the shape of the NDRS/CRUK England age-specific rates
 * (about 2017–2019), not transcribed from a publication. Replace them (config `funding.ageWeights`
 * or per request) with the published NDRS Cancer Registration Statistics rates before a real
 * allocation; the response always reports the weights it used and whether they are verified.
 */
export const DEFAULT_AGE_WEIGHTS: AgeWeights = {
  '0-4': 0.03,
  '5-9': 0.02,
  '10-14': 0.02,
  '15-19': 0.03,
  '20-24': 0.05,
  '25-29': 0.08,
  '30-34': 0.12,
  '35-39': 0.18,
  '40-44': 0.26,
  '45-49': 0.41,
  '50-54': 0.62,
  '55-59': 0.9,
  '60-64': 1.32,
  '65-69': 1.84,
  '70-74': 2.41,
  '75-79': 2.92,
  '80-84': 3.29,
  '85-89': 3.6,
  '90+': 3.49,
};

export const DEFAULT_AGE_WEIGHTS_SOURCE =
  'Relative all-cancer incidence by age band (approximate; UNVERIFIED — replace with NDRS ' +
  'Cancer Registration Statistics age-specific rates)';

export interface RangeIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Range checks shared by the request and the config: each adds issues to `issues`. */
export function checkAgeWeights(
  weights: Readonly<Record<string, number>>,
  path: (string | number)[],
  issues: RangeIssue[],
): void {
  for (const band of AGE_BANDS) {
    const weight = weights[band] ?? Number.NaN;
    if (!Number.isFinite(weight) || weight < 0) {
      issues.push({ path: [...path, band], message: 'an age weight must be a number ≥ 0' });
    }
  }
  if (!AGE_BANDS.some((band) => (weights[band] ?? 0) > 0)) {
    issues.push({ path, message: 'at least one age weight must be above 0' });
  }
}

export function checkDeprivation(
  rule: DeprivationRule,
  path: (string | number)[],
  issues: RangeIssue[],
): void {
  if ('beta' in rule) {
    if (!Number.isFinite(rule.beta) || rule.beta < 0) {
      issues.push({ path: [...path, 'beta'], message: 'β must be a number ≥ 0' });
    }
    return;
  }
  for (const q of IMD_QUINTILES) {
    const m = rule.multipliers[q];
    if (!Number.isFinite(m) || m <= 0) {
      issues.push({ path: [...path, 'multipliers', q], message: 'a multiplier must be above 0' });
    }
  }
}

export const FundingConfigSchema = z
  .object({
    ageWeights: z
      .object({
        weights: AgeWeightsSchema,
        /** Where the weights come from, quoted in every allocation. */
        source: z.string().min(1),
        verified: z.boolean(),
      })
      .default({
        weights: { ...DEFAULT_AGE_WEIGHTS },
        source: DEFAULT_AGE_WEIGHTS_SOURCE,
        verified: false,
      }),
    /**
     * β = 0.25: a place whose residents all live in national quintile 1 counts 25% more need.
     * A local choice (UNVERIFIED), to be published with the pot.
     */
    deprivation: DeprivationSchema.default({ beta: 0.25 }),
    /** Standards whose shortfall makes up the performance gap. */
    gapStandards: z.array(z.enum(FUNDING_STANDARDS)).min(1).default(['fds', '62d']),
    /** Whose patients define a trust's catchment (see funding-units.ts). */
    catchmentStandard: z.enum(FUNDING_STANDARDS).default('fds'),
    /** Amounts are whole multiples of this many pounds. */
    roundTo: z.number().int().min(1).default(1),
  })
  .superRefine((config, ctx) => {
    const issues: RangeIssue[] = [];
    checkAgeWeights(config.ageWeights.weights, ['ageWeights', 'weights'], issues);
    checkDeprivation(config.deprivation, ['deprivation'], issues);
    for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  });
export type FundingConfig = z.infer<typeof FundingConfigSchema>;

/** The alliance's funding settings with every default filled in. */
export function fundingConfigOf(config: { readonly funding?: unknown }): FundingConfig {
  return FundingConfigSchema.parse(config.funding ?? {});
}
