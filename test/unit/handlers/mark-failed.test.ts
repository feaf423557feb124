import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/handlers/mark-failed';
import { context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);

/** The state when Register itself failed: only the S3 event's detail and the error. */
const registerFailed = {
  detail: {
    bucket: { name: 'uploads-bucket' },
    object: { key: 'uploads/RF4/cwt/2025-06/june.csv', etag: 'abc' },
  },
  error: { Error: 'Error', Cause: '{"errorMessage":"boom"}' },
};

function updatedStatus(): unknown {
  const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
  return update?.ExpressionAttributeValues?.[':status'];
}

describe('Mark failed', () => {
  beforeEach(() => useHandlerEnv());
  afterEach(() => dynamo.reset());

  it('marks a submission Register left RECEIVED as FAILED', async () => {
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'x', status: 'RECEIVED' } });
    dynamo.on(UpdateCommand).resolves({});

    await handler(registerFailed, context);

    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(updatedStatus()).toBe('FAILED');
  });

  it('leaves an ACCEPTED submission alone when Register fails on a redelivered event', async () => {
    dynamo.on(GetCommand).resolves({ Item: { submissionId: 'x', status: 'ACCEPTED' } });
    dynamo.on(UpdateCommand).resolves({});

    await handler(registerFailed, context);

    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
