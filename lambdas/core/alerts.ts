import type { AllianceConfig, Standard } from './config';
import { ALL_TRUSTS, type PerformanceRow } from './performance';

/**
 * Alert rules on the monthly figures. An alert carries figures, the threshold and a pointer to
 * the report query — never patient data. Each alert is stored once (see
 * lambdas/adapters/alerts-repo.ts) under its kind, period and `key`, which is what makes
 * re-evaluation idempotent.
 */

export const STANDARD_LABELS: Record<Standard, string> = {
  fds: '28-day Faster Diagnosis Standard',
  '31d': '31-day decision to treat to treatment',
  '62d': '62-day referral to treatment',
};

/** Short names for subject lines (SNS subjects stop at 100 characters). */
export const STANDARD_SHORT_LABELS: Record<Standard, string> = {
  fds: 'FDS',
  '31d': '31-day',
  '62d': '62-day',
};

/** Kinds of stored alert. A breach's resolution is stored on the breach and announced as
 * `breach-resolved`. */
export const ALERT_KINDS = [
  'standard-breach',
  'special-cause',
  'inequality-gap',
  'missing-submission',
  'over-104-days',
  'backlog-growth',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  readonly kind: AlertKind;
  readonly period: string;
  /** ODS code, or `ALL` for the alliance. */
  readonly trust: string;
  /** Null for alerts about submissions rather than a standard. */
  readonly standard: Standard | null;
  /** Tells apart alerts of one kind and period (standard, trust, group…): the stored sort key. */
  readonly key: string;
  /** The figures behind the alert, kept with it so a later change can be seen. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly message: Record<string, unknown>;
}

export interface BreachAlert extends Alert {
  readonly kind: 'standard-breach';
  readonly standard: Standard;
}

/** A headline figure back at or above target: closes the period's breach if one is open. */
export interface BreachResolution {
  readonly kind: 'standard-breach';
  readonly period: string;
  readonly trust: string;
  readonly standard: Standard;
  readonly key: string;
  readonly fingerprint: string;
  readonly figures: {
    readonly within: number;
    readonly total: number;
    readonly performance: number;
  };
  readonly threshold: number;
}

/** The trust's name, or the alliance's for `ALL`. */
export function scopeName(config: AllianceConfig, trust: string): string {
  return trust === ALL_TRUSTS
    ? `${config.name} Cancer Alliance`
    : (config.trusts.find((t) => t.ods === trust)?.name ?? trust);
}

export const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** SNS subjects: printable ASCII, under 100 characters. */
export function subjectLine(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '-');
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

/** The report query behind a figure, as a link relative to the API. */
export function performanceQuery(
  standard: Standard,
  period: string,
  trust: string,
  by?: string,
): string {
  const scope = trust === ALL_TRUSTS ? '' : `&trust=${trust}`;
  return `/performance?standard=${standard}&from=${period}&to=${period}${scope}${by ? `&by=${by}` : ''}`;
}

const breachKey = (standard: Standard, trust: string) => `${standard}#${trust}`;

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
    const within = row.within ?? 0;
    const total = row.total ?? 0;
    const figures = {
      within,
      total,
      performance: row.performance,
      shortfall: shortfall(within, total, row.target),
    };
    breaches.push({
      kind: 'standard-breach',
      period: row.period,
      trust: row.trust,
      standard,
      key: breachKey(standard, row.trust),
      fingerprint: `${row.within}/${row.total}/${row.target}`,
      subject: subjectLine(
        `${STANDARD_LABELS[standard]} below target: ${row.trust} ${row.period} ${percent(row.performance)} (target ${percent(row.target)})`,
      ),
      message: {
        type: 'standard-breach',
        standard,
        standardName: STANDARD_LABELS[standard],
        trust: row.trust,
        trustName: scopeName(config, row.trust),
        period: row.period,
        // the flat figures are what the first subscribers read; `figures` is the common shape
        ...figures,
        figures,
        threshold: row.target,
        query: performanceQuery(standard, row.period, row.trust),
      },
    });
  }
  return breaches;
}

/** Every headline figure at or above its target: candidates to resolve an open breach. */
export function breachResolutions(
  rows: readonly PerformanceRow[],
  standard: Standard,
): BreachResolution[] {
  const resolutions: BreachResolution[] = [];
  for (const row of rows) {
    if (row.group !== null || row.meetsTarget !== true) continue;
    if (row.performance === null || row.target === null || row.within === null) continue;
    if (row.total === null) continue;
    resolutions.push({
      kind: 'standard-breach',
      period: row.period,
      trust: row.trust,
      standard,
      key: breachKey(standard, row.trust),
      fingerprint: `${row.within}/${row.total}/${row.target}`,
      figures: { within: row.within, total: row.total, performance: row.performance },
      threshold: row.target,
    });
  }
  return resolutions;
}

/**
 * The `breach-resolved` message for a resolution that closed a breach; `breach` holds the
 * figures the breach was last recorded with, when known.
 */
export function resolutionMessage(
  resolution: BreachResolution,
  config: AllianceConfig,
  breach: Record<string, unknown> | undefined,
): { subject: string; message: Record<string, unknown> } {
  const { standard, trust, period, figures, threshold } = resolution;
  return {
    subject: subjectLine(
      `${STANDARD_LABELS[standard]} back on target: ${trust} ${period} ${percent(figures.performance)} (target ${percent(threshold)})`,
    ),
    message: {
      type: 'breach-resolved',
      standard,
      standardName: STANDARD_LABELS[standard],
      trust,
      trustName: scopeName(config, trust),
      period,
      figures,
      threshold,
      ...(breach ? { breach } : {}),
      query: performanceQuery(standard, period, trust),
    },
  };
}

/** Patients who would have needed to be seen/treated in time to meet the target. */
export function shortfall(within: number, total: number, target: number): number {
  return Math.max(0, Math.ceil(target * total - within - 1e-9));
}
