import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { stepHandler } from './shared/step-handler';
import { AggregateResultSchema, SubmissionRefSchema } from './shared/step-schemas';

/** The state also carries the validation result; Complete needs only these two. */
const InputSchema = z.object({
  submission: SubmissionRefSchema,
  aggregate: AggregateResultSchema,
});

/** Complete: the submission is ACCEPTED, with what it counted and whether it is current. */
export const handler = stepHandler('Complete', InputSchema, async ({ submission, aggregate }) => {
  const env = handlerEnv();
  const submissions = new SubmissionsRepository(env.submissionsTable());
  const existing = await submissions.get(submission.submissionId);
  // Validation warnings were recorded by Validate; enrichment adds its own (e.g. unknown
  // postcodes). Replacing by code keeps a retried Complete from counting them twice.
  const enrichmentWarnings = Object.entries(aggregate.warnings).map(([code, count]) => ({
    code,
    count,
  }));
  const warnings = [
    ...(existing?.warnings ?? []).filter((w) => !(w.code in aggregate.warnings)),
    ...enrichmentWarnings,
  ];
  const warningCount = warnings.reduce((sum, entry) => sum + entry.count, 0);

  // Complete runs after Publish alerts: the alerts this submission raised went out, so a later
  // re-run (a replay) must not send them again.
  await submissions.update(submission.submissionId, 'ACCEPTED', {
    alertsPublished: true,
    current: aggregate.current,
    counted: aggregate.counted,
    warnings,
    warningCount,
    ...(aggregate.supersedes ? { supersedes: aggregate.supersedes } : {}),
    ...(aggregate.supersededBy ? { supersededBy: aggregate.supersededBy } : {}),
  });
  logger.info('submission accepted', {
    submissionId: submission.submissionId,
    current: aggregate.current,
  });
  return { status: 'ACCEPTED', current: aggregate.current };
});
