import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AlertSink, PublishInput } from './alerts-sink';
import type { JsonValue } from './asl';
import type { FunctionRegistry } from './functions';

export type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

export interface TaskDependencies {
  functions: FunctionRegistry;
  alerts: AlertSink;
  dynamo: DynamoDBClient;
  log: (line: string) => void;
}

/** The Step Functions state payload limit. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * A terminal error: the service neither retries nor catches it with `States.ALL`, so the
 * library's retry/catch flags are switched off for it.
 */
export class DataLimitExceededError extends Error {
  override name = 'States.DataLimitExceeded';
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

const SERVICE_PREFIX = /^arn:[^:]+:states:::/;
const FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/;

/**
 * The local implementation of a Task's Resource, or undefined when there is none (the caller
 * refuses the definition rather than let the library call real AWS).
 */
export function taskHandlerFor(resource: string, deps: TaskDependencies): TaskHandler | undefined {
  if (FUNCTION_ARN.test(resource)) {
    const fn = deps.functions.get(resource);
    return async (input) => (await fn.invoke(input)) as JsonValue;
  }
  const integration = resource.replace(SERVICE_PREFIX, '');
  if (integration === resource) return undefined;
  switch (integration) {
    case 'lambda:invoke':
      return (input) => invokeIntegration(input, deps);
    case 'sns:publish':
      return async (input) => (await deps.alerts.publish(asObject(input))) as unknown as JsonValue;
    case 'dynamodb:getItem':
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem':
      return (input) => dynamoIntegration(integration, input, deps.dynamo);
    default:
      return undefined;
  }
}

/** Rejects task results larger than the state payload limit, as the service does. */
export function withPayloadLimit(stateName: string, handler: TaskHandler): TaskHandler {
  return async (input) => {
    const result = await handler(input);
    const bytes = Buffer.byteLength(JSON.stringify(result ?? null));
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new DataLimitExceededError(
        `The state/task '${stateName}' returned a result with a size (${bytes} bytes) exceeding ` +
          `the maximum number of bytes service limit (${MAX_PAYLOAD_BYTES})`,
      );
    }
    return result;
  };
}

async function invokeIntegration(input: JsonValue, deps: TaskDependencies): Promise<JsonValue> {
  const params = asObject(input) as {
    FunctionName?: string;
    Payload?: JsonValue;
    InvocationType?: string;
  };
  const fn = deps.functions.get(String(params.FunctionName ?? ''));
  const payload = params.Payload === undefined ? {} : params.Payload;
  if (params.InvocationType === 'Event') {
    fn.invoke(payload).catch((error: unknown) => {
      deps.log(`async invocation of ${fn.name} failed: ${(error as Error).name}`);
    });
    return { ExecutedVersion: '$LATEST', StatusCode: 202, Payload: '' };
  }
  const result = (await fn.invoke(payload)) as JsonValue;
  return { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: result };
}

/** An error named `DynamoDB.<Exception>`, the shape Catch rules match for this integration. */
class DynamoIntegrationError extends Error {}

async function dynamoIntegration(
  integration: string,
  input: JsonValue,
  dynamo: DynamoDBClient,
): Promise<JsonValue> {
  // Parameters are already AttributeValue-shaped, exactly what the low-level client takes
  const params = asObject(input) as never;
  try {
    const output = await (() => {
      switch (integration) {
        case 'dynamodb:getItem':
          return dynamo.send(new GetItemCommand(params));
        case 'dynamodb:putItem':
          return dynamo.send(new PutItemCommand(params));
        case 'dynamodb:updateItem':
          return dynamo.send(new UpdateItemCommand(params));
        default:
          return dynamo.send(new DeleteItemCommand(params));
      }
    })();
    const { $metadata: _metadata, ...rest } = output;
    return JSON.parse(JSON.stringify(rest)) as JsonValue;
  } catch (error) {
    const sdk = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
    if (!sdk.$metadata) throw error;
    const wrapped = new DynamoIntegrationError(
      `${sdk.message} (Service: DynamoDb, Status Code: ${sdk.$metadata.httpStatusCode}, ` +
        `Request ID: ${sdk.$metadata.requestId ?? 'local'})`,
    );
    wrapped.name = `DynamoDB.${sdk.name}`;
    throw wrapped;
  }
}

function asObject(input: JsonValue): PublishInput & Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('Task parameters must be an object');
  }
  return input;
}
