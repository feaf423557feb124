import { type AllianceConfig, type Standard, valueInForce } from './config';
import { ALL, type Dimension, PATIENT_CHARACTERISTIC_DIMENSIONS } from './enriched';
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

export interface PerformanceContribution {
  readonly period: string;
  readonly standard: Standard;
  readonly cells: ReadonlyArray<
    readonly [dimension: string, trust: string, group: string, within: number, total: number]
  >;
}

export interface PerformanceInput {
  readonly standard: Standard;
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
  readonly standard: Standard;
  readonly from: string;
  readonly to: string;
  readonly by: Dimension | null;
  readonly rows: PerformanceRow[];
}

interface Sum {
  readonly period: string;
  readonly trust: string;
  readonly group: string | null;
  within: number;
  total: number;
}

/** Counts keep whole numbers as they are; shared-breach halves are shown to 4 decimals. */
function roundCount(value: number): number {
  return Number.isInteger(value) ? value : Math.round(value * 10_000) / 10_000;
}

function round4(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

const compareText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function compareRows(a: PerformanceRow, b: PerformanceRow): number {
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

/**
 * The rows the performance API returns: within/total/performance per month × trust (× group when
 * broken down), plus the alliance total ('ALL'), with the target and ambition in force that month.
 * Only the alliance's configured trusts count, in their own rows and in 'ALL'. Breakdowns by a
 * patient characteristic are suppressed (NHS rule) unless full disclosure is asked for; headline
 * and route/cancer-type rows never are.
 */
export function buildPerformance(input: PerformanceInput): PerformanceResult {
  const { standard, from, to, trust, by, config, disclosure } = input;
  const dimension = by ?? ALL;
  const configured = new Set(config.trusts.map((t) => t.ods));
  const sums = new Map<string, Sum>();

  const addTo = (period: string, rowTrust: string, group: string | null, w: number, t: number) => {
    const key = `${period}|${rowTrust}|${group ?? ''}`;
    const sum = sums.get(key);
    if (sum) {
      sum.within += w;
      sum.total += t;
    } else sums.set(key, { period, trust: rowTrust, group, within: w, total: t });
  };

  for (const contribution of input.contributions) {
    const { period } = contribution;
    if (contribution.standard !== standard || period < from || period > to) continue;
    for (const [cellDimension, cellTrust, cellGroup, within, total] of contribution.cells) {
      if (cellDimension !== dimension || !configured.has(cellTrust)) continue;
      const group = by ? cellGroup : null;
      if (trust === undefined || cellTrust === trust)
        addTo(period, cellTrust, group, within, total);
      addTo(period, ALL_TRUSTS, group, within, total);
    }
  }

  const suppress =
    by !== undefined && disclosure !== 'full' && PATIENT_CHARACTERISTIC_DIMENSIONS.includes(by);
  const rows: PerformanceRow[] = [];
  for (const sum of sums.values()) {
    const target = valueInForce(config.targets[standard], sum.period)?.value ?? null;
    const ambition = valueInForce(config.ambitions[standard], sum.period)?.value ?? null;
    const base = { period: sum.period, trust: sum.trust, group: sum.group, target, ambition };
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
  rows.sort(compareRows);
  return { standard, from, to, by: by ?? null, rows };
}
