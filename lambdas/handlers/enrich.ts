import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { loadReferenceData } from '../adapters/reference-data';
import { readNdjson, writeJson, writeStreamed } from '../adapters/s3-objects';
import { deriveRecord } from '../core/derive';
import { enrichRecord } from '../core/enrich';
import type { RecordException } from '../core/enriched';
import { encodeEnrichedLine } from '../core/enriched-line';
import type { PathwayRecord } from '../core/record';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import { ChunkItemSchema } from './shared/step-schemas';

/**
 * Enrich one chunk: derive each record's clocks and standards (both 62-day allocations, the
 * handover sub-metrics, whether it is open on the backlog), add deprivation (IMD by LSOA via
 * postcode), place, age band and the other breakdown groups, and drop the NHS number, date of
 * birth and postcode. This is the last step that ever sees a patient identifier. Transfers that
 * fit no breach-allocation scenario are counted as warnings and listed (row, pathway id, code)
 * in the chunk's meta, from where they reach the submission report.
 */
export const handler = stepHandler('Enrich', ChunkItemSchema, async (chunk) => {
  const { config } = handlerEnv();
  const reference = await loadReferenceData({ edition: config.rules.imdEdition });
  const warnings: Record<string, number> = {};
  const exceptions: RecordException[] = [];
  let records = 0;
  // Streamed to S3 part by part, one compact line per record (core/enriched-line.ts): the
  // chunk's enriched records are never one string in memory.
  await writeStreamed(
    { bucket: chunk.bucket, key: stagingKeys.enrichedChunk(chunk.submissionId, chunk.index) },
    'application/x-ndjson',
    async (write) => {
      for await (const record of readNdjson<PathwayRecord>({
        bucket: chunk.bucket,
        key: chunk.chunkKey,
      })) {
        const derived = deriveRecord(record, chunk.trust, config.rules);
        const result = enrichRecord(record, derived, reference, config);
        for (const code of result.warnings) warnings[code] = (warnings[code] ?? 0) + 1;
        if (derived.exception) {
          const { code, field, message } = derived.exception;
          warnings[code] = (warnings[code] ?? 0) + 1;
          exceptions.push({ row: record.row, pathwayId: record.pathwayId, code, field, message });
        }
        await write(`${encodeEnrichedLine(result.enriched)}\n`);
        records += 1;
      }
    },
  );
  await writeJson(
    { bucket: chunk.bucket, key: stagingKeys.enrichedMeta(chunk.submissionId, chunk.index) },
    { records, warnings, exceptions, imdEdition: reference.edition },
  );
  logger.info('chunk enriched', { submissionId: chunk.submissionId, chunk: chunk.index, records });
  return { records, warnings };
});
