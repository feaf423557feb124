import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { AggregatesRepository } from '../../adapters/aggregates-repo';
import { handlerEnv } from '../../adapters/env';
import { SubmissionsRepository } from '../../adapters/submissions-repo';
import { type Caller, scopeTrust } from '../../core/access';
import { periodsBetween } from '../../core/periods';
import {
  buildScorecard,
  type QualityCounts,
  type ReceivedSubmission,
  scorecardPeriods,
} from '../../core/quality';
import { QUALITY_ITEMS } from '../../core/quality-config';
import { json } from '../shared/api-response';
import {
  assertConfiguredTrust,
  PeriodSchema,
  parseParameters,
  requireCaller,
  TrustSchema,
} from './common';

/** Two years per request keeps the response and the number of reads bounded. */
const MAX_PERIODS = 24;

const QualityQuerySchema = z
  .object({
    from: PeriodSchema,
    to: PeriodSchema,
    trust: TrustSchema.optional(),
  })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => periodsBetween(q.from, q.to).length <= MAX_PERIODS, {
    message: `at most ${MAX_PERIODS} months per request`,
    path: ['to'],
  });

const CountSchema = z.number().int().min(0);
const ItemCountsSchema = z.object({
  records: CountSchema,
  complete: CountSchema,
  valid: CountSchema,
  defaults: CountSchema,
});

/** The counts as Validate stored them; anything else (an older layout) is treated as absent. */
const StoredQualitySchema = z.object({
  version: z.literal(1),
  rows: CountSchema,
  items: z.partialRecord(z.enum(QUALITY_ITEMS), ItemCountsSchema),
}) satisfies z.ZodType<QualityCounts>;

/**
 * GET /quality?from&to[&trust]: the data-quality scorecard (DQMI-style) of each trust's current
 * accepted submission per month, with coverage of expected submissions and the trend. Rejected
 * files are not scored: their rows never reached the figures, and a broken upload must not
 * drag down the score of the corrected file that replaced it (a rejected month counts as not
 * received for coverage). A trust user sees their own trust only, as on /performance.
 */
export async function getQuality(event: APIGatewayProxyEvent, callerOrNull: Caller | null) {
  const caller = requireCaller(callerOrNull);
  const query = parseParameters(QualityQuerySchema, event.queryStringParameters);
  assertConfiguredTrust(query.trust);
  const scope = scopeTrust(caller, query.trust);
  const env = handlerEnv();
  const { rules, trusts: configured } = env.config;
  const trusts = scope ? [scope] : configured.map((t) => t.ods);
  const inScope = new Set(trusts);

  // Current pointers over the coverage window too: coverage needs to know which months arrived.
  const aggregates = new AggregatesRepository(env.aggregatesTable(), 'cwt');
  const periods = scorecardPeriods(query.from, query.to, rules.quality);
  const pointers = (
    await Promise.all(
      periods.map(async (period) =>
        (await aggregates.currentPointers(period)).map((pointer) => ({ ...pointer, period })),
      ),
    )
  ).flat();
  const current = pointers.filter((pointer) => inScope.has(pointer.trust));

  // Quality counts only for the months shown.
  const shown = current.filter((p) => p.period >= query.from && p.period <= query.to);
  const submissions = new SubmissionsRepository(env.submissionsTable());
  const items = await submissions.getMany(
    shown.map((p) => p.submissionId),
    ['submissionId', 'quality'],
  );
  const qualityById = new Map(
    items.map((item) => {
      const parsed = StoredQualitySchema.safeParse(item.quality);
      return [item.submissionId, parsed.success ? parsed.data : null] as const;
    }),
  );

  const received = new Map<string, Map<string, ReceivedSubmission>>();
  for (const pointer of current) {
    let byPeriod = received.get(pointer.trust);
    if (!byPeriod) {
      byPeriod = new Map();
      received.set(pointer.trust, byPeriod);
    }
    byPeriod.set(pointer.period, {
      submissionId: pointer.submissionId,
      quality: qualityById.get(pointer.submissionId) ?? null,
    });
  }

  const firstAccepted = new Map<string, string>();
  if (!rules.alerts.submissionDeadline.firstPeriod) {
    for (const trust of trusts) {
      const first = await submissions.firstAcceptedPeriod(trust, 'cwt');
      if (first) firstAccepted.set(trust, first);
    }
  }

  const scorecard = buildScorecard({
    trusts,
    firstAccepted,
    from: query.from,
    to: query.to,
    today: new Date().toISOString().slice(0, 10),
    received,
    quality: rules.quality,
    deadline: rules.alerts.submissionDeadline,
  });
  return json(200, {
    from: query.from,
    to: query.to,
    method: {
      itemScore: '(valid − max(0, defaults − threshold × records)) / records × 100',
      dqmi: 'mean(item score) × coverage share (0–100)',
      coverageMonths: rules.quality.coverageMonths,
      minScore: rules.quality.minScore,
    },
    trusts: scorecard,
  });
}
