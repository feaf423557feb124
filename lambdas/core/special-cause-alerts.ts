import {
  type Alert,
  percent,
  STANDARD_LABELS,
  STANDARD_SHORT_LABELS,
  scopeName,
  subjectLine,
} from './alerts';
import type { AllianceConfig } from './config';
import { ALL_TRUSTS } from './performance';
import type { PerformanceSeries } from './series';
import type { SpcRule } from './spc';

const RULE_DESCRIPTIONS: Record<SpcRule, string> = {
  'outside-limits': 'a point outside the process limits',
  run: 'a run of 7 or more points on one side of the mean',
  trend: 'a trend of 6 or more points rising or falling',
  'two-of-three': 'two out of three points beyond two sigma on the same side',
};

/**
 * A special-cause alert when the series' newest point, `period`, shows variation of concern
 * (performance getting worse in a way noise does not explain). Improvement is shown on the
 * series chart, not alerted. Nothing is raised from too few points to trust the limits.
 */
export function specialCauseAlert(
  series: PerformanceSeries,
  period: string,
  config: AllianceConfig,
): Alert | null {
  const { spc, standard, trust } = series;
  const point = series.points.find((p) => p.period === period);
  if (!spc?.sufficient || !point || point.variation !== 'concern') return null;
  if (point.within === null || point.total === null || point.performance === null) return null;
  const rules = point.rules;
  const scope = trust === ALL_TRUSTS ? '' : `&trust=${trust}`;
  return {
    kind: 'special-cause',
    period,
    trust,
    standard,
    key: `${standard}#${trust}`,
    fingerprint: `${rules.join('+')}/${point.within}/${point.total}`,
    subject: subjectLine(
      `Special-cause concern: ${STANDARD_SHORT_LABELS[standard]} ${trust} ${period} ${percent(point.performance)} (${rules.join(', ')})`,
    ),
    message: {
      type: 'special-cause',
      standard,
      standardName: STANDARD_LABELS[standard],
      trust,
      trustName: scopeName(config, trust),
      period,
      variation: 'concern',
      rules,
      explanation: rules.map((rule) => RULE_DESCRIPTIONS[rule]),
      figures: { within: point.within, total: point.total, performance: point.performance },
      threshold: {
        mean: spc.mean,
        lowerProcessLimit: spc.lowerProcessLimit,
        upperProcessLimit: spc.upperProcessLimit,
        points: spc.points,
      },
      target: point.target,
      query: `/performance/series?standard=${standard}&from=${series.from}&to=${series.to}${scope}`,
    },
  };
}
