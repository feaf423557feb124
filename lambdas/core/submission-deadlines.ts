import type { z } from 'zod';
import type { SubmissionDeadlineSchema } from './alert-config';
import { type Alert, scopeName, subjectLine } from './alerts';
import type { AllianceConfig } from './config';

/**
 * When each month's file is due, which months are overdue on a given day, and which trusts have
 * not sent theirs. Dates are UTC calendar days (`YYYY-MM-DD`), compared as text.
 */

export type SubmissionDeadlineRule = z.infer<typeof SubmissionDeadlineSchema>;

const MS_PER_DAY = 86_400_000;

function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY;
}

/** The last day on which a period's file is on time: the month's last day + N days. */
export function submissionDeadline(period: string, rule: SubmissionDeadlineRule): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  // day 0 of the next month is the last day of this one
  const monthEnd = Date.UTC(year, month, 0);
  return isoDay(monthEnd + rule.daysAfterPeriodEnd * MS_PER_DAY);
}

function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * The periods whose deadline has passed by `today`, newest first: the latest overdue month and
 * the `lookbackMonths − 1` before it, none before `firstPeriod`.
 */
export function overduePeriods(today: string, rule: SubmissionDeadlineRule): string[] {
  let period = today.slice(0, 7);
  while (submissionDeadline(period, rule) >= today) period = previousPeriod(period);
  const periods: string[] = [];
  for (let i = 0; i < rule.lookbackMonths; i += 1) {
    if (rule.firstPeriod && period < rule.firstPeriod) break;
    periods.push(period);
    period = previousPeriod(period);
  }
  return periods;
}

export interface PeriodSubmissions {
  readonly period: string;
  /** Trusts with a current accepted submission for the period. */
  readonly submitted: ReadonlySet<string>;
}

/** A `missing-submission` alert for each configured trust without an accepted file for a period. */
export function missingSubmissions(
  periods: readonly PeriodSubmissions[],
  today: string,
  config: AllianceConfig,
): Alert[] {
  const rule = config.rules.alerts.submissionDeadline;
  const alerts: Alert[] = [];
  for (const { period, submitted } of periods) {
    const deadline = submissionDeadline(period, rule);
    const daysOverdue = dayNumber(today) - dayNumber(deadline);
    if (daysOverdue <= 0) continue;
    for (const { ods } of config.trusts) {
      if (submitted.has(ods)) continue;
      alerts.push({
        kind: 'missing-submission',
        period,
        trust: ods,
        standard: null,
        key: ods,
        // the alert stands for the period; how late it is does not make it a new alert
        fingerprint: deadline,
        subject: subjectLine(`Missing CWT submission: ${ods} ${period} (due ${deadline})`),
        message: {
          type: 'missing-submission',
          standard: null,
          dataset: 'cwt',
          trust: ods,
          trustName: scopeName(config, ods),
          period,
          figures: { deadline, daysOverdue, accepted: false },
          threshold: { daysAfterPeriodEnd: rule.daysAfterPeriodEnd, deadline },
          query: `/submissions?trust=${ods}`,
        },
      });
    }
  }
  return alerts;
}
