import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { type SubmissionItem, SubmissionsRepository } from '../../adapters/submissions-repo';
import { assertCanSeeTrust, type Caller, scopeTrust } from '../../core/access';
import { NotFoundError } from '../../core/errors';
import { SubmissionIdSchema } from '../../core/submission';
import { json } from '../shared/api-response';
import { assertConfiguredTrust, parseParameters, requireCaller, TrustSchema } from './common';

const SubmissionsQuerySchema = z.object({
  trust: TrustSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** GET /submissions: newest first, the caller's trust only unless they are alliance staff. */
export async function listSubmissions(event: APIGatewayProxyEvent, caller: Caller | null) {
  const query = parseParameters(SubmissionsQuerySchema, event.queryStringParameters);
  assertConfiguredTrust(query.trust);
  const env = handlerEnv();
  const scope = scopeTrust(requireCaller(caller), query.trust);
  const repository = new SubmissionsRepository(env.submissionsTable());
  const trusts = scope ? [scope] : env.config.trusts.map((t) => t.ods);
  const limit = query.limit ?? 50;
  const lists = await Promise.all(trusts.map((trust) => repository.listByTrust(trust, limit)));
  const submissions = lists
    .flat()
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
    .slice(0, limit)
    .map(presentSubmission);
  return json(200, { submissions });
}

/** GET /submissions/{id}: one submission, for the alliance or the submitting trust. */
export async function getSubmission(event: APIGatewayProxyEvent, caller: Caller | null) {
  const id = parseParameters(z.object({ id: SubmissionIdSchema }), event.pathParameters).id;
  const item = await new SubmissionsRepository(handlerEnv().submissionsTable()).get(id);
  if (!item) throw new NotFoundError(`Submission ${id} was not found.`);
  assertCanSeeTrust(requireCaller(caller), item.trust);
  return json(200, presentSubmission(item));
}

/** The submission as the API shows it: status, counts, warnings, first errors, the report's place. */
export function presentSubmission(item: SubmissionItem) {
  return {
    id: item.submissionId,
    trust: item.trust,
    dataset: item.dataset,
    period: item.period,
    fileName: item.fileName,
    status: item.status,
    receivedAt: item.receivedAt,
    updatedAt: item.updatedAt,
    counts: item.counts ?? { total: 0, valid: 0, invalid: 0 },
    warnings: { count: item.warningCount ?? 0, byCode: item.warnings ?? [] },
    firstErrors: item.firstErrors ?? [],
    rejection: item.rejection ?? null,
    /** A replay under later rules would reject this accepted file (it and its figures stay). */
    replayRejection: item.replayRejection ?? null,
    failure: item.failure ?? null,
    current: item.current ?? false,
    supersedes: item.supersedes ?? null,
    supersededBy: item.supersededBy ?? null,
    counted: item.counted ?? null,
    report: item.report
      ? {
          json: `s3://${item.bucket}/${item.report.json}`,
          csv: `s3://${item.bucket}/${item.report.csv}`,
        }
      : null,
  };
}
