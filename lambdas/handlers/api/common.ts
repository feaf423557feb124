import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import type { Contribution } from '../../adapters/aggregates-repo';
import { handlerEnv } from '../../adapters/env';
import { reportData } from '../../adapters/report-data';
import type { Caller } from '../../core/access';
import type { StoredStandard } from '../../core/config';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors';
import { json } from '../shared/api-response';

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
  // A verified token whose groups grant nothing (a typo'd or unrelated group) sees nothing,
  // not even the alliance-wide figures every member may see.
  if (!caller.alliance && caller.trusts.length === 0) {
    throw new ForbiddenError('Your account is not a member of any trust or the alliance.');
  }
  return caller;
}

/**
 * A 200 answer built from the current contributions of one stored standard over some periods,
 * served from the warm Lambda's cache while those periods' data versions stay the same (see
 * lambdas/adapters/report-data.ts). `key` must name everything else the body depends on: the
 * route, its parameters and the caller's effective scope and disclosure. Checks of access and
 * audit lines belong before this call: they run on every request, cached or not.
 */
export async function cachedReport(
  question: {
    readonly key: readonly unknown[];
    periods: readonly string[];
    standard: StoredStandard;
  },
  build: (contributions: readonly Contribution[]) => unknown,
): Promise<APIGatewayProxyResult> {
  const answer = await reportData(handlerEnv().aggregatesTable()).answer(
    { key: JSON.stringify(question.key), periods: question.periods, standard: question.standard },
    (contributions) => {
      const response = json(200, build(contributions));
      // a UTF-16 string is two bytes a character; the headers and object are small change
      return { value: response, size: response.body.length * 2 + 1024 };
    },
  );
  // callers (middy, the runtime) may add headers: never hand out the cached object itself
  return { ...answer, headers: { ...answer.headers } };
}
