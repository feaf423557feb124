import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import type { AllianceConfig } from '../lambdas/core/config';
import { uploadKeyFor } from '../lambdas/core/submission';
import { localS3Client } from '../lib/local/clients';
import { type ExecutionRecord, type LocalRuntime, startLocalRuntime } from '../lib/local/runtime';
import { issueToken } from '../lib/local/tokens';
import { synthesizeAlliance } from '../lib/synth';

/**
 * The local platform as `npm start` runs it — the synthesized stack's template, its state
 * machine and its handlers against s3rver and dynalite — in a scratch directory, with a quiet
 * log, no schedule timers and nothing persisted.
 */
export interface BenchPlatform {
  readonly runtime: LocalRuntime;
  readonly bucket: string;
  readonly s3: S3Client;
  readonly config: AllianceConfig;
  /** Uploads a file as a trust would (streamed from disk); returns its key. */
  upload(trust: string, period: string, file: string): Promise<string>;
  /** Resolves with the finished execution started by the upload of `key`. */
  finished(key: string): Promise<ExecutionRecord>;
  token(group?: string): Promise<string>;
  /** Item count and sizes of every table (DynamoDB's 400 KB item limit; storage cost). */
  tableSizes(): Promise<TableSize[]>;
  stop(): Promise<void>;
}

export interface TableSize {
  readonly table: string;
  readonly items: number;
  /** Sum and largest of attribute names + values, as DynamoDB counts item size (≈). */
  readonly bytes: number;
  readonly maxItemBytes: number;
}

/** DynamoDB's item size: attribute names plus values (numbers counted as their digits). */
function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(value));
  }
  return bytes;
}

export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

export async function startBenchPlatform(
  config: AllianceConfig,
  options: { maxConcurrentExecutions?: number } = {},
): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cap-bench-platform-'));
  const { stack, template } = synthesizeAlliance({ config, bundling: false, nag: false });
  const runtime = await startLocalRuntime({
    template,
    projectRoot: PROJECT_ROOT,
    dataDir,
    port: 0,
    region: config.region,
    persist: false,
    log: () => {},
    environmentOverrides: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
    schedules: { enabled: false },
    ...(options.maxConcurrentExecutions
      ? { maxConcurrentExecutions: options.maxConcurrentExecutions }
      : {}),
  });
  const bucket =
    runtime.bucketNames[
      Stack.of(stack).getLogicalId(stack.uploads.bucket.node.defaultChild as never)
    ];
  if (!bucket) throw new Error('The upload bucket was not provisioned.');
  const s3 = localS3Client({ s3Endpoint: runtime.s3Endpoint, region: config.region });

  return {
    runtime,
    bucket,
    s3,
    config,
    async upload(trust, period, file) {
      const key = uploadKeyFor(trust, 'cwt', period, `${trust.toLowerCase()}-${period}.csv`);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: statSync(file).size,
          ContentType: 'text/csv',
        }),
      );
      return key;
    },
    async finished(key) {
      // s3rver emits its event after answering the PUT, so the execution may not exist yet.
      for (;;) {
        const record = runtime
          .executions()
          .find((r) => JSON.stringify(r.input).includes(JSON.stringify(key)));
        if (record && record.status !== 'QUEUED' && record.status !== 'RUNNING') return record;
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    token(group = 'alliance') {
      return issueToken(dataDir, { group, ttlSeconds: 3600 });
    },
    async tableSizes() {
      const dynamo = new DynamoDBClient({
        endpoint: runtime.dynamodbEndpoint,
        region: config.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const sizes: TableSize[] = [];
      try {
        for (const [logicalId, table] of Object.entries(runtime.tableNames)) {
          let items = 0;
          let bytes = 0;
          let maxItemBytes = 0;
          for await (const page of paginateScan({ client: dynamo }, { TableName: table })) {
            for (const item of page.Items ?? []) {
              const size = itemBytes(item as Record<string, unknown>);
              items += 1;
              bytes += size;
              maxItemBytes = Math.max(maxItemBytes, size);
            }
          }
          sizes.push({ table: logicalId, items, bytes, maxItemBytes });
        }
      } finally {
        dynamo.destroy();
      }
      return sizes;
    },
    async stop() {
      s3.destroy();
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface StateTiming {
  readonly state: string;
  /** Times the state ran (Distributed Map children once per chunk). */
  readonly runs: number;
  /** Summed run time; Map children run in parallel, so theirs can exceed the Map's. */
  readonly seconds: number;
}

/**
 * Per-state run times and the number of state transitions (states entered, Map children
 * included) from an execution's event log: what Step Functions bills for a Standard workflow.
 */
export function stateTimings(record: ExecutionRecord): {
  transitions: number;
  states: StateTiming[];
  /** Largest state input or output: Step Functions refuses more than 256 KiB. */
  maxPayloadBytes: number;
} {
  const open = new Map<string, number[]>();
  const totals = new Map<string, { runs: number; ms: number }>();
  let transitions = 0;
  let maxPayloadBytes = 0;
  for (const event of record.events as unknown as Array<{
    type: string;
    timestamp: number;
    state?: { name: string; input?: unknown; output?: unknown };
    index?: number;
    mapRun?: { index: number };
  }>) {
    if (!event.state) continue;
    for (const payload of [event.state.input, event.state.output]) {
      if (payload === undefined) continue;
      maxPayloadBytes = Math.max(maxPayloadBytes, Buffer.byteLength(JSON.stringify(payload)));
    }
    const key = `${event.state.name}#${event.mapRun?.index ?? event.index ?? ''}`;
    if (event.type === 'StateEntered') {
      transitions += 1;
      open.set(key, [...(open.get(key) ?? []), event.timestamp]);
    } else if (event.type === 'StateExited') {
      const started = open.get(key)?.shift();
      if (started === undefined) continue;
      const total = totals.get(event.state.name) ?? { runs: 0, ms: 0 };
      total.runs += 1;
      total.ms += event.timestamp - started;
      totals.set(event.state.name, total);
    }
  }
  return {
    transitions,
    states: [...totals].map(([state, { runs, ms }]) => ({ state, runs, seconds: ms / 1000 })),
    maxPayloadBytes,
  };
}
