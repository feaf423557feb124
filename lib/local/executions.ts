import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExecutionAbortedError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { JsonValue } from './asl';
import type { ExecutionEvent, LocalStateMachine, MapRunEvent } from './state-machine';
import { MAX_PAYLOAD_BYTES } from './task-overrides';

export type ExecutionStatus =
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED';

export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  /** What started it, e.g. `rule:OnUpload` or `api`. */
  trigger: string;
  queuedAt: string;
  startDate?: string;
  stopDate?: string;
  input: JsonValue;
  output?: JsonValue;
  error?: string;
  cause?: string;
  /** The interpreter's event log plus Distributed Map child events (recent executions only). */
  events: Array<ExecutionEvent | MapRunEvent>;
}

export class ExecutionRequestError extends Error {
  constructor(
    readonly code: 'ExecutionAlreadyExists' | 'InvalidExecutionInput' | 'StateMachineDoesNotExist',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Event logs are kept in memory for this many recent executions; older ones drop theirs. */
const EVENT_LOG_RETENTION = 50;

interface Pending {
  record: ExecutionRecord;
  machine: LocalStateMachine;
  settle: (record: ExecutionRecord) => void;
}

/**
 * Runs executions through a bounded queue (handlers share one process, so unbounded fan-in
 * would only thrash) and writes one summary line per finished execution.
 */
export class ExecutionRegistry {
  private readonly records: ExecutionRecord[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<string, () => void>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly machines: Map<string, LocalStateMachine>;
  private stopped = false;

  constructor(
    private readonly options: {
      dataDir: string;
      maxConcurrent: number;
      machines: LocalStateMachine[];
      log: (line: string) => void;
    },
  ) {
    this.machines = new Map(options.machines.map((m) => [m.arn, m]));
  }

  /** Queues an execution; `done` settles (never rejects) when it has finished. */
  submit(
    input: JsonValue,
    request: { stateMachineArn: string; name?: string; trigger: string },
  ): { record: ExecutionRecord; done: Promise<ExecutionRecord> } {
    const machine = this.machines.get(request.stateMachineArn);
    if (!machine) {
      throw new ExecutionRequestError(
        'StateMachineDoesNotExist',
        `No state machine ${request.stateMachineArn}`,
      );
    }
    const name = request.name ?? randomUUID();
    if (this.records.some((r) => r.name === name && r.stateMachineArn === machine.arn)) {
      throw new ExecutionRequestError('ExecutionAlreadyExists', `Execution ${name} exists`);
    }
    if (Buffer.byteLength(JSON.stringify(input)) > MAX_PAYLOAD_BYTES) {
      throw new ExecutionRequestError('InvalidExecutionInput', 'Input exceeds 256 KiB');
    }
    if (this.stopped) throw new Error('The local runtime is stopping');
    const record: ExecutionRecord = {
      name,
      executionArn: machine.arn.replace(':stateMachine:', ':execution:') + `:${name}`,
      stateMachineArn: machine.arn,
      status: 'QUEUED',
      trigger: request.trigger,
      queuedAt: new Date().toISOString(),
      input,
      events: [],
    };
    this.records.push(record);
    const retainFrom = this.records.length - EVENT_LOG_RETENTION - 1;
    if (retainFrom >= 0) this.records[retainFrom]!.events = [];
    let settle!: (record: ExecutionRecord) => void;
    const done = new Promise<ExecutionRecord>((resolve) => {
      settle = resolve;
    });
    this.queue.push({ record, machine, settle });
    this.pump();
    return { record, done };
  }

  list(): ExecutionRecord[] {
    return [...this.records];
  }

  appendChildEvent(executionName: string, event: MapRunEvent): void {
    const record = this.records.find((r) => r.name === executionName && r.status === 'RUNNING');
    record?.events.push(event);
  }

  waitForIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops queued executions and aborts running ones, recording both as ABORTED. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.queue.splice(0)) {
      await this.finish(pending, { status: 'ABORTED', error: 'States.Aborted' });
    }
    for (const abort of this.running.values()) abort();
    await this.waitForIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running.size === 0;
  }

  private pump(): void {
    while (this.running.size < this.options.maxConcurrent && this.queue.length > 0) {
      const pending = this.queue.shift()!;
      void this.run(pending);
    }
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async run(pending: Pending): Promise<void> {
    const { record, machine } = pending;
    record.status = 'RUNNING';
    record.startDate = new Date().toISOString();
    let outcome: Partial<ExecutionRecord>;
    try {
      const execution = machine.start(record.input, {
        name: record.name,
        arn: record.executionArn,
      });
      this.running.set(record.name, execution.abort);
      const logging = (async () => {
        for await (const event of execution.eventLogs) record.events.push(event);
      })();
      try {
        outcome = { status: 'SUCCEEDED', output: (await execution.result) as JsonValue };
      } finally {
        await logging;
      }
    } catch (error) {
      outcome = failure(error);
    }
    await this.finish(pending, outcome);
    this.running.delete(record.name);
    this.pump();
  }

  private async finish(pending: Pending, outcome: Partial<ExecutionRecord>): Promise<void> {
    const { record } = pending;
    Object.assign(record, outcome, { stopDate: new Date().toISOString() });
    const line = {
      name: record.name,
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      status: record.status,
      trigger: record.trigger,
      startDate: record.startDate ?? null,
      stopDate: record.stopDate,
      error: record.error ?? null,
      cause: record.cause ?? null,
      input: summariseInput(record.input),
    };
    try {
      await appendFile(join(this.options.dataDir, 'executions.jsonl'), `${JSON.stringify(line)}\n`);
    } catch (error) {
      this.options.log(`could not record execution ${record.name}: ${(error as Error).message}`);
    }
    this.options.log(
      `execution ${record.name} ${record.status}${record.error ? ` (${record.error})` : ''}`,
    );
    pending.settle(record);
  }
}

function failure(error: unknown): Partial<ExecutionRecord> {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', error: 'States.Aborted' };
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout' };
  }
  // ExecutionError wraps the state's error: its name is the Error, its message the Cause
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}

/**
 * What an execution was about, without its payload: uploads are described by bucket and key
 * (never contents); anything else only by its shape.
 */
export function summariseInput(input: JsonValue): Record<string, unknown> {
  const event = input as {
    source?: unknown;
    'detail-type'?: unknown;
    detail?: { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown } };
  } | null;
  if (event && typeof event === 'object' && event.source === 'aws.s3' && event.detail) {
    return {
      source: event.source,
      detailType: event['detail-type'],
      bucket: event.detail.bucket?.name,
      key: event.detail.object?.key,
      size: event.detail.object?.size,
    };
  }
  return {
    type: Array.isArray(input) ? 'array' : input === null ? 'null' : typeof input,
    keys: input && typeof input === 'object' && !Array.isArray(input) ? Object.keys(input) : [],
    bytes: Buffer.byteLength(JSON.stringify(input)),
  };
}
