import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { AlertsRepository, type StoredAlert } from '../../adapters/alerts-repo';
import { handlerEnv } from '../../adapters/env';
import { assertCanSeeTrust, type Caller } from '../../core/access';
import { ALERT_KINDS } from '../../core/alerts';
import { ALL_TRUSTS } from '../../core/performance';
import { periodsBetween } from '../../core/periods';
import { suppressRow } from '../../core/suppression';
import { json } from '../shared/api-response';
import {
  assertConfiguredTrust,
  PeriodSchema,
  parseParameters,
  requireCaller,
  TrustSchema,
} from './common';

/** Without a period or range: the twelve months up to and including this one. */
const DEFAULT_MONTHS = 12;
const MAX_ALERT_PERIODS = 60;

const AlertsQuerySchema = z
  .object({
    trust: z.union([z.literal(ALL_TRUSTS), TrustSchema]).optional(),
    kind: z.enum(ALERT_KINDS).optional(),
    period: PeriodSchema.optional(),
    from: PeriodSchema.optional(),
    to: PeriodSchema.optional(),
  })
  .refine((q) => !(q.period && (q.from || q.to)), {
    message: 'give either `period` or `from`/`to`',
    path: ['period'],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  })
  .refine((q) => !q.from || !q.to || periodsBetween(q.from, q.to).length <= MAX_ALERT_PERIODS, {
    message: `at most ${MAX_ALERT_PERIODS} months per request`,
    path: ['to'],
  });
type AlertsQuery = z.infer<typeof AlertsQuerySchema>;

function monthOf(date: Date, back = 0): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function periodsOf(query: AlertsQuery): string[] {
  if (query.period) return [query.period];
  const now = new Date();
  const to = query.to ?? (query.from && query.from > monthOf(now) ? query.from : monthOf(now));
  const from = query.from ?? monthOf(new Date(`${to}-01T00:00:00Z`), DEFAULT_MONTHS - 1);
  return periodsBetween(from, to);
}

/**
 * Which trusts' alerts the caller sees: alliance staff every trust's; trust staff their own
 * trust's and the alliance-wide ones (trust `ALL`), whose figures /performance already shows
 * them. Null means no restriction.
 */
function visibleTrusts(caller: Caller, requested: string | undefined): ReadonlySet<string> | null {
  if (requested === ALL_TRUSTS) return new Set([ALL_TRUSTS]);
  if (requested) {
    assertConfiguredTrust(requested);
    assertCanSeeTrust(caller, requested);
    return new Set([requested]);
  }
  if (caller.alliance) return null;
  return new Set([...caller.trusts, ALL_TRUSTS]);
}

/**
 * Group figures of an inequality alert as a trust user may see them: the small-number rule of
 * /performance breakdowns (alliance staff see them as raised, like `disclosure=full`).
 */
function redactGroupFigures(message: Record<string, unknown>): Record<string, unknown> {
  const figures = message.figures as Record<string, { within: number; total: number }> | undefined;
  if (!figures?.group || !figures.rest) return message;
  const rule = handlerEnv().config.rules.suppression;
  const shown = (counts: { within: number; total: number }) => {
    const row = suppressRow(counts, rule);
    return row.suppressed
      ? { within: null, total: null, performance: null, suppressed: true }
      : { within: row.within, total: row.total, performance: row.performance };
  };
  return {
    ...message,
    figures: { ...figures, group: shown(figures.group), rest: shown(figures.rest) },
  };
}

function present(alert: StoredAlert, caller: Caller) {
  const message =
    alert.kind === 'inequality-gap' && !caller.alliance
      ? redactGroupFigures(alert.message)
      : alert.message;
  return {
    kind: alert.kind,
    period: alert.period,
    trust: alert.trust,
    standard: alert.standard,
    status: alert.status,
    raisedAt: alert.raisedAt,
    updatedAt: alert.updatedAt,
    resolvedAt: alert.resolvedAt,
    resolution: alert.resolution,
    reopenedAt: alert.reopenedAt,
    message,
  };
}

/** GET /alerts: alerts raised, newest period first, filtered by trust, kind and period. */
export async function listAlerts(event: APIGatewayProxyEvent, callerOrNull: Caller | null) {
  const caller = requireCaller(callerOrNull);
  const query = parseParameters(AlertsQuerySchema, event.queryStringParameters);
  const trusts = visibleTrusts(caller, query.trust);
  const repository = new AlertsRepository(handlerEnv().alertsTable());
  const periods = periodsOf(query).reverse();
  const perPeriod = await Promise.all(
    periods.map((period) => repository.listPeriod(period, query.kind)),
  );
  const alerts = perPeriod
    .flat()
    .filter((alert) => trusts === null || trusts.has(alert.trust))
    .map((alert) => present(alert, caller));
  return json(200, { from: periods.at(-1), to: periods[0], alerts });
}
