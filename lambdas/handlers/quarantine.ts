import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { copyObject, deleteObject, objectExists, writeJson } from '../adapters/s3-objects';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import {
  type AlertMessage,
  SubmissionRefSchema,
  ValidationResultSchema,
} from './shared/step-schemas';

const InputSchema = z.object({
  submission: SubmissionRefSchema,
  validation: ValidationResultSchema,
});

/**
 * Quarantine: moves a rejected upload out of uploads/ (copy first, then delete, so a retry after
 * a failure half-way finds the copy and carries on), records why, marks the submission REJECTED
 * and returns the notification for the trust. Nothing of a rejected file is aggregated.
 */
export const handler = stepHandler(
  'Quarantine',
  InputSchema,
  async ({ submission, validation }) => {
    const env = handlerEnv();
    const trust = submission.trust || 'UNKNOWN';
    const period = submission.period || 'unknown-period';
    const destination = {
      bucket: submission.bucket,
      key: stagingKeys.quarantine(
        trust,
        period,
        submission.submissionId,
        submission.fileName || 'upload',
      ),
    };
    const rejection = validation.rejection ?? {
      code: 'REJECTED',
      message: 'The file was rejected.',
    };

    if (await objectExists(submission)) {
      await copyObject(submission, destination);
      await deleteObject(submission);
    } else if (!(await objectExists(destination))) {
      logger.warn('rejected upload is neither in uploads/ nor in quarantine/', {
        submissionId: submission.submissionId,
      });
    }
    await writeJson(
      {
        bucket: submission.bucket,
        key: stagingKeys.quarantineReason(trust, period, submission.submissionId),
      },
      {
        submissionId: submission.submissionId,
        originalKey: submission.key,
        rejection,
        counts: validation.counts,
        report: validation.reportKey,
        quarantinedAt: new Date().toISOString(),
      },
    );
    await new SubmissionsRepository(env.submissionsTable()).update(
      submission.submissionId,
      'REJECTED',
      {
        rejection,
      },
    );
    logger.info('submission rejected and quarantined', {
      submissionId: submission.submissionId,
      code: rejection.code,
    });

    const alert: AlertMessage = {
      subject: `Cancer waiting-times upload rejected: ${trust} ${period}`,
      message: {
        type: 'submission-rejected',
        submissionId: submission.submissionId,
        trust,
        period,
        fileName: submission.fileName,
        reason: rejection,
        counts: validation.counts,
        report: `/submissions/${submission.submissionId}`,
      },
    };
    return { alert };
  },
);
