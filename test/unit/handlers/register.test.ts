import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submissionIdFor } from '../../../lambdas/core/submission';
import { handler } from '../../../lambdas/handlers/register';
import { context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);
const event = (key: string, etag = 'abc') => ({
  version: '0',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  time: '2025-07-02T09:00:00Z',
  detail: {
    bucket: { name: 'uploads-bucket' },
    object: { key, size: 1234, etag, sequencer: '0A1B' },
  },
});

describe('Register', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  it('records a new submission with its parts and an order key', async () => {
    // Prepare
    dynamo.on(PutCommand).resolves({});

    // Act
    const result = await handler(event('uploads/RF4/cwt/2025-06/june.csv'), context);

    // Assess
    expect(result).toMatchObject({
      submissionId: submissionIdFor({
        bucket: 'uploads-bucket',
        key: 'uploads/RF4/cwt/2025-06/june.csv',
        etag: 'abc',
      }),
      trust: 'RF4',
      dataset: 'cwt',
      period: '2025-06',
      fileName: 'june.csv',
      duplicate: false,
      keyProblem: null,
      orderKey: `2025-07-02T09:00:00Z|${'0A1B'.padStart(32, '0')}`,
    });
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(submissionId)');
    expect(put?.Item).toMatchObject({ status: 'RECEIVED', trust: 'RF4', period: '2025-06' });
  });

  it('reports a redelivered event for a finished submission as a duplicate', async () => {
    dynamo
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'x', status: 'ACCEPTED' } });
    const result = await handler(event('uploads/RF4/cwt/2025-06/june.csv'), context);
    expect(result.duplicate).toBe(true);
  });

  it('lets a failed submission run again when its event is redelivered', async () => {
    dynamo
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'x', status: 'FAILED' } });
    expect((await handler(event('uploads/RF4/cwt/2025-06/june.csv'), context)).duplicate).toBe(
      false,
    );
  });

  it('registers an upload whose key breaks the contract, saying why, for Validate to reject', async () => {
    dynamo.on(PutCommand).resolves({});
    const result = await handler(event('uploads/RF4/cwt/June/june.csv'), context);
    expect(result.keyProblem).toContain('reporting period');
    expect(result.trust).toBe('RF4');
  });

  it('turns DynamoDB throttling into TransientError so the workflow retries', async () => {
    dynamo
      .on(PutCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(handler(event('uploads/RF4/cwt/2025-06/june.csv'), context)).rejects.toMatchObject(
      {
        name: 'TransientError',
      },
    );
  });

  it('rejects an event that is not an S3 Object Created event', async () => {
    await expect(handler({ detail: {} }, context)).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('Register: retries and replays', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  const stored = (status: string) => ({
    submissionId: 'sub-0123456789abcdef01234567',
    trust: 'RF4',
    dataset: 'cwt',
    period: '2025-06',
    fileName: 'june.csv',
    bucket: 'uploads-bucket',
    key: 'uploads/RF4/cwt/2025-06/june.csv',
    receivedAt: '2025-07-02T09:00:00Z',
    size: 1234,
    status,
    updatedAt: '2025-07-02T09:01:00Z',
  });
  const replay = {
    replay: true,
    submissionId: 'sub-0123456789abcdef01234567',
    orderKey: `2025-07-02T09:00:00Z|${'0A1B'.padStart(32, '0')}`,
  };

  it('runs a FAILED submission again when its event is redelivered', async () => {
    dynamo
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: stored('FAILED') });

    const result = await handler(event('uploads/RF4/cwt/2025-06/june.csv'), context);

    expect(result.duplicate).toBe(false);
  });

  it('replays an ACCEPTED submission under its own id and order key, writing nothing', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored('ACCEPTED') });

    const result = await handler(replay, context);

    expect(result).toMatchObject({
      submissionId: replay.submissionId,
      key: 'uploads/RF4/cwt/2025-06/june.csv',
      trust: 'RF4',
      period: '2025-06',
      orderKey: replay.orderKey,
      duplicate: false,
    });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each(['REJECTED', 'PROCESSING'])('does not replay a %s submission', async (status) => {
    dynamo.on(GetCommand).resolves({ Item: stored(status) });

    const result = await handler(replay, context);

    expect(result.duplicate).toBe(true);
  });

  it('fails a replay of an unknown submission', async () => {
    dynamo.on(GetCommand).resolves({});

    await expect(handler(replay, context)).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
