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
