import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { resetClients } from '../../../lambdas/adapters/clients';
import { resetHandlerEnv } from '../../../lambdas/adapters/env';
import nel from '../../../lib/alliances/north-east-london.json';

/** Handler environment as the stack sets it (table and bucket names are arbitrary here). */
export function useHandlerEnv(): void {
  Object.assign(process.env, {
    BUCKET_NAME: 'uploads-bucket',
    SUBMISSIONS_TABLE: 'Submissions',
    AGGREGATES_TABLE: 'Aggregates',
    ALERTS_TABLE: 'Alerts',
    ALLIANCE_CONFIG: JSON.stringify(nel),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  resetHandlerEnv();
  resetClients();
}

export const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export function apiEvent(
  resource: string,
  options: {
    query?: Record<string, string>;
    path?: Record<string, string>;
    groups?: string | null;
  } = {},
): APIGatewayProxyEvent {
  return {
    resource,
    path: resource,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.path ?? null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      authorizer:
        options.groups === null
          ? undefined
          : { claims: { sub: 'user-1', 'cognito:groups': options.groups ?? 'alliance' } },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
