import { z } from 'zod';
import { AggregatesRepository } from '../adapters/aggregates-repo';
import { AlertsRepository } from '../adapters/alerts-repo';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { evaluatePeriod, evaluationWindow } from '../core/alert-evaluation';
import { resolutionMessage } from '../core/alerts';
import { stepHandler } from './shared/step-handler';
import {
  AggregateResultSchema,
  type AlertMessage,
  SubmissionRefSchema,
} from './shared/step-schemas';

const InputSchema = z.object({
  submission: SubmissionRefSchema,
  aggregate: AggregateResultSchema,
});

/**
 * Evaluate standards: recomputes the submitted period's figures for every trust and the alliance
 * from the current submissions (and, for special-cause variation, the months before it) and
 * returns each alert not raised before, plus a `breach-resolved` message for each breach the
 * upload brought back to target for the first time. Alerts are recorded before they are
 * published, so a redelivered event, a replay or another upload for the same period never
 * announces the same thing twice. One exception, so that nothing is lost: when an earlier attempt
 * of this same submission recorded alerts but failed before Complete confirmed they were
 * published, this run sends them again (at least once rather than never).
 */
export const handler = stepHandler('Evaluate standards', InputSchema, async ({ submission }) => {
  const env = handlerEnv();
  const { config } = env;
  const aggregates = new AggregatesRepository(env.aggregatesTable(), submission.dataset);
  const alerts = new AlertsRepository(env.alertsTable(), submission.dataset);
  const period = submission.period;
  const [history, pointers] = await Promise.all([
    Promise.all(evaluationWindow(period, config).map((p) => aggregates.currentContributions(p))),
    aggregates.currentPointers(period),
  ]);
  const evaluation = evaluatePeriod({
    period,
    contributions: history.flat(),
    submittedTrusts: new Set(pointers.map((pointer) => pointer.trust)),
    config,
  });

  const now = new Date().toISOString();
  const submissionId = submission.submissionId;
  const recorded = await alerts.recordNew(evaluation.alerts, now, { raisedBy: submissionId });
  const stored = await new SubmissionsRepository(env.submissionsTable()).get(submissionId);
  const unpublished = stored?.alertsPublished
    ? new Set<string>()
    : await alerts.raisedBy(period, submissionId);
  const fresh: AlertMessage[] = evaluation.alerts
    .filter((alert) => recorded.includes(alert) || unpublished.has(`${alert.kind}#${alert.key}`))
    .map((alert) => ({ subject: alert.subject, message: alert.message }));

  // Only breaches on record can be resolved: one query instead of a conditional write per figure.
  const open = new Set(
    (await alerts.listPeriod(period, 'standard-breach'))
      .filter((stored) => stored.status === 'open')
      .map((stored) => stored.key),
  );
  let resolved = 0;
  for (const resolution of evaluation.resolutions) {
    if (!open.has(resolution.key)) continue;
    const outcome = await alerts.resolve(period, resolution.kind, resolution.key, {
      at: now,
      fingerprint: resolution.fingerprint,
      resolution: { figures: resolution.figures, threshold: resolution.threshold },
    });
    if (!outcome.resolved) continue;
    resolved += 1;
    if (!outcome.announce) continue;
    const breach = outcome.previous?.message.figures as Record<string, unknown> | undefined;
    fresh.push(resolutionMessage(resolution, config, breach));
  }

  logger.info('standards evaluated', {
    submissionId: submission.submissionId,
    period,
    alertsFound: evaluation.alerts.length,
    breachesResolved: resolved,
    newAlerts: fresh.length,
  });
  return { alerts: fresh };
});
