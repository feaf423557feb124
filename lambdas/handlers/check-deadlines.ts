import { z } from 'zod';
import { AggregatesRepository } from '../adapters/aggregates-repo';
import { AlertsRepository } from '../adapters/alerts-repo';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { missingSubmissions, overduePeriods } from '../core/submission-deadlines';
import { stepHandler } from './shared/step-handler';
import type { AlertMessage } from './shared/step-schemas';

/** The EventBridge scheduled event; only its time matters ("today" is the day it fired). */
const InputSchema = z.object({ time: z.iso.datetime().optional() });

/**
 * Check deadlines (run daily by the SubmissionDeadlines schedule): for each overdue period in
 * the look-back, every configured trust without a current accepted submission gets one
 * `missing-submission` alert — recorded first, so daily re-runs never repeat it. A file that
 * arrives late closes its trust's alert quietly (status `resolved`).
 */
export const handler = stepHandler('Check deadlines', InputSchema, async (input) => {
  const env = handlerEnv();
  const { config } = env;
  const aggregates = new AggregatesRepository(env.aggregatesTable());
  const alerts = new AlertsRepository(env.alertsTable());
  const now = new Date().toISOString();
  const today = (input.time ?? now).slice(0, 10);
  const periods = overduePeriods(today, config.rules.alerts.submissionDeadline);
  const submissions = await Promise.all(
    periods.map(async (period) => ({
      period,
      submitted: new Set((await aggregates.currentPointers(period)).map((p) => p.trust)),
    })),
  );

  const fresh: AlertMessage[] = (
    await alerts.recordNew(missingSubmissions(submissions, today, config), now)
  ).map((alert) => ({
    subject: alert.subject,
    message: alert.message,
  }));

  let late = 0;
  for (const { period, submitted } of submissions) {
    for (const stored of await alerts.listPeriod(period, 'missing-submission')) {
      if (stored.status !== 'open' || !submitted.has(stored.trust)) continue;
      const outcome = await alerts.resolve(period, stored.kind, stored.key, {
        at: now,
        fingerprint: 'submitted',
        resolution: { submitted: true, checkedOn: today },
      });
      if (outcome.resolved) late += 1;
    }
  }

  logger.info('submission deadlines checked', {
    today,
    periods,
    newAlerts: fresh.length,
    lateSubmissionsClosed: late,
  });
  return { alerts: fresh };
});
