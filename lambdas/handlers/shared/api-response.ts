import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../../adapters/logger';
import { PlatformError, toErrorBody } from '../../core/errors';

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { ...HEADERS }, body: JSON.stringify(body) };
}

/**
 * The one place errors become HTTP responses: platform errors keep their status and code,
 * anything else is a 500 with a generic message (details go to the log, not the caller).
 */
export function apiErrors(): MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (!error) return;
      if (error instanceof PlatformError) {
        if (error.httpStatus >= 500) logger.error('request failed', { code: error.code });
        request.response = json(error.httpStatus, toErrorBody(error));
        return;
      }
      logger.error('unexpected error', { errorName: error.name, errorMessage: error.message });
      request.response = json(500, toErrorBody(error));
    },
  };
}
