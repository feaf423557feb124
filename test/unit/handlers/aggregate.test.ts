import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
    ).toEqual(['SUB#sub-old#fds', 'SUB#sub-old#31d', 'SUB#sub-old#62d']);
    expect(
      dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues,
    ).toMatchObject({
      ':current': false,
      ':supersededBy': 'sub-new',
    });
    const claim = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(claim?.ConditionExpression).toContain('orderKey < :orderKey');
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
    expect(deletes).toHaveLength(3); // its own contribution, never the newer one's
    expect(JSON.stringify(deletes)).toContain('SUB#sub-new#');
  });

  it('fails loudly when a partial is missing, rather than aggregating half a file', async () => {
    s3.on(GetObjectCommand, { Key: 'staging/sub-new/partials/1.json' }).rejects(
      Object.assign(new Error('missing'), { name: 'NoSuchKey' }),
    );
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
