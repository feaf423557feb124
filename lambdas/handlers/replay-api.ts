import type { Route } from './api/common';
import { startReplay } from './api/replay';
import { apiHandler } from './shared/api-router';

/** Every route of this function, by method and API Gateway resource path. */
const routes: Record<string, Route> = {
  'POST /replay': startReplay,
};

/**
 * The replay API: its own function because it alone may start the ingest workflow
 * (states:StartExecution on that state machine only). Behind the same API and authoriser.
 */
export const handler = apiHandler(routes);
