import { type AllianceConfig, type Standard, valueInForce } from './config';
import { ALL_TRUSTS, buildPerformance, type PerformanceContribution } from './performance';
import { periodsBetween } from './periods';
import { analyseXmr, type SpcRule, type Variation } from './spc';

/**
 * A standard's monthly headline series for one trust (or the alliance, `ALL`) with its XmR
 * analysis: what a board's SPC chart plots. Figures come from {@link buildPerformance}, so the
 * series always agrees with `/performance`.
 */

export interface SeriesPoint {
  readonly period: string;
  /** Null for a month without figures (no submission, or no clock stops). */
  readonly within: number | null;
  readonly total: number | null;
  readonly performance: number | null;
  readonly target: number | null;
  /** SPC rules that flag this month; empty for common cause or a month without figures. */
  readonly rules: SpcRule[];
  /** Null for a month without figures. */
  readonly variation: Variation | null;
}

export interface SeriesSpc {
  readonly mean: number;
  readonly movingRangeMean: number;
  readonly lowerProcessLimit: number;
  readonly upperProcessLimit: number;
  readonly lowerNearLimit: number;
  readonly upperNearLimit: number;
  /** Months with figures, from which the limits were computed. */
  readonly points: number;
  /** Enough points for the limits to be trusted (`rules.alerts.spc.minPoints`). */
  readonly sufficient: boolean;
}

export interface PerformanceSeries {
  readonly standard: Standard;
  readonly trust: string;
  readonly from: string;
  readonly to: string;
  /** Null with fewer than two months of figures. */
  readonly spc: SeriesSpc | null;
  readonly points: SeriesPoint[];
}

export interface SeriesInput {
  readonly standard: Standard;
  /** ODS code, or `ALL` for the alliance. */
  readonly trust: string;
  readonly from: string;
  readonly to: string;
  readonly contributions: readonly PerformanceContribution[];
  readonly config: AllianceConfig;
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

export function buildSeries(input: SeriesInput): PerformanceSeries {
  const { standard, trust, from, to, config } = input;
  const performance = buildPerformance({
    standard,
    from,
    to,
    ...(trust === ALL_TRUSTS ? {} : { trust }),
    contributions: input.contributions,
    config,
    // headline rows are never suppressed; the option only matters for breakdowns
    disclosure: 'full',
  });
  const rows = new Map(
    performance.rows
      .filter((row) => row.trust === trust && row.group === null)
      .map((row) => [row.period, row]),
  );
  const months = periodsBetween(from, to).map((period) => {
    const row = rows.get(period);
    const counted = row && row.total !== null && row.total > 0 && row.within !== null;
    return {
      period,
      within: counted ? row.within : null,
      total: counted ? row.total : null,
      // the unrounded share, so the limits do not inherit the 4-decimal rounding of the rows
      value: counted ? (row.within as number) / (row.total as number) : null,
      target: valueInForce(config.targets[standard], period)?.value ?? null,
    };
  });

  const measured = months.filter((month) => month.value !== null);
  const analysis = analyseXmr(measured.map((month) => month.value as number));
  const flags = new Map(measured.map((month, i) => [month.period, analysis?.points[i]] as const));
  const points = months.map(
    (month): SeriesPoint => ({
      period: month.period,
      within: month.within,
      total: month.total,
      performance: month.value === null ? null : round4(month.value),
      target: month.target,
      rules: flags.get(month.period)?.rules ?? [],
      variation: month.value === null ? null : (flags.get(month.period)?.variation ?? null),
    }),
  );
  const spc: SeriesSpc | null = analysis
    ? {
        mean: round4(analysis.mean),
        movingRangeMean: round4(analysis.movingRangeMean),
        lowerProcessLimit: round4(analysis.lowerProcessLimit),
        upperProcessLimit: round4(analysis.upperProcessLimit),
        lowerNearLimit: round4(analysis.lowerNearLimit),
        upperNearLimit: round4(analysis.upperNearLimit),
        points: measured.length,
        sufficient: measured.length >= config.rules.alerts.spc.minPoints,
      }
    : null;
  return { standard, trust, from, to, spc, points };
}
