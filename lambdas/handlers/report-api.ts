import { listAlerts } from './api/alerts';
import { getBacklog } from './api/backlog';
import type { Route } from './api/common';
import { dryRun } from './api/dry-run';
import { getPerformance } from './api/performance';
import { getQuality } from './api/quality';
import { getSubmissionReport } from './api/report';
import { getPerformanceSeries } from './api/series';
import { getSubmission, listSubmissions } from './api/submissions';
import { json } from './shared/api-response';
import { apiHandler } from './shared/api-router';

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
  'GET /quality': getQuality,
};
const PUBLIC_ROUTES = new Set(['GET /health']);

/**
 * The report API: one function behind API Gateway (Cognito authoriser in the cloud, the local
 * gateway's JWT check locally). Every route re-checks the caller's trust scope.
 */
export const handler = apiHandler(routes, PUBLIC_ROUTES);
