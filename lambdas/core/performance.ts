import { type AllianceConfig, STANDARDS, type StoredStandard, valueInForce } from './config';
import { ALL, type Dimension, PATIENT_CHARACTERISTIC_DIMENSIONS } from './enriched';
import type { AllocationMode } from './standards';
import { suppressRow } from './suppression';

/** Trust code of the alliance-wide rows. */
export const ALL_TRUSTS = 'ALL';

export type Disclosure = 'suppressed' | 'full';

export interface PerformanceRow {
  readonly period: string;
  /** ODS trust code, or 'ALL' for the sum over the alliance's trusts. */
  readonly trust: string;
  /** Breakdown group; null on headline rows. */
  readonly group: string | null;
  readonly within: number | null;
  readonly total: number | null;
  /** within / total; null when total is 0 or the row is suppressed. */
  readonly performance: number | null;
  readonly target: number | null;
  readonly meetsTarget: boolean | null;
  readonly ambition: number | null;
  readonly suppressed?: true;
}

/** Standards the performance API serves: the headline three and the handover sub-metrics. */
export const PERFORMANCE_STANDARDS = [...STANDARDS, '38d', '24d'] as const;
export type PerformanceStandard = (typeof PERFORMANCE_STANDARDS)[number];

/** A stored contribution as the report functions read it (see lambdas/adapters/aggregates-repo). */
export interface PerformanceContribution {
  readonly period: string;
  readonly standard: StoredStandard;
  readonly cells: ReadonlyArray<
    readonly [dimension: string, trust: string, group: string, within: number, total: number]
  >;
  /** The trust whose submission this is (lets a report show a trust that submitted zero). */
  readonly submittingTrust?: string;
}

export interface PerformanceInput {
  readonly standard: PerformanceStandard;
  /**
   * 62-day only: `shared` (default) applies the inter-provider breach allocation of domain brief
   * §2.4; `treating` gives every pathway to the treating trust. Ignored for other standards.
   */
  readonly allocation?: AllocationMode;
  /** First and last reporting month (YYYY-MM), inclusive. */
  readonly from: string;
  readonly to: string;
  /** Only this trust's rows (the alliance rows are still included). */
  readonly trust?: string;
  readonly by?: Dimension;
  readonly contributions: readonly PerformanceContribution[];
  readonly config: AllianceConfig;
  readonly disclosure: Disclosure;
}

export interface PerformanceResult {
  readonly standard: PerformanceStandard;
  /** Present for 62-day only. */
  readonly allocation?: AllocationMode;
  readonly from: string;
  readonly to: string;
  readonly by: Dimension | null;
  readonly rows: PerformanceRow[];
}

/** Within/total summed over contributions for one period × trust × stored group. */
export interface CellSum {
  readonly period: string;
  readonly trust: string;
  /** The stored group (`all` on headline cells). */
  readonly group: string;
  within: number;
  total: number;
}

export interface SumQuery {
  readonly standard: StoredStandard;
  readonly from: string;
  readonly to: string;
  /** A breakdown dimension, or `all` for headline cells. */
  readonly dimension: string;
  /** Only this trust's own rows (the alliance rows still sum every trust). */
  readonly trust?: string | undefined;
  /** Trusts that count at all (the alliance's); every trust when left out. */
  readonly trusts?: ReadonlySet<string>;
}

/**
 * Sums the matching cells of every contribution per period × trust × group, plus the alliance
 * ('ALL'). Only `trusts` count, in their own rows and in 'ALL'. Shared by every report built on
 * the stored cells (performance, backlog).
 */
export function sumCells(
  contributions: readonly PerformanceContribution[],
  query: SumQuery,
): CellSum[] {
  const { standard, from, to, dimension, trust, trusts } = query;
  const sums = new Map<string, CellSum>();
  const addTo = (period: string, rowTrust: string, group: string, w: number, t: number) => {
    const key = `${period}|${rowTrust}|${group}`;
    const sum = sums.get(key);
    if (sum) {
      sum.within += w;
      sum.total += t;
    } else sums.set(key, { period, trust: rowTrust, group, within: w, total: t });
  };
  for (const contribution of contributions) {
    const { period } = contribution;
    if (contribution.standard !== standard || period < from || period > to) continue;
    for (const [cellDimension, cellTrust, cellGroup, within, total] of contribution.cells) {
      if (cellDimension !== dimension || (trusts && !trusts.has(cellTrust))) continue;
      if (trust === undefined || cellTrust === trust) {
        addTo(period, cellTrust, cellGroup, within, total);
      }
      addTo(period, ALL_TRUSTS, cellGroup, within, total);
    }
  }
  return [...sums.values()];
}

/** The alliance's trusts: cells of any other trust (e.g. treated elsewhere) are left out. */
export function configuredTrusts(config: AllianceConfig): ReadonlySet<string> {
  return new Set(config.trusts.map((t) => t.ods));
}

/** Whether a breakdown gets small-number suppression (patient characteristics only). */
export function isSuppressed(by: Dimension | undefined, disclosure: Disclosure): boolean {
  return (
    by !== undefined && disclosure !== 'full' && PATIENT_CHARACTERISTIC_DIMENSIONS.includes(by)
  );
}

/** Counts keep whole numbers as they are; shared-breach halves are shown to 4 decimals. */
export function roundCount(value: number): number {
  return Number.isInteger(value) ? value : Math.round(value * 10_000) / 10_000;
}

function round4(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

const compareText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Report row order: month, then trust (the alliance last), then group (headline first). */
export function compareReportRows(
  a: { readonly period: string; readonly trust: string; readonly group: string | null },
  b: { readonly period: string; readonly trust: string; readonly group: string | null },
): number {
  if (a.period !== b.period) return compareText(a.period, b.period);
  if (a.trust !== b.trust) {
    if (a.trust === ALL_TRUSTS) return 1;
    if (b.trust === ALL_TRUSTS) return -1;
    return compareText(a.trust, b.trust);
  }
  if (a.group === b.group) return 0;
  if (a.group === null) return -1;
  if (b.group === null) return 1;
  // Numeric-aware so IMD deciles read 1, 2, …, 10, then 'unknown'.
  return a.group.localeCompare(b.group, 'en', { numeric: true });
}

/** The stored id holding a standard's figures under an allocation. */
export function storedStandardOf(
  standard: PerformanceStandard,
  allocation: AllocationMode = 'shared',
): StoredStandard {
  return standard === '62d' && allocation === 'treating' ? '62d-treating' : standard;
}

/**
 * The rows the performance API returns: within/total/performance per month × trust (× group when
 * broken down), plus the alliance total ('ALL'), with the target and ambition in force that month.
 * Only the alliance's configured trusts count, in their own rows and in 'ALL'. Breakdowns by a
 * patient characteristic are suppressed (NHS rule) unless full disclosure is asked for; headline
 * and route/cancer-type/modality rows never are. 62-day figures are the shared allocation unless
 * `allocation: 'treating'` is asked for; the target is the 62-day target under both.
 */
export function buildPerformance(input: PerformanceInput): PerformanceResult {
  const { standard, from, to, trust, by, config, disclosure } = input;
  const allocation = standard === '62d' ? (input.allocation ?? 'shared') : undefined;
  const sums = sumCells(input.contributions, {
    standard: storedStandardOf(standard, allocation),
    from,
    to,
    dimension: by ?? ALL,
    trust,
    trusts: configuredTrusts(config),
  });

  const suppress = isSuppressed(by, disclosure);
  const rows: PerformanceRow[] = [];
  for (const sum of sums) {
    const target = valueInForce(config.targets[standard], sum.period)?.value ?? null;
    const ambition = valueInForce(config.ambitions[standard], sum.period)?.value ?? null;
    const group = by ? sum.group : null;
    const base = { period: sum.period, trust: sum.trust, group, target, ambition };
    const shown = suppress
      ? suppressRow(sum, config.rules.suppression)
      : {
          within: sum.within,
          total: sum.total,
          performance: sum.total === 0 ? null : sum.within / sum.total,
          suppressed: false,
        };
    if (shown.suppressed) {
      rows.push({
        ...base,
        within: null,
        total: null,
        performance: null,
        meetsTarget: null,
        suppressed: true,
      });
      continue;
    }
    rows.push({
      ...base,
      within: shown.within === null ? null : roundCount(shown.within),
      total: shown.total === null ? null : roundCount(shown.total),
      performance: round4(shown.performance),
      // Judged on the unrounded figure shown, so 74.996% never "meets" a 75% target.
      meetsTarget:
        shown.performance === null || target === null ? null : shown.performance >= target,
    });
  }
  rows.sort(compareReportRows);
  return {
    standard,
    ...(allocation ? { allocation } : {}),
    from,
    to,
    by: by ?? null,
    rows,
  };
}
