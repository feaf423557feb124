import { z } from 'zod';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import {
  type ObjectRef,
  readObjectStream,
  writeJson,
  writeObject,
  writeStreamed,
} from '../adapters/s3-objects';
import { SubmissionsRepository } from '../adapters/submissions-repo';
import { checkFile } from '../core/check-file';
import type { PathwayRecord } from '../core/record';
import { reportToCsv } from '../core/report';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import { type ChunkItem, SubmissionRefSchema, type ValidationResult } from './shared/step-schemas';

const InputSchema = z.object({ submission: SubmissionRefSchema });

/** How many row problems the submission record keeps; the full list is in the report. */
const FIRST_ERRORS = 20;

/**
 * Validate: reads the upload as a stream, checks its structure and then every record, writes
 * the valid records to staging in chunks and the full row-level report under reports/, and
 * decides whether the file is accepted or rejected whole.
 */
export const handler = stepHandler('Validate', InputSchema, async ({ submission }) => {
  const env = handlerEnv();
  const { rules, trusts, columnMappings } = env.config;
  const submissions = new SubmissionsRepository(env.submissionsTable());
  await submissions.update(submission.submissionId, 'VALIDATING', {}, ['rejection', 'failure']);

  const bucket = submission.bucket;
  const chunked = submission.size > rules.chunkThresholdBytes;
  const chunkRows = chunked ? rules.chunkRows : Number.POSITIVE_INFINITY;
  const base = {
    submissionId: submission.submissionId,
    bucket,
    period: submission.period,
    trust: submission.trust,
  };
  const manifest: ChunkItem[] = [];

  const { report, summary, rejection } = await checkFile(
    submission,
    async () => ({ stream: await readObjectStream(submission), fileName: submission.fileName }),
    {
      rules,
      // each trust's mapping, date formats, sheet and limits; submission.size is checked first
      trusts,
      columnMappings,
      chunkRows,
      sink: async (index, records) => {
        const item: ChunkItem = {
          ...base,
          chunkKey: stagingKeys.validChunk(base.submissionId, index),
          index,
        };
        await writeNdjson({ bucket, key: item.chunkKey }, records);
        manifest.push(item);
      },
    },
  );
  const fileInfo = report.file;
  const counts = {
    total: summary?.total ?? 0,
    valid: summary?.valid ?? 0,
    invalid: summary?.invalid ?? 0,
    warnings: summary?.warnings.length ?? 0,
  };
  const reportKeys = {
    json: stagingKeys.reportJson(submission.submissionId),
    csv: stagingKeys.reportCsv(submission.submissionId),
  };
  await writeJson({ bucket, key: reportKeys.json }, report);
  await writeObject(
    { bucket, key: reportKeys.csv },
    reportToCsv(report),
    'text/csv; charset=utf-8',
  );

  const manifestKey = rejection ? null : stagingKeys.manifest(submission.submissionId);
  if (manifestKey) await writeJson({ bucket, key: manifestKey }, manifest);

  await submissions.update(submission.submissionId, rejection ? 'VALIDATING' : 'PROCESSING', {
    counts: { total: counts.total, valid: counts.valid, invalid: counts.invalid },
    warningCount: counts.warnings + fileInfo.unknownColumns.length,
    warnings: report.summary
      .filter((entry) => entry.severity === 'warning')
      .map(({ code, count }) => ({ code, count })),
    firstErrors: firstErrors(summary?.errors ?? []),
    // counts only, kept for rejected files too; GET /quality scores accepted current ones
    quality: summary?.quality ?? undefined,
    report: reportKeys,
  });
  logger.info('submission validated', {
    submissionId: submission.submissionId,
    ...counts,
    rejected: rejection?.code ?? null,
    chunks: manifest.length,
    // config ids, not data: which of the trust's intake settings read the file
    mapping: fileInfo.mapping?.id ?? null,
    dateFormats: fileInfo.dateFormats,
  });

  const result: ValidationResult = {
    status: rejection ? 'REJECTED' : 'VALID',
    chunked: !rejection && manifest.length > 1,
    chunkCount: rejection ? 0 : manifest.length,
    manifestKey,
    firstChunk: rejection ? null : (manifest[0] ?? null),
    counts,
    reportKey: reportKeys.json,
    rejection: rejection ? { code: rejection.code, message: rejection.message } : null,
  };
  return result;
});

function firstErrors(
  errors: ReadonlyArray<{
    row: number;
    pathwayId: string | null;
    code: string;
    field: string | null;
  }>,
) {
  const byRow = new Map<
    number,
    { row: number; pathwayId: string | null; codes: string[]; fields: string[] }
  >();
  for (const error of errors) {
    let entry = byRow.get(error.row);
    if (!entry) {
      if (byRow.size >= FIRST_ERRORS) continue;
      entry = { row: error.row, pathwayId: error.pathwayId, codes: [], fields: [] };
      byRow.set(error.row, entry);
    }
    if (!entry.codes.includes(error.code)) entry.codes.push(error.code);
    if (error.field && !entry.fields.includes(error.field)) entry.fields.push(error.field);
  }
  return [...byRow.values()];
}

/**
 * A chunk's valid records as NDJSON, streamed in parts: the chunk is never one string in
 * memory (a 250k-record chunk is ~150 MB of text).
 */
async function writeNdjson(ref: ObjectRef, records: readonly PathwayRecord[]): Promise<void> {
  await writeStreamed(ref, 'application/x-ndjson', async (write) => {
    for (const record of records) await write(`${JSON.stringify(record)}\n`);
  });
}
