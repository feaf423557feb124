import { z } from 'zod';
import { AggregatesRepository } from '../adapters/aggregates-repo';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { readJson, writeJson, writeObject } from '../adapters/s3-objects';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { cellsByStandard, mergePartials } from '../core/aggregate';
import type { PartialAggregate, RecordException } from '../core/enriched';
import { reportToCsv, type SubmissionReport, withRecordExceptions } from '../core/report';
import { IPT_NO_SCENARIO } from '../core/shared-breaches';
import { stagingKeys } from '../core/submission';
import { hintFor } from '../core/validate';
import { stepHandler } from './shared/step-handler';
import {
  type AggregateResult,
  SubmissionRefSchema,
  ValidationResultSchema,
} from './shared/step-schemas';

const InputSchema = z.object({
  submission: SubmissionRefSchema,
  validation: ValidationResultSchema,
});

/** Report codes Aggregate adds to the submission report (found after validation). */
const POST_VALIDATION_CODES: ReadonlySet<string> = new Set([IPT_NO_SCENARIO]);

/**
 * Aggregate: merges the chunks' partial aggregates, stores them as this submission's
 * contribution (every stored standard: headline, 62-day variants, backlog), lists record-level
 * exceptions found at enrichment in the submission report, and then claims the trust's
 * "current submission" pointer for the period. The
 * figures the API serves are the sum of current submissions only, so a superseding upload
 * replaces the earlier one exactly, a rerun rewrites identical items, and an older upload that
 * finishes after a newer one never takes its place. The writes are bracketed by a change marker
 * and a new data version for the period, which is what keeps the report API's cache exact.
 */
export const handler = stepHandler('Aggregate', InputSchema, async ({ submission, validation }) => {
  const env = handlerEnv();
  const aggregates = new AggregatesRepository(env.aggregatesTable(), submission.dataset);
  const submissions = new SubmissionsRepository(env.submissionsTable());

  let merged: PartialAggregate | null = null;
  for (let index = 0; index < validation.chunkCount; index += 1) {
    const partial = await readJson<PartialAggregate>({
      bucket: submission.bucket,
      key: stagingKeys.partial(submission.submissionId, index),
    });
    merged = merged ? mergePartials(merged, partial) : partial;
  }
  if (!merged) throw new Error('No partial aggregates were found for an accepted submission.');
  if (merged.exceptions?.length) {
    await addExceptionsToReport(submission, validation.reportKey, merged.exceptions);
  }

  // The report API caches figures by data version: mark the period as changing before the
  // first write, and give it a new version only after the last (see core/data-version.ts).
  await aggregates.beginChange(submission.period, submission.submissionId);
  await aggregates.putContributions(
    submission.period,
    submission.submissionId,
    submission.trust,
    cellsByStandard(merged),
  );
  const claim = await aggregates.claimCurrent(submission.period, {
    trust: submission.trust,
    submissionId: submission.submissionId,
    orderKey: submission.orderKey,
  });

  let supersedes: string | null = null;
  let supersededBy: string | null = null;
  if (claim.current && claim.previous) {
    supersedes = claim.previous.submissionId;
    await aggregates.deleteContributions(submission.period, supersedes);
    await markSuperseded(submissions, supersedes, submission.submissionId);
  } else if (!claim.current) {
    // A newer upload for this trust and period already holds the figures.
    supersededBy = claim.holder ?? null;
    await aggregates.deleteContributions(submission.period, submission.submissionId);
  }
  await aggregates.endChange(submission.period, submission.submissionId);
  logger.info('submission aggregated', {
    submissionId: submission.submissionId,
    current: claim.current,
    supersedes,
    supersededBy,
    counted: merged.counted,
  });
  const result: AggregateResult = {
    current: claim.current,
    supersedes,
    supersededBy,
    counted: merged.counted,
    warnings: merged.warnings,
  };
  return result;
});

async function addExceptionsToReport(
  submission: { bucket: string; submissionId: string },
  reportKey: string,
  exceptions: readonly RecordException[],
): Promise<void> {
  const bucket = submission.bucket;
  const report = await readJson<SubmissionReport>({ bucket, key: reportKey });
  const updated = withRecordExceptions(report, exceptions, POST_VALIDATION_CODES, hintFor);
  await writeJson({ bucket, key: reportKey }, updated);
  await writeObject(
    { bucket, key: stagingKeys.reportCsv(submission.submissionId) },
    reportToCsv(updated),
    'text/csv; charset=utf-8',
  );
}

async function markSuperseded(
  submissions: SubmissionsRepository,
  previousId: string,
  byId: string,
): Promise<void> {
  const previous = await submissions.get(previousId);
  if (!previous) return;
  await submissions.update(previousId, previous.status, { current: false, supersededBy: byId });
}
