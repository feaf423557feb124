import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { AggregatesRepository } from '../adapters/aggregates-repo';
import { handlerEnv } from '../adapters/env';
import { logger } from '../adapters/logger';
import { type SubmissionItem, SubmissionsRepository } from '../adapters/submissions-repo';
import { assertCanSeeTrust, type Caller, callerFromClaims, scopeTrust } from '../core/access';
import { STANDARDS } from '../core/config';
import { DIMENSIONS } from '../core/enriched';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { buildPerformance } from '../core/performance';
import { periodsBetween } from '../core/periods';
import { SubmissionIdSchema } from '../core/submission';
import { apiErrors, json } from './shared/api-response';

const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
const Trust = z.string().regex(/^[A-Z0-9]{3}$/, 'expected a 3-character ODS trust code');
/** At most five years per request keeps a response small and a query bounded. */
const MAX_PERIODS = 60;

const PerformanceQuerySchema = z
  .object({
    standard: z.enum(STANDARDS),
    from: Period,
    to: Period,
    trust: Trust.optional(),
    by: z.enum(DIMENSIONS).optional(),
    disclosure: z.enum(['suppressed', 'full']).optional(),
  })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => periodsBetween(q.from, q.to).length <= MAX_PERIODS, {
    message: `at most ${MAX_PERIODS} months per request`,
    path: ['to'],
  });

const SubmissionsQuerySchema = z.object({
  trust: Trust.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

type Route = (event: APIGatewayProxyEvent, caller: Caller | null) => Promise<APIGatewayProxyResult>;

const routes: Record<string, Route> = {
  'GET /health': async () => json(200, { status: 'ok' }),
  'GET /submissions': listSubmissions,
  'GET /submissions/{id}': getSubmission,
  'GET /performance': getPerformance,
};

/**
 * The report API: one function behind API Gateway (Cognito authoriser in the cloud, the local
 * gateway's JWT check locally). Every route re-checks the caller's trust scope.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(apiErrors())
  .handler(async (event) => {
    const route = routes[`${event.httpMethod} ${event.resource}`];
    if (!route) throw new NotFoundError(`No route for ${event.httpMethod} ${event.resource}.`);
    const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
    const caller = event.resource === '/health' ? null : callerFromClaims(claims);
    return route(event, caller);
  });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`)
      .join('; ');
    throw new ValidationError(`Invalid request: ${detail}.`);
  }
  return parsed.data;
}

function assertConfiguredTrust(trust: string | undefined): void {
  if (trust && !handlerEnv().config.trusts.some((t) => t.ods === trust)) {
    throw new NotFoundError(`Trust ${trust} is not part of this alliance.`);
  }
}

async function listSubmissions(event: APIGatewayProxyEvent, caller: Caller | null) {
  const query = parse(SubmissionsQuerySchema, event.queryStringParameters);
  assertConfiguredTrust(query.trust);
  const env = handlerEnv();
  const scope = scopeTrust(caller!, query.trust);
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

async function getSubmission(event: APIGatewayProxyEvent, caller: Caller | null) {
  const id = parse(z.object({ id: SubmissionIdSchema }), event.pathParameters).id;
  const item = await new SubmissionsRepository(handlerEnv().submissionsTable()).get(id);
  if (!item) throw new NotFoundError(`Submission ${id} was not found.`);
  assertCanSeeTrust(caller!, item.trust);
  return json(200, presentSubmission(item));
}

async function getPerformance(event: APIGatewayProxyEvent, caller: Caller | null) {
  const query = parse(PerformanceQuerySchema, event.queryStringParameters);
  assertConfiguredTrust(query.trust);
  const env = handlerEnv();
  const trust = scopeTrust(caller!, query.trust);
  const disclosure = query.disclosure ?? 'suppressed';
  if (disclosure === 'full') {
    if (!caller!.alliance) {
      throw new ForbiddenError(
        'Unsuppressed breakdowns (disclosure=full) are for alliance staff only.',
      );
    }
    // The audit trail of who saw small numbers: a structured log line kept with the API logs.
    logger.info('audit: unsuppressed breakdown disclosed', {
      audit: 'disclosure-full',
      subject: caller!.subject,
      standard: query.standard,
      from: query.from,
      to: query.to,
      trust: trust ?? 'ALL',
      by: query.by ?? null,
    });
  }
  const aggregates = new AggregatesRepository(env.aggregatesTable());
  const periods = periodsBetween(query.from, query.to);
  const perPeriod = await Promise.all(
    periods.map((period) => aggregates.currentContributions(period)),
  );
  const body = buildPerformance({
    standard: query.standard,
    from: query.from,
    to: query.to,
    ...(trust ? { trust } : {}),
    ...(query.by ? { by: query.by } : {}),
    contributions: perPeriod.flat(),
    config: env.config,
    disclosure,
  });
  return json(200, body);
}

/** The submission as the API shows it: status, counts, warnings, first errors, the report's place. */
function presentSubmission(item: SubmissionItem) {
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
