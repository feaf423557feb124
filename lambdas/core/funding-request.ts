import { z } from 'zod';
import {
  AgeWeightsSchema,
  checkAgeWeights,
  checkDeprivation,
  DeprivationSchema,
  FUNDING_STANDARDS,
  type RangeIssue,
} from './funding-config';
import { periodsBetween } from './periods';

/**
 * The body of `POST /funding/allocations`. Two layers: `FundingRequestShape` is structure only
 * (types, names, enums, patterns) and also becomes the API Gateway request model; the ranges and
 * cross-field rules are refinements, checked by the function so a 400 always says why.
 */

const PeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/** At most five years of aggregates feed one allocation. */
export const MAX_WINDOW_MONTHS = 60;
/** Weights must sum to 1 within this tolerance. */
export const WEIGHT_SUM_TOLERANCE = 1e-9;
/** Larger budgets lose whole-pound precision in floating point long before this. */
export const MAX_BUDGET = 1e12;

export const FundingRequestShape = z.strictObject({
  /** Free text kept with the decision, e.g. "2026/27 waiting-times pot". */
  label: z.string().max(200).optional(),
  /** Whole pounds. */
  budget: z.number(),
  unit: z.enum(['place', 'trust']),
  /** Reporting months whose aggregates make up the performance gap (and trust catchments). */
  window: z.strictObject({ from: PeriodSchema, to: PeriodSchema }),
  /** Standards whose shortfall is the gap; default from config. */
  standards: z.array(z.enum(FUNDING_STANDARDS)).optional(),
  /** Blend a (need), b (gap), c (equal share); a + b + c = 1. */
  weights: z.strictObject({ need: z.number(), gap: z.number(), equal: z.number() }),
  ageWeights: AgeWeightsSchema.optional(),
  deprivation: DeprivationSchema.optional(),
  imdEdition: z.enum(['2025', '2019']).optional(),
  /** The allocation the damping compares with: a saved one, or amounts by unit id. */
  previous: z
    .union([
      z.strictObject({ allocationId: z.string().min(1).max(100) }),
      z.strictObject({ amounts: z.record(z.string(), z.number()) }),
    ])
    .optional(),
  /** Cap on each unit's change from the previous allocation (0.05 = ±5%). */
  damping: z.strictObject({ maxChange: z.number() }).optional(),
  /** Amounts are whole multiples of this many pounds; default from config (£1). */
  roundTo: z.number().optional(),
});

function requestIssues(request: z.infer<typeof FundingRequestShape>): RangeIssue[] {
  const issues: RangeIssue[] = [];
  const { budget, weights, window } = request;
  if (!Number.isInteger(budget) || budget <= 0 || budget > MAX_BUDGET) {
    issues.push({
      path: ['budget'],
      message: `the budget must be a whole number of pounds above 0 and at most ${MAX_BUDGET}`,
    });
  }
  for (const name of ['need', 'gap', 'equal'] as const) {
    const weight = weights[name];
    if (!Number.isFinite(weight) || weight < 0) {
      issues.push({ path: ['weights', name], message: `weight ${name} must not be negative` });
    }
  }
  const total = weights.need + weights.gap + weights.equal;
  if (!(Math.abs(total - 1) <= WEIGHT_SUM_TOLERANCE)) {
    issues.push({
      path: ['weights'],
      message: `the weights must sum to 1 (need + gap + equal = ${Number(total.toPrecision(12))})`,
    });
  }
  if (window.from > window.to) {
    issues.push({ path: ['window', 'from'], message: '`from` must not be after `to`' });
  } else if (periodsBetween(window.from, window.to).length > MAX_WINDOW_MONTHS) {
    issues.push({ path: ['window'], message: `at most ${MAX_WINDOW_MONTHS} months` });
  }
  if (request.standards) {
    if (request.standards.length === 0) {
      issues.push({ path: ['standards'], message: 'name at least one standard' });
    } else if (new Set(request.standards).size !== request.standards.length) {
      issues.push({ path: ['standards'], message: 'a standard is listed twice' });
    }
  }
  if (request.ageWeights) checkAgeWeights(request.ageWeights, ['ageWeights'], issues);
  if (request.deprivation) checkDeprivation(request.deprivation, ['deprivation'], issues);
  if (request.previous && 'amounts' in request.previous) {
    const amounts = Object.values(request.previous.amounts);
    if (amounts.some((amount) => !Number.isFinite(amount) || amount < 0)) {
      issues.push({ path: ['previous', 'amounts'], message: 'amounts must be ≥ 0' });
    } else if (!(amounts.reduce((sum, amount) => sum + amount, 0) > 0)) {
      issues.push({ path: ['previous', 'amounts'], message: 'amounts must total more than 0' });
    }
  }
  if (request.damping) {
    const { maxChange } = request.damping;
    if (!Number.isFinite(maxChange) || maxChange < 0 || maxChange > 1) {
      issues.push({
        path: ['damping', 'maxChange'],
        message: 'the maximum change must be between 0 and 1 (0.05 = ±5%)',
      });
    }
    if (!request.previous) {
      issues.push({ path: ['damping'], message: 'damping needs a previous allocation' });
    }
  }
  if (request.roundTo !== undefined) {
    const unit = request.roundTo;
    if (!Number.isInteger(unit) || unit < 1) {
      issues.push({ path: ['roundTo'], message: 'the rounding unit must be a whole number ≥ 1' });
    } else if (Number.isInteger(budget) && budget % unit !== 0) {
      issues.push({
        path: ['roundTo'],
        message: `the budget (${budget}) must be a whole multiple of the rounding unit (${unit})`,
      });
    }
  }
  return issues;
}

export const FundingRequestSchema = FundingRequestShape.superRefine((request, ctx) => {
  for (const issue of requestIssues(request)) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
});
export type FundingRequest = z.infer<typeof FundingRequestSchema>;

/** The request model for API Gateway (JSON Schema draft 4): structure only. */
export function fundingRequestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FundingRequestShape, { target: 'draft-04' }) as Record<string, unknown>;
}
