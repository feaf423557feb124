import { type Alert, type BreachResolution, breachResolutions, standardBreaches } from './alerts';
import { backlogAlerts } from './backlog-alerts';
import { type AllianceConfig, STANDARDS } from './config';
import { type InequalityDimension, inequalityGaps } from './inequality-alerts';
import { ALL_TRUSTS, buildPerformance, type PerformanceContribution } from './performance';
import { periodsBetween } from './periods';
import { buildSeries } from './series';
import { specialCauseAlert } from './special-cause-alerts';

export interface PeriodEvaluationInput {
  readonly period: string;
  /**
   * The current contributions of every month in {@link evaluationWindow} — the period itself
   * and the history the special-cause rules need.
   */
  readonly contributions: readonly PerformanceContribution[];
  /** Trusts with a current accepted submission for the period. */
  readonly submittedTrusts: ReadonlySet<string>;
  readonly config: AllianceConfig;
}

export interface PeriodEvaluation {
  /** Alerts the period's figures raise (whether or not they were raised before). */
  readonly alerts: Alert[];
  /** Headline figures at or above target, which resolve any open breach of theirs. */
  readonly resolutions: BreachResolution[];
}

const INEQUALITY_DIMENSIONS: readonly InequalityDimension[] = ['imdQuintile', 'ethnicity'];

/** The months a period's evaluation reads: `windowMonths` ending at the period. */
export function evaluationWindow(period: string, config: AllianceConfig): string[] {
  const months = config.rules.alerts.spc.windowMonths;
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  const start = year * 12 + (month - 1) - (months - 1);
  const from = `${Math.floor(start / 12)}-${String((start % 12) + 1).padStart(2, '0')}`;
  return periodsBetween(from, period);
}

/**
 * Every alert rule on one period's figures after a submission: standard breaches (and
 * resolutions), inequality gaps, special-cause variation, over-104-day waiters and backlog growth, for each trust with figures and for
 * the alliance. The alliance's series is only judged once every configured trust has submitted
 * the period: a month holding some trusts' data would look like a change in the process.
 */
export function evaluatePeriod(input: PeriodEvaluationInput): PeriodEvaluation {
  const { period, contributions, config } = input;
  const window = evaluationWindow(period, config);
  const from = window[0] ?? period;
  const allSubmitted = config.trusts.every((trust) => input.submittedTrusts.has(trust.ods));
  const alerts: Alert[] = [];
  const resolutions: BreachResolution[] = [];

  for (const standard of STANDARDS) {
    const month = (by?: InequalityDimension) =>
      buildPerformance({
        standard,
        from: period,
        to: period,
        ...(by ? { by } : {}),
        contributions,
        config,
        disclosure: 'full',
      }).rows;
    const headline = month();
    alerts.push(...standardBreaches(headline, standard, config));
    resolutions.push(...breachResolutions(headline, standard));
    alerts.push(
      ...inequalityGaps({
        standard,
        period,
        headline,
        breakdowns: INEQUALITY_DIMENSIONS.map((dimension) => ({
          dimension,
          rows: month(dimension),
        })),
        config,
      }),
    );
    for (const row of headline) {
      if (row.group !== null || (row.trust === ALL_TRUSTS && !allSubmitted)) continue;
      const series = buildSeries({
        standard,
        trust: row.trust,
        from,
        to: period,
        contributions,
        config,
      });
      const alert = specialCauseAlert(series, period, config);
      if (alert) alerts.push(alert);
    }
  }
  alerts.push(...backlogAlerts(contributions, period, config));
  return { alerts, resolutions };
}
