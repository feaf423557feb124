import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonValue } from './asl';
import { type ExecutionRegistry, ExecutionRequestError } from './executions';

/**
 * The part of the Step Functions API that handlers call (StartExecution, DescribeExecution),
 * served on loopback over the AWS JSON 1.0 protocol so a handler's own `@aws-sdk/client-sfn`
 * client reaches the local executions through AWS_ENDPOINT_URL_SFN — the same call it makes in
 * the cloud, starting the same state machine, not a second orchestration.
 */
export interface LocalSfnApi {
  readonly endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';

export async function startSfnApi(registry: ExecutionRegistry): Promise<LocalSfnApi> {
  const server = createServer((req, res) => {
    // a client that goes away mid-request must not take the runtime down with it
    handle(registry, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  registry: ExecutionRegistry,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const target = String(req.headers['x-amz-target'] ?? '');
  const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
      string,
      unknown
    >;
    if (action === 'StartExecution') {
      let input: JsonValue = {};
      try {
        input = JSON.parse(String(body.input ?? '{}')) as JsonValue;
      } catch {
        throw new ExecutionRequestError('InvalidExecutionInput', 'Input is not valid JSON');
      }
      const { record } = registry.submit(input, {
        stateMachineArn: String(body.stateMachineArn ?? ''),
        trigger: 'sfn-api',
        ...(typeof body.name === 'string' ? { name: body.name } : {}),
      });
      return reply(res, 200, {
        executionArn: record.executionArn,
        startDate: Date.parse(record.queuedAt) / 1000,
      });
    }
    if (action === 'DescribeExecution') {
      const record = registry.list().find((r) => r.executionArn === body.executionArn);
      if (!record) return reply(res, 400, error('ExecutionDoesNotExist', 'No such execution'));
      return reply(res, 200, {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        // the service has no QUEUED status; a queued execution is one that has started
        status: record.status === 'QUEUED' ? 'RUNNING' : record.status,
        startDate: Date.parse(record.startDate ?? record.queuedAt) / 1000,
        ...(record.stopDate ? { stopDate: Date.parse(record.stopDate) / 1000 } : {}),
        ...(record.error ? { error: record.error } : {}),
      });
    }
    return reply(res, 400, error('UnknownOperationException', `${action} is not served locally`));
  } catch (thrown) {
    if (thrown instanceof ExecutionRequestError) {
      return reply(res, 400, error(thrown.code, thrown.message));
    }
    return reply(res, 500, error('InternalFailure', (thrown as Error).message));
  }
}

function error(type: string, message: string) {
  return { __type: `com.amazonaws.states#${type}`, message };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(body));
}
