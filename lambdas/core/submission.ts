import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Submissions: what identifies an upload, where it sits in the bucket, and the states it moves
 * through. Shared by the workflow handlers, the report API and the CLI (which computes the id of
 * what it just uploaded so it can wait for it).
 */

export const SUBMISSION_STATUSES = [
  'RECEIVED',
  'VALIDATING',
  'PROCESSING',
  'ACCEPTED',
  'REJECTED',
  'FAILED',
] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** Statuses after which a redelivered event has nothing left to do. */
export const FINISHED_STATUSES: readonly SubmissionStatus[] = ['ACCEPTED', 'REJECTED'];

/**
 * Statuses a replay (POST /replay) may re-run: figures are recomputed under the current rules.
 * A submission still in flight is left to its running execution.
 */
export const REPLAYABLE_STATUSES: readonly SubmissionStatus[] = ['ACCEPTED', 'FAILED'];

/**
 * The execution input of a replay: which submission, and its upload order key (kept on the
 * trust's CURRENT pointer) so the re-run claims the pointer exactly as the first run did.
 *
 * @example { "replay": true, "submissionId": "sub-0123456789abcdef01234567", "orderKey": "2025-07-01T09:00:00Z|0…0" }
 */
export const ReplayInputSchema = z.object({
  replay: z.literal(true),
  submissionId: z.string().regex(/^sub-[0-9a-f]{24}$/, 'not a submission id'),
  orderKey: z.string().min(1),
});
export type ReplayInput = z.infer<typeof ReplayInputSchema>;

export const UPLOAD_PREFIX = 'uploads/';
export const DATASETS = ['cwt'] as const;

/**
 * The submission id is a function of the object version, so every redelivery of the same S3
 * event, and every retry of an execution, lands on the same submission.
 */
export function submissionIdFor(object: {
  bucket: string;
  key: string;
  versionId?: string | null | undefined;
  etag?: string | null | undefined;
}): string {
  const version = object.versionId || (object.etag ?? '').replaceAll('"', '');
  const digest = createHash('sha256')
    .update(`${object.bucket}\n${object.key}\n${version}`)
    .digest('hex');
  return `sub-${digest.slice(0, 24)}`;
}

export const SubmissionIdSchema = z.string().regex(/^sub-[0-9a-f]{24}$/, 'not a submission id');

export type UploadKey = {
  trust: string;
  dataset: string;
  period: string;
  fileName: string;
};

export type UploadKeyProblem = { problem: string };

/** `uploads/{ODS}/{dataset}/{YYYY-MM}/{file}` → its parts, or why it does not fit the contract. */
export function parseUploadKey(key: string): UploadKey | UploadKeyProblem {
  const parts = key.split('/');
  if (parts.length !== 5 || `${parts[0]}/` !== UPLOAD_PREFIX) {
    return {
      problem: 'Upload keys must look like uploads/{ODS code}/{dataset}/{YYYY-MM}/{file name}.',
    };
  }
  const [, trust = '', dataset = '', period = '', fileName = ''] = parts;
  if (!/^[A-Z0-9]{3}$/.test(trust)) {
    return { problem: `"${trust}" is not a 3-character ODS trust code.` };
  }
  if (!(DATASETS as readonly string[]).includes(dataset)) {
    return { problem: `Unknown dataset "${dataset}"; expected one of: ${DATASETS.join(', ')}.` };
  }
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    return { problem: `"${period}" is not a reporting period (YYYY-MM).` };
  }
  if (fileName === '') return { problem: 'The upload key has no file name.' };
  return { trust, dataset, period, fileName };
}

export function uploadKeyFor(trust: string, dataset: string, period: string, fileName: string) {
  return `${UPLOAD_PREFIX}${trust}/${dataset}/${period}/${fileName}`;
}

/** Where each step leaves its artefacts for the next (all under the bucket, encrypted). */
export const stagingKeys = {
  manifest: (id: string) => `staging/${id}/manifest.json`,
  validChunk: (id: string, index: number) => `staging/${id}/valid/${index}.ndjson`,
  enrichedChunk: (id: string, index: number) => `staging/${id}/enriched/${index}.ndjson`,
  enrichedMeta: (id: string, index: number) => `staging/${id}/enriched/${index}.meta.json`,
  partial: (id: string, index: number) => `staging/${id}/partials/${index}.json`,
  reportJson: (id: string) => `reports/${id}/report.json`,
  reportCsv: (id: string) => `reports/${id}/report.csv`,
  quarantine: (trust: string, period: string, id: string, fileName: string) =>
    `quarantine/${trust}/${period}/${id}/${fileName}`,
  quarantineReason: (trust: string, period: string, id: string) =>
    `quarantine/${trust}/${period}/${id}/reason.json`,
};
