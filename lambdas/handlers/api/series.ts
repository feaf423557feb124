import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { assertCanSeeTrust, type Caller } from '../../core/access';
import { STANDARDS } from '../../core/config';
import { ALL_TRUSTS, storedStandardOf } from '../../core/performance';
import { periodsBetween } from '../../core/periods';
import { buildSeries } from '../../core/series';
import {
  assertConfiguredTrust,
  cachedReport,
  PeriodSchema,
  parseParameters,
  requireCaller,
  TrustSchema,
} from './common';

/** Five years of months: more than any SPC chart needs, and a bounded number of queries. */
const MAX_SERIES_PERIODS = 60;

const SeriesQuerySchema = z
  .object({
    standard: z.enum(STANDARDS),
    from: PeriodSchema,
    to: PeriodSchema,
    trust: z.union([z.literal(ALL_TRUSTS), TrustSchema]).optional(),
  })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => periodsBetween(q.from, q.to).length <= MAX_SERIES_PERIODS, {
    message: `at most ${MAX_SERIES_PERIODS} months per request`,
    path: ['to'],
  });

/**
 * GET /performance/series: one trust's (default: the alliance's) monthly headline series with
 * its SPC mean, process limits and the months special-cause rules flag. The alliance series is
 * open to every signed-in user, as the alliance rows of /performance are; a trust's series to
 * the alliance and that trust.
 */
export async function getPerformanceSeries(event: APIGatewayProxyEvent, caller: Caller | null) {
  const user = requireCaller(caller);
  const query = parseParameters(SeriesQuerySchema, event.queryStringParameters);
  const trust = query.trust ?? ALL_TRUSTS;
  if (trust !== ALL_TRUSTS) {
    assertConfiguredTrust(trust);
    assertCanSeeTrust(user, trust);
  }
  const env = handlerEnv();
  return cachedReport(
    {
      key: ['series', query.standard, query.from, query.to, trust],
      periods: periodsBetween(query.from, query.to),
      standard: storedStandardOf(query.standard),
    },
    (contributions) =>
      buildSeries({
        standard: query.standard,
        trust,
        from: query.from,
        to: query.to,
        contributions,
        config: env.config,
      }),
  );
}
