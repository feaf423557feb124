import { z } from 'zod';
import { AggregatesRepository } from '../adapters/aggregates-repo';
import { AlertsRepository } from '../adapters/alerts-repo';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { standardBreaches } from '../core/alerts';
import { STANDARDS } from '../core/config';
import { buildPerformance } from '../core/performance';
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
 * Evaluate standards: recomputes the period's figures for every trust and the alliance from the
 * current submissions and returns an alert for each figure newly below the target in force.
 * Alerts are recorded before they are published, so a redelivered event, a retried execution or
 * another upload for the same period never announces the same breach twice.
 */
export const handler = stepHandler('Evaluate standards', InputSchema, async ({ submission }) => {
  const env = handlerEnv();
  const aggregates = new AggregatesRepository(env.aggregatesTable(), submission.dataset);
  const alerts = new AlertsRepository(env.alertsTable(), submission.dataset);
  const contributions = await aggregates.currentContributions(submission.period);

  const fresh: AlertMessage[] = [];
  for (const standard of STANDARDS) {
    const performance = buildPerformance({
      standard,
      from: submission.period,
      to: submission.period,
      contributions,
      config: env.config,
      disclosure: 'full',
    });
    for (const breach of standardBreaches(performance.rows, standard, env.config)) {
      const isNew = await alerts.recordIfNew({
        period: breach.period,
        kind: breach.kind,
        standard,
        trust: breach.trust,
        fingerprint: breach.fingerprint,
        raisedAt: new Date().toISOString(),
        message: breach.message,
      });
      if (isNew) fresh.push({ subject: breach.subject, message: breach.message });
    }
  }
  logger.info('standards evaluated', {
    submissionId: submission.submissionId,
    period: submission.period,
    newAlerts: fresh.length,
  });
  return { alerts: fresh };
});
