import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '../../adapters/logger';
import { PlatformError, TransientError, ValidationError } from '../../core/errors';

/**
 * The standard middy stack for a workflow step: structured logging with the Lambda context,
 * the input validated by its zod schema, and errors shaped for Step Functions — the error's
 * `name` is what Retry/Catch match, so throttling and network faults become `TransientError`
 * (retried) and everything else keeps its own name (caught, submission marked FAILED).
 */
export function stepHandler<Schema extends z.ZodType, Result>(
  step: string,
  schema: Schema,
  run: (input: z.infer<Schema>, context: Context) => Promise<Result>,
) {
  return middy<unknown, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(stepErrors(step))
    .handler(async (event, context) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        const where = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
          .join('; ');
        throw new ValidationError(`${step} received an input it cannot use (${where}).`);
      }
      return run(parsed.data, context);
    });
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
]);

export function isTransient(error: unknown): boolean {
  const candidate = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (error instanceof TransientError) return true;
  if (candidate?.$retryable) return true;
  if (TRANSIENT_NAMES.has(candidate?.name ?? '') || TRANSIENT_NAMES.has(candidate?.code ?? '')) {
    return true;
  }
  const status = candidate?.$metadata?.httpStatusCode ?? 0;
  return status === 429 || status >= 500;
}

function stepErrors(step: string): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (!error) return;
      if (!(error instanceof PlatformError) && isTransient(error)) {
        logger.warn('transient failure, the workflow will retry', { step, errorName: error.name });
        request.error = new TransientError(`${step}: ${error.name}`);
        return;
      }
      logger.error('step failed', {
        step,
        errorName: error.name,
        errorCode: error instanceof PlatformError ? error.code : undefined,
        errorMessage: error.message,
      });
    },
  };
}
