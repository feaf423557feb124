import {
  type Alert,
  performanceQuery,
  STANDARD_LABELS,
  STANDARD_SHORT_LABELS,
  scopeName,
  subjectLine,
} from './alerts';
import type { AllianceConfig, Standard } from './config';
import { NOT_KNOWN } from './labels';
import type { PerformanceRow } from './performance';

/** The breakdowns an inequality gap is looked for in. */
export type InequalityDimension = 'imdQuintile' | 'ethnicity';

export interface InequalityInput {
  readonly standard: Standard;
  readonly period: string;
  /** Headline rows (group null) of the period, for each trust and `ALL`, unsuppressed. */
  readonly headline: readonly PerformanceRow[];
  /** The same period broken down, unsuppressed. */
  readonly breakdowns: ReadonlyArray<{
    readonly dimension: InequalityDimension;
    readonly rows: readonly PerformanceRow[];
  }>;
  readonly config: AllianceConfig;
}

/** Groups that say nothing about a person's deprivation or ethnicity are not compared. */
const NOT_A_GROUP = new Set(['unknown', NOT_KNOWN, 'Not stated']);

/** Deprivation is compared for the most deprived fifth only (Core20); ethnicity for every group. */
function compared(dimension: InequalityDimension, group: string): boolean {
  if (NOT_A_GROUP.has(group)) return false;
  return dimension === 'imdQuintile' ? group === '1' : true;
}

function groupLabel(dimension: InequalityDimension, group: string): string {
  return dimension === 'imdQuintile' ? `IMD quintile ${group} (most deprived)` : group;
}

const share = (within: number, total: number) => Math.round((within / total) * 10_000) / 10_000;

/**
 * An inequality gap where a group's performance is more than `gapPoints` percentage points below
 * everyone else's in the same trust (or the alliance) and month. "Everyone else" is the headline
 * figure minus the group, so patients whose group is not known count in the rest. Both the group
 * and the rest need `minPatients` or more: a gap between a handful of patients is noise.
 */
export function inequalityGaps(input: InequalityInput): Alert[] {
  const { standard, period, config } = input;
  const { gapPoints, minPatients } = config.rules.alerts.inequality;
  const headline = new Map(
    input.headline
      .filter((row) => row.group === null && row.period === period)
      .map((row) => [row.trust, row]),
  );
  const alerts: Alert[] = [];
  for (const { dimension, rows } of input.breakdowns) {
    for (const row of rows) {
      if (row.period !== period || row.group === null || !compared(dimension, row.group)) continue;
      const all = headline.get(row.trust);
      if (!all || all.within === null || all.total === null) continue;
      if (row.within === null || row.total === null) continue;
      const group = { within: row.within, total: row.total };
      const rest = { within: all.within - row.within, total: all.total - row.total };
      if (group.total < minPatients || rest.total < minPatients) continue;
      const gap = (rest.within / rest.total - group.within / group.total) * 100;
      if (gap <= gapPoints + 1e-9) continue;
      const label = groupLabel(dimension, row.group);
      const gapRounded = Math.round(gap * 10) / 10;
      alerts.push({
        kind: 'inequality-gap',
        period,
        trust: row.trust,
        standard,
        key: `${standard}#${row.trust}#${dimension}#${row.group}`,
        fingerprint: `${group.within}/${group.total}|${rest.within}/${rest.total}`,
        subject: subjectLine(
          `Inequality gap: ${STANDARD_SHORT_LABELS[standard]} ${row.trust} ${period}, ${label} ${gapRounded} points below the rest`,
        ),
        message: {
          type: 'inequality-gap',
          standard,
          standardName: STANDARD_LABELS[standard],
          trust: row.trust,
          trustName: scopeName(config, row.trust),
          period,
          dimension,
          group: row.group,
          groupName: label,
          figures: {
            group: { ...group, performance: share(group.within, group.total) },
            rest: { ...rest, performance: share(rest.within, rest.total) },
            gapPoints: gapRounded,
          },
          threshold: { gapPoints, minPatients },
          query: performanceQuery(standard, period, row.trust, dimension),
        },
      });
    }
  }
  return alerts;
}
