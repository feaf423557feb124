import type { AllianceConfig, Standard } from './config';
import type { PerformanceRow } from './performance';

/**
 * Alert rules on the monthly figures. An alert carries figures, the threshold and a pointer to
 * the report query — never patient data.
 */

export const STANDARD_LABELS: Record<Standard, string> = {
  fds: '28-day Faster Diagnosis Standard',
  '31d': '31-day decision to treat to treatment',
  '62d': '62-day referral to treatment',
};

export interface BreachAlert {
  readonly kind: 'standard-breach';
  readonly period: string;
  readonly trust: string;
  /** The figures behind the alert, kept with it so a later change can be seen. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly message: Record<string, unknown>;
}

/** A breach for every trust (and the alliance, trust "ALL") below the target in force. */
export function standardBreaches(
  rows: readonly PerformanceRow[],
  standard: Standard,
  config: AllianceConfig,
): BreachAlert[] {
  const breaches: BreachAlert[] = [];
  for (const row of rows) {
    if (row.group !== null || row.meetsTarget !== false) continue;
    if (row.performance === null || row.target === null) continue;
    const trustName =
      row.trust === 'ALL'
        ? `${config.name} Cancer Alliance`
        : (config.trusts.find((t) => t.ods === row.trust)?.name ?? row.trust);
    const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
    breaches.push({
      kind: 'standard-breach',
      period: row.period,
      trust: row.trust,
      fingerprint: `${row.within}/${row.total}/${row.target}`,
      subject: `${STANDARD_LABELS[standard]} below target: ${row.trust} ${row.period} ${percent(row.performance)} (target ${percent(row.target)})`,
      message: {
        type: 'standard-breach',
        standard,
        standardName: STANDARD_LABELS[standard],
        trust: row.trust,
        trustName,
        period: row.period,
        within: row.within,
        total: row.total,
        performance: row.performance,
        threshold: row.target,
        shortfall: shortfall(row.within ?? 0, row.total ?? 0, row.target),
        query: `/performance?standard=${standard}&from=${row.period}&to=${row.period}${row.trust === 'ALL' ? '' : `&trust=${row.trust}`}`,
      },
    });
  }
  return breaches;
}

/** Patients who would have needed to be seen/treated in time to meet the target. */
export function shortfall(within: number, total: number, target: number): number {
  return Math.max(0, Math.ceil(target * total - within - 1e-9));
}
