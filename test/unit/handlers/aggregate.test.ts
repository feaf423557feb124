import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/handlers/aggregate';
import { context, useHandlerEnv } from './helpers';

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);

const partial = (index: number, within: number, total: number) => ({
  version: 1,
  submissionId: 'sub-new',
  period: '2025-06',
  records: total,
  counted: { fds: total, '31d': 0, '62d': 0 },
  warnings: index === 0 ? { POSTCODE_UNKNOWN: 1 } : {},
  cells: { 'fds|all|RF4|all': [within, total] },
});
/** The SDK's streaming body, reduced to the one method the adapter reads JSON with. */
const body = (value: unknown) =>
  ({ transformToString: async () => JSON.stringify(value) }) as never;

const input = {
  submission: {
    submissionId: 'sub-new',
    bucket: 'uploads-bucket',
    key: 'uploads/RF4/cwt/2025-06/b.csv',
    trust: 'RF4',
    dataset: 'cwt',
    period: '2025-06',
    fileName: 'b.csv',
    receivedAt: '2025-07-02T09:00:00Z',
    orderKey: '2025-07-02T09:00:00Z|0001',
    size: 10,
    duplicate: false,
    keyProblem: null,
  },
  validation: {
    status: 'VALID',
    chunked: true,
    chunkCount: 2,
    manifestKey: 'staging/sub-new/manifest.json',
    firstChunk: null,
    counts: { total: 5, valid: 5, invalid: 0, warnings: 0 },
    reportKey: 'reports/sub-new/report.json',
    rejection: null,
  },
};

describe('Aggregate', () => {
  beforeEach(() => {
    useHandlerEnv();
    s3.on(GetObjectCommand, { Key: 'staging/sub-new/partials/0.json' }).resolves({
      Body: body(partial(0, 2, 3)),
    });
    s3.on(GetObjectCommand, { Key: 'staging/sub-new/partials/1.json' }).resolves({
      Body: body(partial(1, 1, 2)),
    });
    dynamo.on(BatchWriteCommand).resolves({});
  });
  afterEach(() => {
    s3.reset();
    dynamo.reset();
  });

  it('merges the chunks, stores the contribution and supersedes the previous submission', async () => {
    // Prepare: the pointer held an older submission
    dynamo.on(PutCommand).resolves({
      Attributes: { trust: 'RF4', submissionId: 'sub-old', orderKey: '2025-07-01T00:00:00Z|0' },
    });
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'sub-old', status: 'ACCEPTED' } });
    dynamo.on(UpdateCommand).resolves({});

    // Act
    const result = await handler(input, context);

    // Assess: 2/3 + 1/2 = 3/5 written once; the old contribution deleted; old marked superseded
    expect(result).toMatchObject({ current: true, supersedes: 'sub-old', supersededBy: null });
    expect(result.warnings).toEqual({ POSTCODE_UNKNOWN: 1 });
    const writes = dynamo
      .commandCalls(BatchWriteCommand)
      .map((c) => c.args[0].input.RequestItems?.Aggregates ?? []);
    const puts = writes.flat().filter((r) => 'PutRequest' in r);
    const fds = puts.find(
      (r) =>
        (r as { PutRequest: { Item: { standard: string } } }).PutRequest.Item.standard === 'fds',
    );
    expect(
      JSON.parse((fds as { PutRequest: { Item: { cells: string } } }).PutRequest.Item.cells),
    ).toContainEqual(['all', 'RF4', 'all', 3, 5]);
    const deletes = writes.flat().filter((r) => 'DeleteRequest' in r);
    expect(
      deletes.map((r) => (r as { DeleteRequest: { Key: { sk: string } } }).DeleteRequest.Key.sk),
    ).toEqual([
      'SUB#sub-old#fds',
      'SUB#sub-old#31d',
      'SUB#sub-old#62d',
      'SUB#sub-old#62d-treating',
      'SUB#sub-old#38d',
      'SUB#sub-old#24d',
      'SUB#sub-old#backlog',
    ]);
    const submissionUpdate = dynamo
      .commandCalls(UpdateCommand)
      .find((c) => c.args[0].input.TableName === 'Submissions');
    expect(submissionUpdate?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':current': false,
      ':supersededBy': 'sub-new',
    });
    const claim = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(claim?.ConditionExpression).toContain('orderKey < :orderKey');
  });

  it('marks the period as changing before its first write and re-versions it after its last', async () => {
    // Prepare: the pointer held an older submission, so there is a claim and a clean-up
    dynamo.on(PutCommand).resolves({
      Attributes: { trust: 'RF4', submissionId: 'sub-old', orderKey: '2025-07-01T00:00:00Z|0' },
    });
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'sub-old', status: 'ACCEPTED' } });
    dynamo.on(UpdateCommand).resolves({});

    // Act
    await handler(input, context);

    // Assess (Aggregates table only): on the versions item, SET change#2025-06#sub-new first;
    // then the contributions, the claim and the old contribution's deletion; then a new token
    // and the marker removed.
    const calls = dynamo
      .calls()
      .map((c) => c.args[0].input as Record<string, unknown>)
      .filter((c) => c.TableName !== 'Submissions');
    const kinds = calls.map((input) => {
      const key = input.Key as { pk?: string } | undefined;
      if (key?.pk === 'cwt#VERSIONS') return String(input.UpdateExpression);
      if ('RequestItems' in input) return 'batch';
      if ('ConditionExpression' in input) return 'claim';
      return 'other';
    });
    const relevant = kinds.filter((k) => k !== 'other');
    expect(relevant[0]).toBe('SET #change = :now');
    expect(relevant.at(-1)).toBe('SET #token = :token REMOVE #change');
    expect(relevant.slice(1, -1)).toEqual(['batch', 'claim', 'batch']);
    const [begin, end] = calls.filter((c) => (c.Key as { pk?: string })?.pk === 'cwt#VERSIONS');
    expect(begin?.ExpressionAttributeNames).toEqual({ '#change': 'change#2025-06#sub-new' });
    expect(end?.ExpressionAttributeNames).toEqual({
      '#token': 'token#2025-06',
      '#change': 'change#2025-06#sub-new',
    });
  });

  it('keeps a newer upload in place when an older one finishes last', async () => {
    dynamo
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'newer exists', $metadata: {} }));
    dynamo.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'cwt#2025-06',
          sk: 'CURRENT#RF4',
          trust: 'RF4',
          submissionId: 'sub-newer',
          orderKey: 'z',
        },
      ],
    });

    const result = await handler(input, context);

    expect(result).toMatchObject({ current: false, supersedes: null, supersededBy: 'sub-newer' });
    const deletes = dynamo
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.Aggregates ?? [])
      .filter((r) => 'DeleteRequest' in r);
    // its own contribution (one item per stored standard), never the newer one's
    expect(deletes).toHaveLength(7);
    expect(JSON.stringify(deletes)).toContain('SUB#sub-new#');
  });

  it('lists transfers that fit no scenario in the submission report, once however often it runs', async () => {
    // Prepare: chunk 1 found an IPT exception on row 7; the report already holds a validation
    // warning on row 3 and (from an earlier, retried run) the same IPT exception.
    const exception = {
      row: 7,
      pathwayId: 'T7',
      code: 'IPT_NO_SCENARIO',
      field: 'transfer_to_treatment_date',
      message: 'no transfer date',
    };
    s3.on(GetObjectCommand, { Key: 'staging/sub-new/partials/1.json' }).resolves({
      Body: body({ ...partial(1, 1, 2), exceptions: [exception] }),
    });
    const issue = (row: number, code: string) => ({
      row,
      pathwayId: `P${row}`,
      severity: 'warning',
      code,
      field: null,
      message: 'm',
      hint: 'h',
    });
    s3.on(GetObjectCommand, { Key: 'reports/sub-new/report.json' }).resolves({
      Body: body({
        submissionId: 'sub-new',
        status: 'ACCEPTED',
        summary: [],
        issues: [issue(3, 'DTT_AFTER_TREATMENT'), issue(7, 'IPT_NO_SCENARIO')],
      }),
    });
    s3.on(PutObjectCommand).resolves({});
    dynamo.on(PutCommand).resolves({});

    // Act
    const result = await handler(input, context);

    // Assess: the report is rewritten with the validation warning and ONE IPT line (row order),
    // the summary counts each code once, and the CSV carries the pathway id and the hint.
    expect(result.current).toBe(true);
    const written = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    const json = written.find((w) => w.Key === 'reports/sub-new/report.json');
    const report = JSON.parse(String(json?.Body));
    expect(report.issues.map((i: { row: number; code: string }) => [i.row, i.code])).toEqual([
      [3, 'DTT_AFTER_TREATMENT'],
      [7, 'IPT_NO_SCENARIO'],
    ]);
    expect(report.issues[1]).toMatchObject({ pathwayId: 'T7', severity: 'warning' });
    expect(report.issues[1].hint).toMatch(/transfer_to_treatment_date/);
    expect(report.summary).toEqual([
      { code: 'DTT_AFTER_TREATMENT', severity: 'warning', count: 1 },
      { code: 'IPT_NO_SCENARIO', severity: 'warning', count: 1 },
    ]);
    const csv = written.find((w) => w.Key === 'reports/sub-new/report.csv');
    expect(String(csv?.Body)).toContain('7,T7,warning,IPT_NO_SCENARIO,transfer_to_treatment_date');
  });

  it('leaves the report alone when enrichment found no exception', async () => {
    // Prepare
    dynamo.on(PutCommand).resolves({});

    // Act
    await handler(input, context);

    // Assess
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('fails loudly when a partial is missing, rather than aggregating half a file', async () => {
    s3.on(GetObjectCommand, { Key: 'staging/sub-new/partials/1.json' }).rejects(
      Object.assign(new Error('missing'), { name: 'NoSuchKey' }),
    );
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
