import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { isConditionFailure, SubmissionsRepository } from '../adapters/submissions-repo';
import { submissionIdFor } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import { type AlertMessage, SubmissionRefSchema } from './shared/step-schemas';

/**
 * The workflow state when a step failed for good: whatever had been gathered so far plus the
 * caught error. The submission may not be registered yet (Register itself failed), so the id is
 * derived from the original event when needed.
 */
const InputSchema = z.object({
  submission: SubmissionRefSchema.optional(),
  detail: z
    .object({
      bucket: z.object({ name: z.string() }),
      object: z.object({
        key: z.string(),
        etag: z.string().optional(),
        'version-id': z.string().optional(),
      }),
    })
    .optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** Mark failed: records FAILED on the submission and returns the operations alert. */
export const handler = stepHandler('Mark failed', InputSchema, async (state) => {
  const env = handlerEnv();
  const submissionId =
    state.submission?.submissionId ??
    (state.detail
      ? submissionIdFor({
          bucket: state.detail.bucket.name,
          key: state.detail.object.key,
          versionId: state.detail.object['version-id'],
          etag: state.detail.object.etag,
        })
      : 'unknown');
  const errorName = state.error?.Error ?? 'Unknown';
  // The cause is the failing handler's error message: our errors never carry row values, but
  // keep only the message (not stack traces) and bound its length.
  const errorMessage = causeMessage(state.error?.Cause).slice(0, 500);

  // Without a submission ref, Register failed: it may still have recorded the submission before
  // failing (its result is then lost), so mark it FAILED if it exists — otherwise it would stay
  // RECEIVED for ever. The update is conditional on the item existing.
  if (state.submission || state.detail) {
    try {
      const submissions = new SubmissionsRepository(env.submissionsTable());
      // A REJECTED verdict is final once Quarantine has recorded it (the upload has moved to
      // quarantine/, so a re-run could not even read it): keep it, note the failure beside it.
      const existing = await submissions.get(submissionId);
      // Register failing on a redelivered event of a finished submission says nothing about
      // that submission: an ACCEPTED one must stay ACCEPTED (its figures are current).
      const finishedElsewhere =
        !state.submission && (existing?.status === 'ACCEPTED' || existing?.status === 'REJECTED');
      if (!finishedElsewhere) {
        const status = existing?.status === 'REJECTED' ? 'REJECTED' : 'FAILED';
        await submissions.update(submissionId, status, {
          failure: { error: `${errorName}: ${errorMessage}` },
        });
      }
    } catch (error) {
      if (state.submission || !isConditionFailure(error)) {
        logger.error('could not mark the submission failed', {
          submissionId,
          errorName: (error as Error).name,
        });
      }
    }
  }
  logger.error('submission failed', { submissionId, errorName });
  const alert: AlertMessage = {
    subject:
      `Cancer waiting-times submission failed: ${state.submission?.trust ?? 'unknown trust'} ${state.submission?.period ?? ''}`.trim(),
    message: {
      type: 'submission-failed',
      submissionId,
      trust: state.submission?.trust ?? null,
      period: state.submission?.period ?? null,
      error: errorName,
      detail: errorMessage,
      report: `/submissions/${submissionId}`,
    },
  };
  return { alert };
});

function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
