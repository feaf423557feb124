import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import type { Caller } from '../../core/access';
import { NotFoundError, ValidationError } from '../../core/errors';

/** A route of the report API: the event and the verified caller (null only on /health). */
export type Route = (
  event: APIGatewayProxyEvent,
  caller: Caller | null,
) => Promise<APIGatewayProxyResult>;

export const PeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
export const TrustSchema = z
  .string()
  .regex(/^[A-Z0-9]{3}$/, 'expected a 3-character ODS trust code');

/** Parses query/path parameters, turning zod issues into one readable 400. */
export function parseParameters<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`)
      .join('; ');
    throw new ValidationError(`Invalid request: ${detail}.`);
  }
  return parsed.data;
}

export function assertConfiguredTrust(trust: string | undefined): void {
  if (trust && !handlerEnv().config.trusts.some((t) => t.ods === trust)) {
    throw new NotFoundError(`Trust ${trust} is not part of this alliance.`);
  }
}

/** The caller of an authorised route (API Gateway has verified the token). */
export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw new ValidationError('This route needs an identity.');
  return caller;
}
