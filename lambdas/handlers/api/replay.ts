import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { AggregatesRepository } from '../../adapters/aggregates-repo';
import { handlerEnv } from '../../adapters/env';
import { logger } from '../../adapters/logger';
import { SubmissionsRepository } from '../../adapters/submissions-repo';
import { ingestStateMachineArn, startExecution } from '../../adapters/workflow';
import type { Caller } from '../../core/access';
import { ForbiddenError } from '../../core/errors';
import { REPLAYABLE_STATUSES, type ReplayInput } from '../../core/submission';
import { json } from '../shared/api-response';
import {
  assertConfiguredTrust,
  PeriodSchema,
  parseParameters,
  requireCaller,
  TrustSchema,
} from './common';

const ReplayQuerySchema = z.object({
  period: PeriodSchema,
  trust: TrustSchema.optional(),
  dataset: z.literal('cwt').default('cwt'),
});

/** One replayed (or skipped) submission in the response. */
export interface ReplayedSubmission {
  readonly submissionId: string;
  readonly trust: string;
  readonly status: string;
  /** Null when the submission was skipped (see `skipped`). */
  readonly executionArn: string | null;
  readonly skipped: string | null;
}

/**
 * POST /replay?period=YYYY-MM[&trust=ODS]: re-runs the workflow for the current submission of
 * each trust (or one trust) for the period, under the rules deployed now. Alliance staff only:
 * a replay changes every trust's published figures.
 *
 * 1. Read the period's CURRENT pointers (the submissions the figures are made of).
 * 2. For each, start an execution with the replay marker and the pointer's order key; Register
 *    keeps the submission's identity, so contributions are overwritten, never added.
 * 3. Answer 202 with the execution ARNs and `requestedAt`; a client waits for each submission's
 *    `updatedAt` to pass it with a finished status.
 */
export async function startReplay(event: APIGatewayProxyEvent, caller: Caller | null) {
  const who = requireCaller(caller);
  if (!who.alliance) throw new ForbiddenError('Only alliance staff may replay submissions.');
  const query = parseParameters(ReplayQuerySchema, event.queryStringParameters);
  assertConfiguredTrust(query.trust);
  const env = handlerEnv();
  const stateMachineArn = ingestStateMachineArn();
  const aggregates = new AggregatesRepository(env.aggregatesTable(), query.dataset);
  const submissions = new SubmissionsRepository(env.submissionsTable());
  const requestedAt = new Date().toISOString();

  const pointers = (await aggregates.currentPointers(query.period))
    .filter((pointer) => !query.trust || pointer.trust === query.trust)
    .sort((a, b) => a.trust.localeCompare(b.trust));
  const replayed: ReplayedSubmission[] = [];
  for (const pointer of pointers) {
    const item = await submissions.get(pointer.submissionId);
    const status = item?.status ?? 'UNKNOWN';
    if (!item || !REPLAYABLE_STATUSES.includes(item.status)) {
      replayed.push({
        submissionId: pointer.submissionId,
        trust: pointer.trust,
        status,
        executionArn: null,
        skipped: !item
          ? 'submission not found'
          : item.status === 'REJECTED'
            ? 'status REJECTED (its file is in quarantine)'
            : `status ${item.status} (still being processed)`,
      });
      continue;
    }
    const input: ReplayInput = {
      replay: true,
      submissionId: pointer.submissionId,
      orderKey: pointer.orderKey,
    };
    // Unique per request; a replay is idempotent, so a client retry that starts another one
    // rewrites the same figures.
    const name = `replay-${pointer.submissionId}-${Date.parse(requestedAt)}`;
    const { executionArn } = await startExecution(stateMachineArn, name, input);
    replayed.push({
      submissionId: pointer.submissionId,
      trust: pointer.trust,
      status,
      executionArn,
      skipped: null,
    });
  }
  // The subject is an opaque id; who replayed what is worth keeping.
  logger.info('replay started', {
    audit: 'replay',
    subject: who.subject,
    period: query.period,
    trust: query.trust ?? null,
    started: replayed.filter((r) => r.executionArn).length,
  });
  return json(202, {
    period: query.period,
    trust: query.trust ?? null,
    requestedAt,
    submissions: replayed,
  });
}
