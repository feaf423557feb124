import { logger } from '../adapters/logger';
import { readJson, readLines, writeJson } from '../adapters/s3-objects';
import { createAccumulator } from '../core/aggregate';
import type { RecordException } from '../core/enriched';
import { decodeEnrichedLine } from '../core/enriched-line';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import { ChunkItemSchema } from './shared/step-schemas';

/**
 * Summarise one chunk: sum its enriched records into a partial aggregate for the upload's
 * period. Partials merge by addition, so however the file was chunked the totals are the same.
 */
export const handler = stepHandler('Summarise', ChunkItemSchema, async (chunk) => {
  const accumulator = createAccumulator(chunk.submissionId, chunk.period);
  const enrichedKey = stagingKeys.enrichedChunk(chunk.submissionId, chunk.index);
  // Streamed line by line: memory holds one stream chunk, not the chunk's records.
  for await (const line of readLines({ bucket: chunk.bucket, key: enrichedKey })) {
    accumulator.add(decodeEnrichedLine(line));
  }
  const meta = await readJson<{
    warnings: Record<string, number>;
    exceptions?: RecordException[];
  }>({
    bucket: chunk.bucket,
    key: stagingKeys.enrichedMeta(chunk.submissionId, chunk.index),
  });
  for (const [code, count] of Object.entries(meta.warnings)) accumulator.addWarning(code, count);
  accumulator.addExceptions(meta.exceptions ?? []);
  const partial = accumulator.result();
  await writeJson(
    { bucket: chunk.bucket, key: stagingKeys.partial(chunk.submissionId, chunk.index) },
    partial,
  );
  logger.info('chunk summarised', {
    submissionId: chunk.submissionId,
    chunk: chunk.index,
    records: partial.records,
  });
  return { records: partial.records };
});
