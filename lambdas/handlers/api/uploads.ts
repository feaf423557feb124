import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { logger } from '../../adapters/logger';
import { presignPut } from '../../adapters/upload-urls';
import type { Caller } from '../../core/access';
import { resolveIntake } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import {
  DEFAULT_UPLOAD_URL_TTL_SECONDS,
  MAX_UPLOAD_URL_TTL_SECONDS,
  MIN_UPLOAD_URL_TTL_SECONDS,
  parseUploadRequest,
  planUpload,
} from '../../core/upload-request';
import { json } from '../shared/api-response';
import { requireCaller } from './common';

/**
 * The default URL lifetime, from the function environment (set by the stack). A bad value is a
 * deployment fault, so it fails loudly rather than falling back to a default.
 */
const UploadEnvSchema = z.object({
  UPLOAD_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(MIN_UPLOAD_URL_TTL_SECONDS)
    .max(MAX_UPLOAD_URL_TTL_SECONDS)
    .default(DEFAULT_UPLOAD_URL_TTL_SECONDS),
});

function defaultTtlSeconds(): number {
  const parsed = UploadEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigError(`Invalid function environment: ${names}.`);
  }
  return parsed.data.UPLOAD_URL_TTL_SECONDS;
}

/** Response of `POST /uploads`. */
export interface UploadUrlResponse {
  readonly url: string;
  readonly method: 'PUT';
  /** Send exactly these headers with the PUT (they are part of the signature). */
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string;
  readonly trust: string;
  readonly dataset: string;
  readonly period: string;
  /** ISO 8601; the URL is refused after this. */
  readonly expiresAt: string;
}

function jsonBody(event: APIGatewayProxyEvent): unknown {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (text.trim() === '') {
    throw new ValidationError(
      'Invalid request: a JSON body is required.',
      'UPLOAD_REQUEST_INVALID',
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(
      'Invalid request: the body is not valid JSON.',
      'UPLOAD_REQUEST_INVALID',
    );
  }
}

/**
 * POST /uploads: a short-lived presigned S3 PUT URL for one file under the caller's trust
 * prefix, for trust staff who have an API token but no AWS credentials.
 *
 * 1. Parse the body (period, file name, size, optional dataset, trust and lifetime).
 * 2. Decide the trust (the caller's own; alliance staff name one) and the key.
 * 3. Refuse files above the trust's intake limits (the alliance config's `rules.limits`).
 * 4. Sign a PUT of exactly that many bytes to that key.
 */
export async function requestUpload(
  event: APIGatewayProxyEvent,
  callerOrNull: Caller | null,
): Promise<APIGatewayProxyResult> {
  const caller = requireCaller(callerOrNull);
  const request = parseUploadRequest(jsonBody(event));
  const env = handlerEnv();
  const plan = planUpload(caller, request, {
    allianceTrusts: env.config.trusts.map((trust) => trust.ods),
    limitsFor: (trust) => resolveIntake(trust, env.config).limits,
    defaultTtlSeconds: defaultTtlSeconds(),
  });
  const signed = await presignPut({
    bucket: env.bucket(),
    key: plan.key,
    sizeBytes: plan.sizeBytes,
    ttlSeconds: plan.ttlSeconds,
  });
  // No file name: trusts choose it, and it could carry anything.
  logger.info('upload url issued', {
    subject: caller.subject,
    trust: plan.trust,
    dataset: plan.dataset,
    period: plan.period,
    sizeBytes: plan.sizeBytes,
    ttlSeconds: plan.ttlSeconds,
  });
  const response: UploadUrlResponse = {
    url: signed.url,
    method: signed.method,
    headers: signed.headers,
    key: plan.key,
    trust: plan.trust,
    dataset: plan.dataset,
    period: plan.period,
    expiresAt: signed.expiresAt.toISOString(),
  };
  return json(200, response);
}
