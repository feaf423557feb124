import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as checkDeadlines } from '../../../lambdas/handlers/check-deadlines';
import { handler as evaluate } from '../../../lambdas/handlers/evaluate';
import { handler as reportApi } from '../../../lambdas/handlers/report-api';
import { serveAggregatesTable } from './aggregates-table-fake';
import { apiEvent, context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** Items per table and partition key, served to Query the way DynamoDB would. */
function serve(items: Record<string, Record<string, Record<string, unknown>[]>>) {
  dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    const all = items[input.TableName ?? '']?.[String(values[':pk'])] ?? [];
    const prefix = values[':prefix'];
    return {
      Items: prefix ? all.filter((item) => String(item.sk).startsWith(String(prefix))) : all,
    };
  });
}

/** An Aggregates partition with RF4 current and one FDS headline cell. */
function aggregatesFor(period: string, within: number, total: number) {
  return {
    [`cwt#${period}`]: [
      { pk: `cwt#${period}`, sk: 'CURRENT#RF4', trust: 'RF4', submissionId: 's1', orderKey: 'a' },
      {
        pk: `cwt#${period}`,
        sk: 'SUB#s1#fds',
        period,
        standard: 'fds',
        submissionId: 's1',
        submittingTrust: 'RF4',
        cells: JSON.stringify([['all', 'RF4', 'all', within, total]]),
      },
    ],
  };
}

const evaluation = {
  submission: {
    submissionId: 's1',
    bucket: 'uploads-bucket',
    key: 'uploads/RF4/cwt/2025-06/a.csv',
    trust: 'RF4',
    dataset: 'cwt',
    period: '2025-06',
    fileName: 'a.csv',
    receivedAt: '2025-07-02T09:00:00Z',
    orderKey: 'a',
    size: 10,
    duplicate: false,
    keyProblem: null,
  },
  aggregate: { current: true, supersedes: null, supersededBy: null, counted: {}, warnings: {} },
};

const openBreach = (trust: string) => ({
  pk: 'cwt#2025-06',
  sk: `standard-breach#fds#${trust}`,
  kind: 'standard-breach',
  key: `fds#${trust}`,
  period: '2025-06',
  trust,
  standard: 'fds',
  status: 'open',
  message: JSON.stringify({ figures: { within: 6, total: 10, performance: 0.6 } }),
});

type Published = { alerts: Array<{ subject: string; message: Record<string, unknown> }> };

describe('Evaluate standards', () => {
  beforeEach(() => {
    useHandlerEnv();
    // the evaluated submission's earlier alerts went out (Complete confirmed them), so only
    // alerts recorded now are sent; the case where they did not is the last test below
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 's1', alertsPublished: true } });
  });
  afterEach(() => dynamo.reset());

  it('sends again the alerts an earlier, failed attempt of the same submission recorded', async () => {
    // Prepare: RF4 FDS 6/10 < 75%: both breaches were recorded by s1 itself (raisedBy), but s1
    // failed before Complete confirmed they were published.
    serve({ Aggregates: aggregatesFor('2025-06', 6, 10), Alerts: {} });
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 's1', status: 'PROCESSING' } });
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(UpdateCommand).resolves({ Attributes: { status: 'open' } });
    const query = dynamo.on(QueryCommand);
    query.callsFake((input: QueryCommandInput) => ({
      Items:
        input.FilterExpression === 'raisedBy = :submissionId'
          ? [{ sk: 'standard-breach#fds#RF4' }, { sk: 'standard-breach#fds#ALL' }]
          : input.TableName === 'Aggregates'
            ? aggregatesFor('2025-06', 6, 10)['cwt#2025-06']
            : [],
    }));

    // Act
    const retried = (await evaluate(evaluation, context)) as Published;

    // Assess: sent again (at least once), though not new
    expect(retried.alerts.map((a) => [a.message.type, a.message.trust])).toEqual([
      ['standard-breach', 'RF4'],
      ['standard-breach', 'ALL'],
    ]);
  });

  it('records a new breach and publishes it once', async () => {
    // Prepare: RF4 FDS 6/10 = 60% < 75%, so RF4 and the alliance breach. The first evaluation
    // records both (Put succeeds); the second finds them recorded (condition fails).
    serve({ Aggregates: aggregatesFor('2025-06', 6, 10), Alerts: {} });
    dynamo.on(PutCommand).resolvesOnce({}).resolvesOnce({}).rejects(conditionFailed());
    dynamo.on(UpdateCommand).resolves({ Attributes: { status: 'open' } });

    // Act
    const first = (await evaluate(evaluation, context)) as Published;
    const second = (await evaluate(evaluation, context)) as Published;

    // Assess
    expect(first.alerts.map((a) => [a.message.type, a.message.trust])).toEqual([
      ['standard-breach', 'RF4'],
      ['standard-breach', 'ALL'],
    ]);
    expect(second.alerts).toEqual([]);
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({
      pk: 'cwt#2025-06',
      sk: 'standard-breach#fds#RF4',
      status: 'open',
    });
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('resolves an open breach brought back to target and announces it only the first time', async () => {
    // Prepare: RF4 now 31/40 = 77.5% ≥ 75%; RF4's and the alliance's breaches are open. The
    // first resolution finds no earlier one; a re-resolution after a quiet re-opening does.
    serve({
      Aggregates: aggregatesFor('2025-06', 31, 40),
      Alerts: { 'cwt#2025-06': [openBreach('RF4'), openBreach('ALL')] },
    });
    dynamo
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: openBreach('RF4') })
      .resolvesOnce({ Attributes: openBreach('ALL') })
      .resolves({ Attributes: { ...openBreach('RF4'), firstResolvedAt: '2025-07-03T00:00:00Z' } });

    // Act
    const first = (await evaluate(evaluation, context)) as Published;
    const again = (await evaluate(evaluation, context)) as Published;

    // Assess
    expect(first.alerts.map((a) => a.message)).toEqual([
      expect.objectContaining({
        type: 'breach-resolved',
        trust: 'RF4',
        figures: { within: 31, total: 40, performance: 0.775 },
        breach: { within: 6, total: 10, performance: 0.6 },
        threshold: 0.75,
      }),
      expect.objectContaining({ type: 'breach-resolved', trust: 'ALL' }),
    ]);
    expect(again.alerts).toEqual([]);
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ pk: 'cwt#2025-06', sk: 'standard-breach#fds#RF4' });
    expect(update?.ConditionExpression).toContain('#status = :open');
    expect(JSON.parse(String(update?.ExpressionAttributeValues?.[':resolution']))).toEqual({
      figures: { within: 31, total: 40, performance: 0.775 },
      threshold: 0.75,
    });
  });
});

describe('Check deadlines', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  it('raises a missing submission per trust and overdue period, as of the event time', async () => {
    // Prepare: 2025-03-28 with the NEL defaults (25 days, look back 3): February is overdue
    // (due 25 Mar), so Feb, Jan, Dec are checked. Only RF4 has submitted, and only February.
    serve({
      Aggregates: {
        'cwt#2025-02': [{ sk: 'CURRENT#RF4', trust: 'RF4', submissionId: 's1', orderKey: 'a' }],
      },
      Alerts: {},
    });
    dynamo.on(PutCommand).resolves({});

    // Act
    const result = (await checkDeadlines(
      { 'detail-type': 'Scheduled Event', time: '2025-03-28T07:00:00Z' },
      context,
    )) as Published;

    // Assess: 3 trusts × 3 periods − RF4's February = 8.
    expect(result.alerts.map((a) => `${a.message.period} ${a.message.trust}`)).toEqual([
      '2025-02 R1H',
      '2025-02 RQX',
      '2025-01 R1H',
      '2025-01 RF4',
      '2025-01 RQX',
      '2024-12 R1H',
      '2024-12 RF4',
      '2024-12 RQX',
    ]);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      sk: 'missing-submission#R1H',
      kind: 'missing-submission',
    });
  });

  it('closes the alert of a trust whose file arrived late, quietly', async () => {
    // Prepare: RQX's January alert is open and RQX has now submitted January.
    serve({
      Aggregates: {
        'cwt#2025-01': ['R1H', 'RF4', 'RQX'].map((trust) => ({
          sk: `CURRENT#${trust}`,
          trust,
          submissionId: `s-${trust}`,
          orderKey: 'a',
        })),
      },
      Alerts: {
        'cwt#2025-01': [
          {
            sk: 'missing-submission#RQX',
            kind: 'missing-submission',
            key: 'RQX',
            period: '2025-01',
            trust: 'RQX',
            status: 'open',
            message: '{}',
          },
        ],
      },
    });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({ Attributes: { status: 'open' } });

    // Act: 2025-02-28 — January (due 25 Feb) is the newest overdue period.
    const result = (await checkDeadlines({ time: '2025-02-28T07:00:00Z' }, context)) as Published;

    // Assess: nothing published for January; RQX's alert resolved.
    expect(result.alerts.some((a) => a.message.period === '2025-01')).toBe(false);
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ pk: 'cwt#2025-01', sk: 'missing-submission#RQX' });
  });
});

describe('GET /alerts and GET /performance/series', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  const stored = (trust: string, kind: string, key: string) => ({
    pk: 'cwt#2025-06',
    sk: `${kind}#${key}`,
    kind,
    key,
    period: '2025-06',
    trust,
    standard: 'fds',
    status: 'open',
    raisedAt: '2025-07-02T09:00:00Z',
    message: JSON.stringify({
      type: kind,
      figures: {
        group: { within: 5, total: 20, performance: 0.25 },
        rest: { within: 18, total: 20, performance: 0.9 },
      },
    }),
  });
  const june = [
    stored('RF4', 'standard-breach', 'fds#RF4'),
    stored('R1H', 'standard-breach', 'fds#R1H'),
    stored('ALL', 'standard-breach', 'fds#ALL'),
    stored('RF4', 'inequality-gap', 'fds#RF4#imdQuintile#1'),
  ];

  it('shows a trust user its own and the alliance-wide alerts, with small numbers suppressed', async () => {
    // Prepare
    serve({ Alerts: { 'cwt#2025-06': june } });

    // Act
    const result = await reportApi(
      apiEvent('/alerts', { query: { period: '2025-06' }, groups: 'trust-RF4' }),
      context,
    );

    // Assess: R1H's breach is hidden; within 5 (1–7) is suppressed, 18/20 rounds to 20/20.
    expect(result.statusCode).toBe(200);
    const alerts = JSON.parse(result.body).alerts;
    expect(alerts.map((a: { trust: string; kind: string }) => `${a.kind} ${a.trust}`)).toEqual([
      'standard-breach RF4',
      'standard-breach ALL',
      'inequality-gap RF4',
    ]);
    expect(alerts[2].message.figures.group).toEqual({
      within: null,
      total: null,
      performance: null,
      suppressed: true,
    });
    expect(alerts[2].message.figures.rest).toEqual({ within: 20, total: 20, performance: 1 });
  });

  it('filters by kind and trust for alliance staff, and forbids another trust', async () => {
    // Prepare
    serve({ Alerts: { 'cwt#2025-06': june } });

    // Act
    const alliance = await reportApi(
      apiEvent('/alerts', {
        query: { period: '2025-06', kind: 'standard-breach', trust: 'R1H' },
      }),
      context,
    );
    const other = await reportApi(
      apiEvent('/alerts', { query: { trust: 'R1H' }, groups: 'trust-RF4' }),
      context,
    );
    const bad = await reportApi(
      apiEvent('/alerts', { query: { period: '2025-06', from: '2025-01' } }),
      context,
    );

    // Assess
    const alerts = JSON.parse(alliance.body).alerts;
    expect(alerts.map((a: { trust: string }) => a.trust)).toEqual(['R1H']);
    const query = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.ExpressionAttributeValues).toEqual({
      ':pk': 'cwt#2025-06',
      ':prefix': 'standard-breach#',
    });
    expect(other.statusCode).toBe(403);
    expect(bad.statusCode).toBe(400);
  });

  it('serves the alliance series by default, and a trust series only to its trust', async () => {
    // Prepare: one month, RF4 3/4 (read by key and versions, as the report routes read it).
    serveAggregatesTable(dynamo, () => Object.values(aggregatesFor('2025-06', 3, 4)).flat());

    // Act
    const alliance = await reportApi(
      apiEvent('/performance/series', {
        query: { standard: 'fds', from: '2025-06', to: '2025-06' },
        groups: 'trust-R1H',
      }),
      context,
    );
    const forbidden = await reportApi(
      apiEvent('/performance/series', {
        query: { standard: 'fds', from: '2025-06', to: '2025-06', trust: 'RF4' },
        groups: 'trust-R1H',
      }),
      context,
    );

    // Assess: one point has no moving range, so no limits yet.
    expect(alliance.statusCode).toBe(200);
    expect(JSON.parse(alliance.body)).toMatchObject({
      standard: 'fds',
      trust: 'ALL',
      spc: null,
      points: [{ period: '2025-06', within: 3, total: 4, performance: 0.75, target: 0.75 }],
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
