import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../adapters/logger';
import { callerFromClaims } from '../core/access';
import { NotFoundError } from '../core/errors';
import type { Route } from './api/common';
import { createAllocation, getAllocation } from './api/funding';
import { apiErrors } from './shared/api-response';

/** Every route of this function, by method and API Gateway resource path. */
const routes: Record<string, Route> = {
  'POST /funding/allocations': createAllocation,
  'GET /funding/allocations/{id}': getAllocation,
};

/**
 * The funding API: its own function because it alone reads the population reference data and
 * writes the Allocations table. Behind the same API and Cognito authoriser as the report API.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(apiErrors())
  .handler(async (event) => {
    const name = `${event.httpMethod} ${event.resource}`;
    const route = routes[name];
    if (!route) throw new NotFoundError(`No route for ${name}.`);
    const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
    return route(event, callerFromClaims(claims));
  });
