import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { AggregatesRepository } from '../../adapters/aggregates-repo';
import { AllocationsRepository } from '../../adapters/allocations-repo';
import { handlerEnv } from '../../adapters/env';
import { logger } from '../../adapters/logger';
import { loadPopulationReference } from '../../adapters/population-data';
import type { Caller } from '../../core/access';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors';
import { fundingConfigOf } from '../../core/funding-config';
import { computeAllocation, type PreviousAllocation } from '../../core/funding-document';
import { type FundingRequest, FundingRequestSchema } from '../../core/funding-request';
import { periodsBetween } from '../../core/periods';
import { json } from '../shared/api-response';
import { parseParameters, requireCaller } from './common';

/** Allocation ids as this API issues them (UUIDs), with room for ids made elsewhere. */
const AllocationIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not an allocation id');

/** Funding decisions are the alliance's: trust staff may neither make nor read them. */
function requireAlliance(callerOrNull: Caller | null): Caller {
  const caller = requireCaller(callerOrNull);
  if (!caller.alliance) {
    throw new ForbiddenError('Funding allocations are for alliance staff only.');
  }
  return caller;
}

function parseRequest(event: APIGatewayProxyEvent): FundingRequest {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (text.trim() === '') throw new ValidationError('Invalid request: a JSON body is required.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError('Invalid request: the body is not valid JSON.');
  }
  const parsed = FundingRequestSchema.safeParse(body);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    throw new ValidationError(`Invalid request: ${detail}.`);
  }
  return parsed.data;
}

async function previousOf(
  request: FundingRequest,
  repository: AllocationsRepository,
): Promise<PreviousAllocation | undefined> {
  const previous = request.previous;
  if (!previous) return undefined;
  if ('amounts' in previous) return { amounts: previous.amounts };
  const saved = await repository.get(previous.allocationId);
  if (!saved) {
    throw new ValidationError(
      `Invalid request: previous.allocationId: allocation ${previous.allocationId} was not found.`,
    );
  }
  return {
    allocationId: saved.allocationId,
    unit: saved.parameters.unit,
    amounts: Object.fromEntries(saved.units.map((unit) => [unit.id, unit.amount])),
  };
}

/** POST /funding/allocations: computes, saves and returns one allocation. */
export async function createAllocation(
  event: APIGatewayProxyEvent,
  callerOrNull: Caller | null,
): Promise<APIGatewayProxyResult> {
  const caller = requireAlliance(callerOrNull);
  const request = parseRequest(event);
  const env = handlerEnv();
  const { config } = env;
  const allocations = new AllocationsRepository(env.allocationsTable());
  const aggregates = new AggregatesRepository(env.aggregatesTable());
  const edition = request.imdEdition ?? config.rules.imdEdition;

  const [previous, population, perPeriod] = await Promise.all([
    previousOf(request, allocations),
    loadPopulationReference({ edition }),
    Promise.all(
      periodsBetween(request.window.from, request.window.to).map((period) =>
        aggregates.currentContributions(period),
      ),
    ),
  ]);
  // computeAllocation throws FundingInputError (a 400) for inputs that cannot be combined.
  const document = computeAllocation({
    allocationId: randomUUID(),
    createdAt: new Date().toISOString(),
    createdBy: caller.subject,
    request,
    config,
    funding: fundingConfigOf(config),
    configSha256: createHash('sha256').update(JSON.stringify(config)).digest('hex'),
    population,
    contributions: perPeriod.flat(),
    ...(previous ? { previous } : {}),
  });
  await allocations.create(document);
  logger.info('audit: funding allocation saved', {
    audit: 'funding-allocation',
    allocationId: document.allocationId,
    subject: caller.subject,
    unit: document.parameters.unit,
    budget: document.parameters.budget,
  });
  const response = json(201, document);
  return {
    ...response,
    headers: { ...response.headers, location: `/funding/allocations/${document.allocationId}` },
  };
}

/** GET /funding/allocations/{id}: a saved allocation exactly as it was returned. */
export async function getAllocation(
  event: APIGatewayProxyEvent,
  callerOrNull: Caller | null,
): Promise<APIGatewayProxyResult> {
  requireAlliance(callerOrNull);
  const id = parseParameters(z.object({ id: AllocationIdSchema }), event.pathParameters).id;
  const document = await new AllocationsRepository(handlerEnv().allocationsTable()).get(id);
  if (!document) throw new NotFoundError(`Allocation ${id} was not found.`);
  return json(200, document);
}
