import type { Route } from './api/common';
import { createAllocation, getAllocation } from './api/funding';
import { apiHandler } from './shared/api-router';

/** Every route of this function, by method and API Gateway resource path. */
const routes: Record<string, Route> = {
  'POST /funding/allocations': createAllocation,
  'GET /funding/allocations/{id}': getAllocation,
};

/**
 * The funding API: its own function because it alone reads the population reference data and
 * writes the Allocations table. Behind the same API and Cognito authoriser as the report API.
 */
export const handler = apiHandler(routes);
