import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { assertCanSeeTrust, type Caller } from '../../core/access';
import { checkFile } from '../../core/check-file';
import { PayloadTooLargeError } from '../../core/errors';
import { json } from '../shared/api-response';
import { PeriodSchema, parseParameters, requireCaller, TrustSchema } from './common';

/**
 * Largest file the dry run checks. API Gateway takes bodies up to 10 MB, but a Lambda proxy
 * event may hold at most 6 MB and a base64 body is a third larger than the file: 4 MiB of file
 * fits both. Larger files are checked by uploading them.
 */
export const DRY_RUN_MAX_BYTES = 4 * 1024 * 1024;
/** The body as sent, base64 included, before it is decoded. */
const MAX_BODY_CHARS = Math.ceil((DRY_RUN_MAX_BYTES * 4) / 3) + 4;

const DryRunQuerySchema = z.object({
  trust: TrustSchema,
  period: PeriodSchema,
  encoding: z.enum(['base64', 'utf-8']).optional(),
});

/**
 * POST /validate?trust&period[&encoding=base64]: checks a file exactly as an upload would be
 * checked (core/check-file), stores nothing and returns the same report. The body is the file:
 * UTF-8 text as sent (text/csv), or base64 with `encoding=base64` (any XLSX, and any CSV not in
 * UTF-8, since API Gateway passes non-binary bodies as text).
 */
export async function dryRun(
  event: APIGatewayProxyEvent,
  caller: Caller | null,
): Promise<APIGatewayProxyResult> {
  const query = parseParameters(DryRunQuerySchema, event.queryStringParameters);
  assertCanSeeTrust(requireCaller(caller), query.trust);
  const body = event.body ?? '';
  const tooLarge = new PayloadTooLargeError(
    `The dry run checks files up to ${DRY_RUN_MAX_BYTES / 1024 / 1024} MiB; upload larger files ` +
      'instead (the upload path has no such limit) or check a sample of the rows.',
  );
  if (body.length > MAX_BODY_CHARS) throw tooLarge;
  const base64 = event.isBase64Encoded || query.encoding === 'base64';
  const bytes = new Uint8Array(Buffer.from(body, base64 ? 'base64' : 'utf8'));
  if (bytes.length > DRY_RUN_MAX_BYTES) throw tooLarge;

  const { config } = handlerEnv();
  const fileName = headerValue(event, 'x-file-name') ?? 'dry-run';
  const { report } = await checkFile(
    {
      submissionId: 'dry-run',
      trust: query.trust,
      dataset: 'cwt',
      period: query.period,
      fileName,
      keyProblem: null,
      size: bytes.length,
    },
    async () => ({ bytes, fileName }),
    {
      rules: config.rules,
      trusts: config.trusts,
      columnMappings: config.columnMappings,
      chunkRows: config.rules.chunkRows,
      // nothing is stored: valid records are counted, then dropped
      sink: async () => {},
    },
  );
  return json(200, report);
}

function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value) return value.slice(0, 200);
  }
  return undefined;
}
