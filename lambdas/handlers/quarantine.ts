import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { copyObject, deleteObject, objectExists, writeJson } from '../adapters/s3-objects';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import {
  type AlertMessage,
  type SubmissionRef,
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
    if (submission.replayedFrom === 'ACCEPTED') return keepReplayedFile(submission, rejection);

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

/**
 * A replay under later rules that would reject a file already ACCEPTED: the file and its figures
 * stay as they are (they are what was published, and the CURRENT pointer still names them), the
 * submission stays ACCEPTED with the reason beside it, and alliance staff are told, so the trust
 * can send a corrected file. Quarantining it here would leave a REJECTED submission whose figures
 * are still counted.
 */
async function keepReplayedFile(
  submission: SubmissionRef,
  rejection: { code: string; message: string },
): Promise<{ alert: AlertMessage }> {
  const env = handlerEnv();
  await new SubmissionsRepository(env.submissionsTable()).update(
    submission.submissionId,
    'ACCEPTED',
    { replayRejection: { ...rejection, at: new Date().toISOString() } },
  );
  logger.warn('replay would reject an accepted submission; kept', {
    submissionId: submission.submissionId,
    code: rejection.code,
  });
  return {
    alert: {
      subject: `Replay: accepted upload would now be rejected: ${submission.trust} ${submission.period}`,
      message: {
        type: 'replay-rejected',
        submissionId: submission.submissionId,
        trust: submission.trust,
        period: submission.period,
        fileName: submission.fileName,
        reason: rejection,
        kept: 'The file and its figures stay until the trust uploads a corrected file.',
        report: `/submissions/${submission.submissionId}`,
      },
    },
  };
}
