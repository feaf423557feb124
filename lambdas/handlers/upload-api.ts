import type { Route } from './api/common';
import { requestUpload } from './api/uploads';
import { apiHandler } from './shared/api-router';

/** Every route of this function, by method and API Gateway resource path. */
const routes: Record<string, Route> = {
  'POST /uploads': requestUpload,
};

/**
 * The upload API: its own function because a presigned URL carries the rights of whoever signs
 * it, so this is the only API function allowed to put objects under `uploads/` (and it can read
 * nothing). Behind the same API and Cognito authoriser as the report API.
 */
export const handler = apiHandler(routes);
