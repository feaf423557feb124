import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/handlers/report-api';
import { serveAggregatesTable } from './aggregates-table-fake';
import { apiEvent, context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);
const body = (result: { body: string }) => JSON.parse(result.body);

/** One period's items as the Aggregates table holds them: RF4 current, with FDS 3 of 4 within. */
const june = [
  { pk: 'cwt#2025-06', sk: 'CURRENT#RF4', trust: 'RF4', submissionId: 's1', orderKey: 'a' },
  {
    pk: 'cwt#2025-06',
    sk: 'SUB#s1#fds',
    period: '2025-06',
    standard: 'fds',
    submissionId: 's1',
    submittingTrust: 'RF4',
    cells: JSON.stringify([['all', 'RF4', 'all', 3, 4]]),
  },
  {
    pk: 'cwt#2025-06',
    sk: 'SUB#old#fds',
    period: '2025-06',
    standard: 'fds',
    submissionId: 'old',
    submittingTrust: 'RF4',
    cells: JSON.stringify([['all', 'RF4', 'all', 100, 100]]),
  },
];

describe('report API', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  it('answers /health without an identity', async () => {
    const result = await handler(apiEvent('/health', { groups: null }), context);
    expect(result.statusCode).toBe(200);
    expect(body(result)).toEqual({ status: 'ok' });
  });

  it('serves performance from current submissions only, with the target in force', async () => {
    // Prepare: a superseded contribution (100/100) is still stored but not current
    serveAggregatesTable(dynamo, () => june);

    // Act
    const result = await handler(
      apiEvent('/performance', { query: { standard: 'fds', from: '2025-06', to: '2025-06' } }),
      context,
    );

    // Assess: 3/4 = 0.75, target 75% in June 2025 → meets
    expect(result.statusCode).toBe(200);
    const rows = body(result).rows;
    expect(rows.find((r: { trust: string }) => r.trust === 'RF4')).toMatchObject({
      within: 3,
      total: 4,
      performance: 0.75,
      target: 0.75,
      meetsTarget: true,
    });
    expect(rows.find((r: { trust: string }) => r.trust === 'ALL')).toMatchObject({
      within: 3,
      total: 4,
    });
  });

  it('forbids a trust user from another trust and from unsuppressed breakdowns', async () => {
    const other = await handler(
      apiEvent('/performance', {
        query: { standard: 'fds', from: '2025-06', to: '2025-06', trust: 'RF4' },
        groups: 'trust-R1H',
      }),
      context,
    );
    expect(other.statusCode).toBe(403);
    expect(body(other).error.code).toBe('FORBIDDEN');
    const full = await handler(
      apiEvent('/performance', {
        query: { standard: 'fds', from: '2025-06', to: '2025-06', by: 'sex', disclosure: 'full' },
        groups: 'trust-R1H',
      }),
      context,
    );
    expect(full.statusCode).toBe(403);
  });

  it('rejects bad parameters with 400 and says which', async () => {
    const result = await handler(
      apiEvent('/performance', { query: { standard: '90d', from: '2025-06', to: '2025-6' } }),
      context,
    );
    expect(result.statusCode).toBe(400);
    expect(body(result).error.message).toMatch(/standard/);
    expect(body(result).error.message).toMatch(/to/);
  });

  it('refuses a request without verified claims', async () => {
    const result = await handler(apiEvent('/submissions', { groups: null }), context);
    expect(result.statusCode).toBe(401);
  });

  it('returns 404 for an unknown submission and 403 for another trust’s', async () => {
    dynamo.on(GetCommand).resolves({});
    const missing = await handler(
      apiEvent('/submissions/{id}', { path: { id: `sub-${'0'.repeat(24)}` } }),
      context,
    );
    expect(missing.statusCode).toBe(404);
    dynamo
      .on(GetCommand)
      .resolves({ Item: { submissionId: 'sub-1', trust: 'RF4', status: 'ACCEPTED' } });
    const forbidden = await handler(
      apiEvent('/submissions/{id}', { path: { id: `sub-${'1'.repeat(24)}` }, groups: 'trust-RQX' }),
      context,
    );
    expect(forbidden.statusCode).toBe(403);
  });

  it('hides internal error details behind a 500', async () => {
    dynamo.on(GetCommand).rejects(new Error('table Aggregates-XYZ does not exist'));
    dynamo.on(QueryCommand).rejects(new Error('table Aggregates-XYZ does not exist'));
    const result = await handler(
      apiEvent('/performance', { query: { standard: 'fds', from: '2025-06', to: '2025-06' } }),
      context,
    );
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('Aggregates-XYZ');
  });
});
