import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExecutionRecord, LocalRuntime } from '../../../lib/local/runtime';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Clients of the test itself (what a trust's uploader or an operator would use). */
export function clientsFor(runtime: LocalRuntime) {
  const s3 = new S3Client({
    endpoint: runtime.s3Endpoint,
    region: runtime.region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const dynamo = new DynamoDBClient({
    endpoint: runtime.dynamodbEndpoint,
    region: runtime.region,
    credentials,
  });
  return { s3, dynamo, documents: DynamoDBDocumentClient.from(dynamo) };
}

export interface FixtureUpload {
  trust: string;
  large?: boolean;
  items: Array<{ value: number; failOnce?: boolean; fail?: boolean }>;
  failRegister?: boolean;
  oversize?: boolean;
}

export async function upload(
  runtime: LocalRuntime,
  s3: S3Client,
  key: string,
  body: FixtureUpload,
): Promise<void> {
  const bucket = Object.values(runtime.bucketNames)[0]!;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body) }));
}

/** The execution started for an upload (by its S3 key in the EventBridge event). */
export function executionFor(runtime: LocalRuntime, key: string): ExecutionRecord | undefined {
  return runtime
    .executions()
    .find(
      (e) => (e.input as { detail?: { object?: { key?: string } } }).detail?.object?.key === key,
    );
}

/**
 * Names of the states the execution itself entered, in order. Map iterations and Distributed Map
 * children are left out: their events arrive interleaved with the parent's.
 */
export function statesEntered(record: ExecutionRecord): string[] {
  return record.events.flatMap((event) =>
    event.type === 'StateEntered' && !('index' in event) && !('mapRun' in event)
      ? [event.state.name]
      : [],
  );
}

/** How many times a state inside a Map (inline or distributed) was entered. */
export function iterationsOf(record: ExecutionRecord, stateName: string): number {
  return record.events.filter(
    (event) =>
      event.type === 'StateEntered' &&
      event.state.name === stateName &&
      ('index' in event || 'mapRun' in event),
  ).length;
}

export async function readJsonLines<T>(dataDir: string, file: string): Promise<T[]> {
  const text = await readFile(join(dataDir, file), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

export async function get(
  runtime: LocalRuntime,
  path: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    headers: token ? { authorization: token } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
