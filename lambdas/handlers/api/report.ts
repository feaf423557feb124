import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { isNotFound, readObjectText } from '../../adapters/s3-objects';
import { SubmissionsRepository } from '../../adapters/submissions-repo';
import { assertCanSeeTrust, type Caller } from '../../core/access';
import { NotFoundError } from '../../core/errors';
import { SubmissionIdSchema } from '../../core/submission';
import { parseParameters, requireCaller } from './common';

const ReportQuerySchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

/**
 * GET /submissions/{id}/report[?format=csv]: the row-level report Validate stored, for the
 * alliance or the submitting trust. The stored text is returned as written, so the CSV keeps its
 * formula-injection neutralisation.
 */
export async function getSubmissionReport(
  event: APIGatewayProxyEvent,
  caller: Caller | null,
): Promise<APIGatewayProxyResult> {
  const id = parseParameters(z.object({ id: SubmissionIdSchema }), event.pathParameters).id;
  const { format } = parseParameters(ReportQuerySchema, event.queryStringParameters);
  const item = await new SubmissionsRepository(handlerEnv().submissionsTable()).get(id);
  if (!item) throw new NotFoundError(`Submission ${id} was not found.`);
  assertCanSeeTrust(requireCaller(caller), item.trust);
  if (!item.report) throw new NotFoundError(`Submission ${id} has no report yet.`);
  const key = format === 'csv' ? item.report.csv : item.report.json;
  let body: string;
  try {
    body = await readObjectText({ bucket: item.bucket, key });
  } catch (error) {
    if (isNotFound(error)) throw new NotFoundError(`The report of submission ${id} is missing.`);
    throw error;
  }
  return {
    statusCode: 200,
    headers: {
      'content-type':
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      ...(format === 'csv'
        ? { 'content-disposition': `attachment; filename="report-${id}.csv"` }
        : {}),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    },
    body,
  };
}
