import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { handlerEnv } from '../../adapters/env';
import type { Caller } from '../../core/access';
import { buildBacklog } from '../../core/backlog';
import { DIMENSIONS, dimensionsFor } from '../../core/enriched';
import { cachedReport, PeriodSchema, parseParameters, requireCaller, TrustSchema } from './common';
import { reportAccess } from './performance';

const BacklogQuerySchema = z
  .object({
    period: PeriodSchema,
    trust: TrustSchema.optional(),
    by: z.enum(DIMENSIONS).optional(),
    disclosure: z.enum(['suppressed', 'full']).optional(),
  })
  .refine((q) => q.by === undefined || dimensionsFor('backlog').includes(q.by), {
    message: 'this breakdown is not available for the backlog (modality needs a treatment)',
    path: ['by'],
  });

/**
 * GET /backlog: open 62-day pathways at the end of a month in each trust's current submission,
 * in the national bands 0–28, 29–62, 63–104 and over 104 days, per trust and for the alliance
 * (× group when broken down), with the scope and suppression rules of /performance.
 */
export async function getBacklog(event: APIGatewayProxyEvent, callerOrNull: Caller | null) {
  const caller = requireCaller(callerOrNull);
  const query = parseParameters(BacklogQuerySchema, event.queryStringParameters);
  const { trust, disclosure } = reportAccess(caller, query, {
    report: 'backlog',
    period: query.period,
    by: query.by ?? null,
  });
  const env = handlerEnv();
  return cachedReport(
    {
      key: ['backlog', query.period, trust, query.by, disclosure],
      periods: [query.period],
      standard: 'backlog',
    },
    (contributions) =>
      buildBacklog({
        period: query.period,
        ...(trust ? { trust } : {}),
        ...(query.by ? { by: query.by } : {}),
        contributions,
        config: env.config,
        disclosure,
      }),
  );
}
