import { resolve } from 'node:path';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetHandlerEnv } from '../../../lambdas/adapters/env';
import { handler } from '../../../lambdas/handlers/funding-api';
import { apiEvent, context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);
const body = (result: { body: string }) => JSON.parse(result.body);

const request = {
  budget: 700_000,
  unit: 'place',
  window: { from: '2025-06', to: '2025-06' },
  weights: { need: 0.5, gap: 0.3, equal: 0.2 },
  roundTo: 1000,
};

function post(payload: unknown, groups = 'alliance'): APIGatewayProxyEvent {
  return {
    ...apiEvent('/funding/allocations', { groups }),
    httpMethod: 'POST',
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  };
}

function get(id: string, groups = 'alliance'): APIGatewayProxyEvent {
  return apiEvent('/funding/allocations/{id}', { path: { id }, groups });
}

describe('funding API', () => {
  beforeEach(() => {
    useHandlerEnv();
    process.env.ALLOCATIONS_TABLE = 'Allocations';
    process.env.REFERENCE_DATA_DIR = resolve(import.meta.dirname, '../../../../shared/data');
    resetHandlerEnv();
  });
  afterEach(() => dynamo.reset());

  it('is for alliance staff only', async () => {
    // Act
    const posted = await handler(post(request, 'trust-RF4'), context);
    const read = await handler(get('a1', 'trust-RF4'), context);

    // Assess: refused before anything is read or written.
    expect(posted.statusCode).toBe(403);
    expect(read.statusCode).toBe(403);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('answers 400 with the reason for weights that do not sum to 1', async () => {
    // Act
    const result = await handler(
      post({ ...request, weights: { need: 0.6, gap: 0.3, equal: 0.2 } }),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(body(result).error.message).toMatch(
      /weights: the weights must sum to 1 \(need \+ gap \+ equal = 1\.1/,
    );
  });

  it('answers 400 for a body that is missing or not JSON', async () => {
    const empty = await handler({ ...post(''), body: null }, context);
    const broken = await handler(post('{"budget":'), context);
    expect(body(empty).error.message).toMatch(/a JSON body is required/);
    expect(body(broken).error.message).toMatch(/not valid JSON/);
  });

  it('computes, saves once (never overwriting) and returns the allocation with its location', async () => {
    // Prepare: no aggregates for June, so the gap weight goes to need.
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(PutCommand).resolves({});

    // Act
    const result = await handler(post(request), context);

    // Assess
    expect(result.statusCode).toBe(201);
    const document = body(result);
    expect(result.headers?.location).toBe(`/funding/allocations/${document.allocationId}`);
    const amounts = document.units.map((unit: { amount: number }) => unit.amount);
    expect(amounts.reduce((sum: number, amount: number) => sum + amount, 0)).toBe(700_000);
    for (const amount of amounts) expect(amount % 1000).toBe(0);
    expect(document.createdBy).toBe('user-1');
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe('Allocations');
    expect(put?.ConditionExpression).toBe('attribute_not_exists(allocationId)');
    expect(JSON.parse(String(put?.Item?.document))).toEqual(document);
  });

  it('refuses a previous allocation id that does not exist', async () => {
    // Prepare
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(GetCommand).resolves({});

    // Act
    const result = await handler(post({ ...request, previous: { allocationId: 'nope' } }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(body(result).error.message).toMatch(/allocation nope was not found/);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('returns a saved allocation exactly as stored, or 404', async () => {
    // Prepare
    const saved = { allocationId: 'a1', units: [], explanation: ['…'] };
    dynamo.on(GetCommand, { Key: { allocationId: 'a1' } }).resolves({
      Item: { allocationId: 'a1', document: JSON.stringify(saved) },
    });
    dynamo.on(GetCommand, { Key: { allocationId: 'a2' } }).resolves({});

    // Act
    const found = await handler(get('a1'), context);
    const missing = await handler(get('a2'), context);

    // Assess
    expect(found.statusCode).toBe(200);
    expect(body(found)).toEqual(saved);
    expect(missing.statusCode).toBe(404);
  });
});
