import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import { logger } from '../../adapters/logger';
import { type Caller, scopeTrust } from '../../core/access';
import { DIMENSIONS, dimensionsFor } from '../../core/enriched';
import { ForbiddenError } from '../../core/errors';
import {
  buildPerformance,
  type Disclosure,
  PERFORMANCE_STANDARDS,
  storedStandardOf,
} from '../../core/performance';
import { periodsBetween } from '../../core/periods';
import {
  assertConfiguredTrust,
  cachedReport,
  PeriodSchema,
  parseParameters,
  requireCaller,
  TrustSchema,
} from './common';

/** At most five years per request keeps a response small and a query bounded. */
const MAX_PERIODS = 60;

const PerformanceQuerySchema = z
  .object({
    standard: z.enum(PERFORMANCE_STANDARDS),
    from: PeriodSchema,
    to: PeriodSchema,
    trust: TrustSchema.optional(),
    by: z.enum(DIMENSIONS).optional(),
    disclosure: z.enum(['suppressed', 'full']).optional(),
    allocation: z.enum(['shared', 'treating']).optional(),
  })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => periodsBetween(q.from, q.to).length <= MAX_PERIODS, {
    message: `at most ${MAX_PERIODS} months per request`,
    path: ['to'],
  })
  .refine((q) => q.allocation === undefined || q.standard === '62d', {
    message: 'allocation applies to standard=62d only',
    path: ['allocation'],
  })
  .refine((q) => q.by === undefined || dimensionsFor(q.standard).includes(q.by), {
    message: 'this breakdown is not available for this standard (modality is 31-day only)',
    path: ['by'],
  });

/**
 * Who may see what of a report: the trust scope (a trust user sees their own trust; alliance
 * staff any or all) and the disclosure level (full only for alliance staff, each request written
 * to the audit log). Shared by every report route built on the aggregates.
 */
export function reportAccess(
  caller: Caller,
  query: { readonly trust?: string | undefined; readonly disclosure?: Disclosure | undefined },
  audit: Record<string, unknown>,
): { trust: string | null; disclosure: Disclosure } {
  assertConfiguredTrust(query.trust);
  const trust = scopeTrust(caller, query.trust);
  const disclosure = query.disclosure ?? 'suppressed';
  if (disclosure === 'full') {
    if (!caller.alliance) {
      throw new ForbiddenError(
        'Unsuppressed breakdowns (disclosure=full) are for alliance staff only.',
      );
    }
    // The audit trail of who saw small numbers: a structured log line kept with the API logs.
    logger.info('audit: unsuppressed breakdown disclosed', {
      audit: 'disclosure-full',
      subject: caller.subject,
      ...audit,
      trust: trust ?? 'ALL',
    });
  }
  return { trust, disclosure };
}

/** GET /performance: within/total per month × trust (and group), with the alliance total. */
export async function getPerformance(event: APIGatewayProxyEvent, callerOrNull: Caller | null) {
  const caller = requireCaller(callerOrNull);
  const query = parseParameters(PerformanceQuerySchema, event.queryStringParameters);
  const { trust, disclosure } = reportAccess(caller, query, {
    standard: query.standard,
    ...(query.allocation ? { allocation: query.allocation } : {}),
    from: query.from,
    to: query.to,
    by: query.by ?? null,
  });
  const env = handlerEnv();
  const standard = storedStandardOf(query.standard, query.allocation);
  return cachedReport(
    {
      key: [
        'performance',
        query.standard,
        query.allocation,
        query.from,
        query.to,
        trust,
        query.by,
        disclosure,
      ],
      periods: periodsBetween(query.from, query.to),
      standard,
    },
    (contributions) =>
      buildPerformance({
        standard: query.standard,
        ...(query.allocation ? { allocation: query.allocation } : {}),
        from: query.from,
        to: query.to,
        ...(trust ? { trust } : {}),
        ...(query.by ? { by: query.by } : {}),
        contributions,
        config: env.config,
        disclosure,
      }),
  );
}
