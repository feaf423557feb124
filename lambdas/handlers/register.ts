import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { NotFoundError } from '../core/errors';
import {
  FINISHED_STATUSES,
  parseUploadKey,
  REPLAYABLE_STATUSES,
  ReplayInputSchema,
  submissionIdFor,
} from '../core/submission';
import { stepHandler } from './shared/step-handler';
import type { SubmissionRef } from './shared/step-schemas';

/** The EventBridge "Object Created" event, as S3 sends it (only the fields used). */
const ObjectCreatedSchema = z.object({
  time: z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().nonnegative().default(0),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

/** What starts an execution: an upload's event, or a replay of a submission (POST /replay). */
const InputSchema = z.union([ReplayInputSchema, ObjectCreatedSchema]);

/**
 * Register: gives the upload its submission id (a function of bucket, key and object version,
 * so redelivered events and retries land on the same submission) and records it. A submission
 * that already finished is reported as a duplicate and the workflow stops there.
 */
export const handler = stepHandler('Register', InputSchema, async (input) => {
  if ('replay' in input) return registerReplay(input.submissionId, input.orderKey);
  const event = input;
  const { bucket, object } = event.detail;
  const submissionId = submissionIdFor({
    bucket: bucket.name,
    key: object.key,
    versionId: object['version-id'],
    etag: object.etag,
  });
  const parsedKey = parseUploadKey(object.key);
  const keyParts =
    'problem' in parsedKey
      ? {
          trust: object.key.split('/')[1] ?? 'UNKNOWN',
          dataset: '',
          period: '',
          fileName: object.key.split('/').at(-1) ?? '',
        }
      : parsedKey;
  // Event times have one-second resolution; the S3 sequencer orders uploads of the same key
  // within a second. Left-padded so that string order is numeric order.
  const orderKey = `${event.time}|${(object.sequencer ?? '').padStart(32, '0')}`;

  const ref: SubmissionRef = {
    submissionId,
    bucket: bucket.name,
    key: object.key,
    ...keyParts,
    receivedAt: event.time,
    orderKey,
    size: object.size,
    duplicate: false,
    keyProblem: 'problem' in parsedKey ? parsedKey.problem : null,
  };

  const repository = new SubmissionsRepository(handlerEnv().submissionsTable());
  const { created, existing } = await repository.register({
    submissionId,
    trust: ref.trust,
    dataset: ref.dataset,
    period: ref.period,
    fileName: ref.fileName,
    bucket: ref.bucket,
    key: ref.key,
    receivedAt: ref.receivedAt,
    size: ref.size,
  });
  // A FAILED submission runs again (a redelivered event or a restarted execution is the retry);
  // only ACCEPTED and REJECTED ones are done.
  const duplicate =
    !created && existing !== undefined && FINISHED_STATUSES.includes(existing.status);
  logger.info('submission registered', {
    submissionId,
    trust: ref.trust,
    period: ref.period,
    created,
    duplicate,
  });
  return { ...ref, duplicate };
});

/**
 * A replay re-runs a stored submission under the rules in force now (after a rules change),
 * keeping its identity: the same submission id and upload order key, so its contributions are
 * overwritten in place, the CURRENT pointer claim is a no-op (or loses to a newer upload, exactly
 * as the first run would have), and alerts already recorded are not announced again. Only
 * ACCEPTED and FAILED submissions replay; one still in flight or REJECTED stops here.
 */
async function registerReplay(submissionId: string, orderKey: string): Promise<SubmissionRef> {
  const repository = new SubmissionsRepository(handlerEnv().submissionsTable());
  const existing = await repository.get(submissionId);
  if (!existing) throw new NotFoundError(`Submission ${submissionId} was not found.`);
  const replayable = REPLAYABLE_STATUSES.includes(existing.status);
  logger.info('submission replay registered', {
    submissionId,
    trust: existing.trust,
    period: existing.period,
    status: existing.status,
    replayable,
  });
  return {
    submissionId,
    bucket: existing.bucket,
    key: existing.key,
    trust: existing.trust,
    dataset: existing.dataset,
    period: existing.period,
    fileName: existing.fileName,
    receivedAt: existing.receivedAt,
    orderKey,
    size: existing.size,
    duplicate: !replayable,
    keyProblem: null,
    replayedFrom: existing.status,
  };
}
