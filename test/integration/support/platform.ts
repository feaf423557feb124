import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import {
  type AllianceConfig,
  AllianceConfigSchema,
  type TrustIntake,
} from '../../../lambdas/core/config';
import { submissionIdFor, uploadKeyFor } from '../../../lambdas/core/submission';
import nel from '../../../lib/alliances/north-east-london.json';
import { localDynamoClient, localS3Client } from '../../../lib/local/clients';
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from '../../../lib/local/runtime';
import type { CfnTemplate } from '../../../lib/local/template';
import { issueToken } from '../../../lib/local/tokens';
import { synthesizeAlliance } from '../../../lib/synth';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'cwt');
export const REFERENCE_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'data');

export interface TestPlatform {
  readonly runtime: LocalRuntime;
  readonly dataDir: string;
  readonly bucket: string;
  readonly config: AllianceConfig;
  /** The synthesized template the runtime runs (routes, tables, functions). */
  readonly template: CfnTemplate;
  upload(
    trust: string,
    period: string,
    fileName: string,
    body: string | Uint8Array,
  ): Promise<string>;
  uploadFixture(trust: string, period: string, fixture: string, asName?: string): Promise<string>;
  api(path: string, group?: string | null): Promise<{ status: number; body: any }>;
  alerts(): Array<{ subject?: string; message: any }>;
  scanTables(): Promise<string>;
  listKeys(prefix: string): Promise<string[]>;
  redeliver(key: string, times: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole local platform for a test file: the CDK app synthesized in-process, the local
 * runtime running its template against s3rver and dynalite in a temporary data directory.
 */
export async function startTestPlatform(
  overrides: {
    rules?: Partial<AllianceConfig['rules']>;
    /** The runtime's schedule timers (default: off, so only a test that wants them has them). */
    schedules?: LocalRuntimeOptions['schedules'];
    /** The handlers' POWERTOOLS_LOG_LEVEL (default ERROR; the identifier scan uses DEBUG). */
    logLevel?: string;
    /** Receives the runtime's own lines (gateway, executions, alerts); default: dropped. */
    log?: (line: string) => void;
    /** Intake settings (mapping, date formats, sheet) per trust ODS code; default: none. */
    intake?: Readonly<Record<string, TrustIntake>>;
  } = {},
): Promise<TestPlatform> {
  process.env.REFERENCE_DATA_DIR = REFERENCE_DIR;
  const config = AllianceConfigSchema.parse({
    ...nel,
    trusts: nel.trusts.map((trust) => {
      const intake = overrides.intake?.[trust.ods];
      return intake ? { ...trust, intake } : trust;
    }),
    rules: { ...nel.rules, ...overrides.rules },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'cap-e2e-'));
  const { stack, template } = synthesizeAlliance({ config, bundling: false, nag: false });
  const runtime = await startLocalRuntime({
    template,
    projectRoot: PROJECT_ROOT,
    dataDir,
    port: 0,
    region: config.region,
    persist: false,
    log: overrides.log ?? (() => {}),
    environmentOverrides: { POWERTOOLS_LOG_LEVEL: overrides.logLevel ?? 'ERROR' },
    schedules: overrides.schedules ?? { enabled: false },
  });
  const bucket =
    runtime.bucketNames[
      Stack.of(stack).getLogicalId(stack.uploads.bucket.node.defaultChild as never)
    ];
  if (!bucket) throw new Error('upload bucket not provisioned');
  const s3 = localS3Client({ s3Endpoint: runtime.s3Endpoint, region: config.region });
  const dynamodb = localDynamoClient(runtime);

  const platform: TestPlatform = {
    runtime,
    dataDir,
    bucket,
    config,
    template,
    async upload(trust, period, fileName, body) {
      const key = uploadKeyFor(trust, 'cwt', period, fileName);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      // s3rver emits its event after responding; give it a moment to reach the runtime.
      await new Promise((r) => setTimeout(r, 50));
      await runtime.waitForIdle();
      return submissionIdFor({ bucket, key, versionId: put.VersionId, etag: put.ETag });
    },
    async uploadFixture(trust, period, fixture, asName) {
      return platform.upload(
        trust,
        period,
        asName ?? fixture,
        readFileSync(join(FIXTURES, fixture)),
      );
    },
    async api(path, group = 'alliance') {
      const headers: Record<string, string> = {};
      if (group) headers.authorization = `Bearer ${await issueToken(dataDir, { group })}`;
      return readResponse(await fetch(`${runtime.apiUrl}${path}`, { headers }));
    },
    alerts() {
      try {
        return readFileSync(join(dataDir, 'alerts.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      } catch {
        return [];
      }
    },
    async scanTables() {
      const dumps: string[] = [];
      for (const table of Object.values(runtime.tableNames) as string[]) {
        const response = await dynamodb.send(new ScanCommand({ TableName: table }));
        dumps.push(JSON.stringify(response.Items ?? []));
      }
      return dumps.join('\n');
    },
    async listKeys(prefix) {
      const response = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (response.Contents ?? []).map((object) => object.Key ?? '');
    },
    async redeliver(key, times) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      const event = {
        version: '0',
        id: `redelivery-${key}`,
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: '000000000000',
        time: new Date().toISOString(),
        region: config.region,
        resources: [`arn:aws:s3:::${bucket}`],
        detail: {
          version: '0',
          bucket: { name: bucket },
          object: {
            key,
            size: head.ContentLength ?? 0,
            etag: (head.ETag ?? '').replaceAll('"', ''),
          },
          reason: 'PutObject',
        },
      };
      await Promise.all(Array.from({ length: times }, () => runtime.startExecution(event)));
      await runtime.waitForIdle();
    },
    async stop() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return platform;
}

/** The headline (unbroken-down) within/total for one period and trust. */
export function figure(body: any, period: string, trust: string): [number, number] | null {
  const row = (body?.rows ?? []).find(
    (r: any) =>
      r.period === period && r.trust === trust && (r.group === null || r.group === undefined),
  );
  return row ? [row.within, row.total] : null;
}

/** Status and body of an API answer: parsed JSON, or the text when it is not JSON. */
export async function readResponse(response: Response): Promise<{ status: number; body: any }> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
