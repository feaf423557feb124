import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../../adapters/logger';
import { callerFromClaims } from '../../core/access';
import { NotFoundError } from '../../core/errors';
import type { Route } from '../api/common';
import { apiErrors } from './api-response';

/**
 * The Lambda entry point of one API function: routes by method and API Gateway resource path
 * (`GET /submissions/{id}`), maps errors to HTTP in one place (apiErrors) and hands each route
 * the caller read from the authoriser's claims. Routes in `publicRoutes` get a null caller;
 * every other route gets the caller or a 401/403 from callerFromClaims. The API is split into
 * functions by the rights they need, not by shape, so they all share this.
 */
export function apiHandler(
  routes: Readonly<Record<string, Route>>,
  publicRoutes: ReadonlySet<string> = new Set(),
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(apiErrors())
    .handler(async (event) => {
      const name = `${event.httpMethod} ${event.resource}`;
      const route = routes[name];
      if (!route) throw new NotFoundError(`No route for ${name}.`);
      const claims = event.requestContext?.authorizer?.claims as
        | Record<string, unknown>
        | undefined;
      return route(event, publicRoutes.has(name) ? null : callerFromClaims(claims));
    });
}
