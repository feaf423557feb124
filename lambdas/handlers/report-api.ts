import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../adapters/logger';
import { callerFromClaims } from '../core/access';
import { NotFoundError } from '../core/errors';
import { listAlerts } from './api/alerts';
import { getBacklog } from './api/backlog';
import type { Route } from './api/common';
import { dryRun } from './api/dry-run';
import { getPerformance } from './api/performance';
import { getSubmissionReport } from './api/report';
import { getPerformanceSeries } from './api/series';
import { getSubmission, listSubmissions } from './api/submissions';
import { apiErrors, json } from './shared/api-response';

/** Every route, by method and API Gateway resource path. Routes without auth are listed here. */
const routes: Record<string, Route> = {
  'GET /health': async () => json(200, { status: 'ok' }),
  'GET /submissions': listSubmissions,
  'GET /submissions/{id}': getSubmission,
  'GET /submissions/{id}/report': getSubmissionReport,
  'POST /validate': dryRun,
  'GET /performance': getPerformance,
  'GET /backlog': getBacklog,
  'GET /performance/series': getPerformanceSeries,
  'GET /alerts': listAlerts,
};
const PUBLIC_ROUTES = new Set(['GET /health']);

/**
 * The report API: one function behind API Gateway (Cognito authoriser in the cloud, the local
 * gateway's JWT check locally). Every route re-checks the caller's trust scope.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(apiErrors())
  .handler(async (event) => {
    const name = `${event.httpMethod} ${event.resource}`;
    const route = routes[name];
    if (!route) throw new NotFoundError(`No route for ${name}.`);
    const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
    const caller = PUBLIC_ROUTES.has(name) ? null : callerFromClaims(claims);
    return route(event, caller);
  });
