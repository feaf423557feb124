import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { loadReferenceData } from '../adapters/reference-data';
import { readNdjson, writeJson, writeObject } from '../adapters/s3-objects';
import { enrichRecord } from '../core/enrich';
import type { PathwayRecord } from '../core/record';
import { deriveOutcomes } from '../core/standards';
import { stagingKeys } from '../core/submission';
import { stepHandler } from './shared/step-handler';
import { ChunkItemSchema } from './shared/step-schemas';

/**
 * Enrich one chunk: derive each record's clocks and standards, add deprivation (IMD by LSOA via
 * postcode), place, age band and the other breakdown groups, and drop the NHS number, date of
 * birth and postcode. This is the last step that ever sees a patient identifier.
 */
export const handler = stepHandler('Enrich', ChunkItemSchema, async (chunk) => {
  const { config } = handlerEnv();
  const reference = await loadReferenceData({ edition: config.rules.imdEdition });
  const warnings: Record<string, number> = {};
  let lines = '';
  let records = 0;

  for await (const record of readNdjson<PathwayRecord>({
    bucket: chunk.bucket,
    key: chunk.chunkKey,
  })) {
    const derived = deriveOutcomes(record, chunk.trust, config.rules);
    const result = enrichRecord(record, derived, reference, config);
    for (const code of result.warnings) warnings[code] = (warnings[code] ?? 0) + 1;
    lines += `${JSON.stringify(result.enriched)}\n`;
    records += 1;
  }

  await writeObject(
    { bucket: chunk.bucket, key: stagingKeys.enrichedChunk(chunk.submissionId, chunk.index) },
    lines,
    'application/x-ndjson',
  );
  await writeJson(
    { bucket: chunk.bucket, key: stagingKeys.enrichedMeta(chunk.submissionId, chunk.index) },
    { records, warnings, imdEdition: reference.edition },
  );
  logger.info('chunk enriched', { submissionId: chunk.submissionId, chunk: chunk.index, records });
  return { records, warnings };
});
