import type { Rules } from './config';

/**
 * NHS small-number suppression (domain brief §6, the HES/ECDS rule from September 2018): 0 is
 * shown as 0, counts of 1–7 are replaced by a suppression marker, every other count is rounded to
 * the nearest 5, and a percentage is computed from the rounded numerator and denominator — or
 * suppressed when either count is.
 *
 * Counts here are sums of allocation weights, and shared breaches make them fractional (0.5). A
 * fractional count is treated as the whole count it rounds to (half up): anything in
 * (0, maxSuppressed + 0.5) is suppressed, so 7.4 behaves as 7 and 7.5 as 8. A sum of weights of
 * at most 1 each always involves at least that many patients, so nothing suppressible slips out.
 */

export type SuppressionRule = Rules['suppression'];

export interface SuppressedRow {
  readonly within: number | null;
  readonly total: number | null;
  readonly performance: number | null;
  readonly suppressed: boolean;
}

function isSmall(count: number, maxSuppressed: number): boolean {
  return count > 0 && count < maxSuppressed + 0.5;
}

function roundToMultiple(count: number, roundTo: number): number {
  return Math.round(count / roundTo) * roundTo;
}

/** One count under the rule: 0 stays 0, 1–7 → null (suppressed), others rounded to 5. */
export function suppressCount(count: number, rule: SuppressionRule): number | null {
  if (count === 0) return 0;
  return isSmall(count, rule.maxSuppressed) ? null : roundToMultiple(count, rule.roundTo);
}

export function suppressRow(
  counts: { readonly within: number; readonly total: number },
  rule: SuppressionRule,
): SuppressedRow {
  const { within, total } = counts;
  if (total === 0) return { within: 0, total: 0, performance: null, suppressed: false };
  if (isSmall(total, rule.maxSuppressed) || isSmall(within, rule.maxSuppressed)) {
    return { within: null, total: null, performance: null, suppressed: true };
  }
  const roundedWithin = roundToMultiple(within, rule.roundTo);
  const roundedTotal = roundToMultiple(total, rule.roundTo);
  return {
    within: roundedWithin,
    total: roundedTotal,
    performance: roundedTotal === 0 ? null : roundedWithin / roundedTotal,
    suppressed: false,
  };
}
