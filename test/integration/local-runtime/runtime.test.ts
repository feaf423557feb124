import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedDefinitionError } from '../../../lib/local/asl';
import { type LocalRuntime, startLocalRuntime } from '../../../lib/local/runtime';
import type { CfnTemplate } from '../../../lib/local/template';
import { issueToken } from '../../../lib/local/tokens';
import { synthFixtureTemplate, synthJsonataTemplate } from '../../fixtures/local-runtime/stack';
import {
  clientsFor,
  executionFor,
  get,
  iterationsOf,
  readJsonLines,
  statesEntered,
  upload,
} from './support';

const projectRoot = resolve(import.meta.dirname, '../../..');
const quiet = () => {};

let template: CfnTemplate;
beforeAll(() => {
  template = synthFixtureTemplate();
});

const logicalIdStartingWith = (names: Record<string, string>, prefix: string): string =>
  Object.keys(names).find((id) => id.startsWith(prefix))!;

describe('local runtime over the fixture template', () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  let clients: ReturnType<typeof clientsFor>;
  let bucket: string;
  let submissionsTable: string;
  let partsTable: string;
  let webhook: Server;
  const webhookBodies: Array<Record<string, unknown>> = [];
  let firstWebhookCall: Promise<void>;

  beforeAll(async () => {
    let received!: () => void;
    firstWebhookCall = new Promise((resolvePromise) => {
      received = resolvePromise;
    });
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        webhookBodies.push(JSON.parse(body) as Record<string, unknown>);
        res.end();
        received();
      });
    });
    await new Promise<void>((done) => webhook.listen(0, '127.0.0.1', done));
    process.env.ALERT_WEBHOOK_URL = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;

    dataDir = await mkdtemp(join(tmpdir(), 'local-runtime-'));
    runtime = await startLocalRuntime({
      template,
      projectRoot,
      dataDir,
      persist: false,
      region: 'eu-west-2',
      log: quiet,
    });
    clients = clientsFor(runtime);
    bucket = Object.values(runtime.bucketNames)[0]!;
    submissionsTable =
      runtime.tableNames[logicalIdStartingWith(runtime.tableNames, 'Submissions')]!;
    partsTable = runtime.tableNames[logicalIdStartingWith(runtime.tableNames, 'Parts')]!;
  });

  afterAll(async () => {
    await runtime?.stop();
    delete process.env.ALERT_WEBHOOK_URL;
    await new Promise<void>((done) => webhook.close(() => done()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the bucket and both tables from the template, GSI included', async () => {
    // Prepare: the fixture declares Submissions (TableV2, GSI byTrust on trust/receivedAt) and
    // Parts (Table, pk/sk)

    // Act
    const submissions = await clients.dynamo.send(
      new DescribeTableCommand({ TableName: submissionsTable }),
    );
    const parts = await clients.dynamo.send(new DescribeTableCommand({ TableName: partsTable }));
    const head = clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));

    // Assess
    expect(submissions.Table?.KeySchema).toEqual([
      { AttributeName: 'submissionId', KeyType: 'HASH' },
    ]);
    expect(submissions.Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'byTrust',
      KeySchema: [
        { AttributeName: 'trust', KeyType: 'HASH' },
        { AttributeName: 'receivedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(parts.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    await expect(head).resolves.toBeDefined();
    const info = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    expect(info).toMatchObject({ apiUrl: runtime.apiUrl, tables: runtime.tableNames });
  });

  it('starts an execution for an upload under uploads/ only, with the EventBridge event', async () => {
    // Prepare: the rule matches detail.object.key prefix `uploads/`
    const body = { trust: 'R1H', items: [{ value: 60 }, { value: 70, failOnce: true }] };
    const before = runtime.executions().length;

    // Act
    await upload(runtime, clients.s3, 'staging/R1H/ignored.json', body);
    await upload(runtime, clients.s3, 'uploads/R1H/small-1.json', body);
    await runtime.waitForIdle();

    // Assess: exactly one new execution, for the uploads/ key
    const started = runtime.executions().slice(before);
    expect(started).toHaveLength(1);
    expect(executionFor(runtime, 'staging/R1H/ignored.json')).toBeUndefined();
    expect(started[0]!.trigger).toMatch(/^rule:OnUpload/);
    expect(started[0]!.input).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      region: 'eu-west-2',
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        // the size is the byte length of the JSON body the test uploaded
        object: { key: 'uploads/R1H/small-1.json', size: Buffer.byteLength(JSON.stringify(body)) },
        reason: 'PutObject',
        requester: '000000000000',
      },
    });
  });

  it('follows Choice → inline Map with a retried TransientError → SNS alert → DynamoDB task', async () => {
    // Prepare: small-1 (values 60 and 70, the second fails once) ran in the previous test
    const record = executionFor(runtime, 'uploads/R1H/small-1.json')!;

    // Act
    const parts = await clients.documents.send(
      new GetCommand({ TableName: submissionsTable, Key: { submissionId: 'small-1' } }),
    );
    const completion = await clients.documents.send(
      new GetCommand({ TableName: partsTable, Key: { pk: 'done#small-1', sk: 'completion' } }),
    );
    const alerts = await readJsonLines<Record<string, unknown>>(dataDir, 'alerts.jsonl');
    await firstWebhookCall;

    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual([
      'Register',
      'Large?',
      'Process items',
      'Tally',
      'Publish alerts',
      'Record completion',
      'Done',
    ]);
    expect(iterationsOf(record, 'Process item')).toBe(2);
    expect(iterationsOf(record, 'Publish alert')).toBe(1);
    const failed = record.events.find((e) => e.type === 'StateFailed');
    expect(failed).toMatchObject({ state: { name: 'Process item' }, Error: 'TransientError' });
    expect(record.events.some((e) => e.type === 'StateRetried')).toBe(true);
    // 60 + 70 = 130 over 2 parts; the fixture alerts when the total exceeds 100
    expect(parts.Item).toMatchObject({ status: 'TALLIED', count: 2, total: 130, trust: 'R1H' });
    expect(completion.Item).toMatchObject({ count: 2 });
    const alert = {
      subject: 'High total for R1H',
      message: { submissionId: 'small-1', total: 130 },
    };
    expect(alerts).toContainEqual(expect.objectContaining({ topic: expect.any(String), ...alert }));
    expect(webhookBodies[0]).toMatchObject(alert);
    // environment values come from the template's intrinsics (Fn::Join with AWS::Partition)
    expect(parts.Item?.regionLabel).toBe('eu-west-2/aws');
  });

  it('catches the DynamoDB conditional failure by its DynamoDB.* name on a rerun', async () => {
    // Prepare: the same event again; Record completion puts with attribute_not_exists(pk)
    const first = executionFor(runtime, 'uploads/R1H/small-1.json')!;

    // Act
    const rerun = await runtime.startExecution(first.input);

    // Assess
    expect(rerun.status).toBe('SUCCEEDED');
    expect(statesEntered(rerun).slice(-2)).toEqual(['Record completion', 'Already recorded']);
    expect(rerun.output).toMatchObject({
      duplicate: { Error: 'DynamoDB.ConditionalCheckFailedException' },
    });
  });

  it('runs the Distributed Map over the JSON manifest in S3, one child per item', async () => {
    // Prepare: five items 1..5 → Register writes them as a manifest for the Distributed Map
    const items = [1, 2, 3, 4, 5].map((value) => ({ value }));

    // Act
    await upload(runtime, clients.s3, 'uploads/RF4/large-1.json', {
      trust: 'RF4',
      large: true,
      items,
    });
    await runtime.waitForIdle();

    // Assess
    const record = executionFor(runtime, 'uploads/RF4/large-1.json')!;
    expect(record.status).toBe('SUCCEEDED');
    const children = record.events.filter(
      (e) => 'mapRun' in e && e.type === 'StateEntered' && e.state.name === 'Process part',
    );
    expect(children.map((e) => ('mapRun' in e ? e.mapRun.index : -1)).sort()).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(statesEntered(record)).toContain('Process parts');
    expect(statesEntered(record)).not.toContain('Process items');
    const manifest = await clients.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'staging/large-1/manifest.json' }),
    );
    expect(JSON.parse(await manifest.Body!.transformToString())).toHaveLength(5);
    const submission = await clients.documents.send(
      new GetCommand({ TableName: submissionsTable, Key: { submissionId: 'large-1' } }),
    );
    // 1+2+3+4+5 = 15 over 5 parts
    expect(submission.Item).toMatchObject({ status: 'TALLIED', count: 5, total: 15 });
  });

  it('fails the Distributed Map past its tolerance and takes the Catch → failure path', async () => {
    // Prepare: one of two items throws PartError; the map tolerates no failure
    const items = [{ value: 1 }, { value: 2, fail: true }];

    // Act
    await upload(runtime, clients.s3, 'uploads/RQX/broken-1.json', {
      trust: 'RQX',
      large: true,
      items,
    });
    await runtime.waitForIdle();

    // Assess
    const record = executionFor(runtime, 'uploads/RQX/broken-1.json')!;
    expect(record).toMatchObject({ status: 'FAILED', error: 'SubmissionFailed' });
    expect(statesEntered(record).slice(-3)).toEqual(['Mark failed', 'Notify failure', 'Failed']);
    const submission = await clients.documents.send(
      new GetCommand({ TableName: submissionsTable, Key: { submissionId: 'broken-1' } }),
    );
    expect(submission.Item).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
    });
    const alerts = await readJsonLines<Record<string, unknown>>(dataDir, 'alerts.jsonl');
    expect(alerts).toContainEqual(
      expect.objectContaining({
        subject: 'Submission failed',
        message: { submissionId: 'broken-1', error: 'States.ExceedToleratedFailureThreshold' },
      }),
    );
  });

  it('reports a handler error by its name with the Lambda-shaped Cause', async () => {
    // Prepare: the Register handler throws RegisterError (not in the Retry list)

    // Act
    await upload(runtime, clients.s3, 'uploads/R1H/reject-1.json', {
      trust: 'R1H',
      items: [],
      failRegister: true,
    });
    await runtime.waitForIdle();

    // Assess
    const record = executionFor(runtime, 'uploads/R1H/reject-1.json')!;
    const failed = record.events.find((e) => e.type === 'StateFailed');
    expect(failed).toMatchObject({ state: { name: 'Register' }, Error: 'RegisterError' });
    const cause = JSON.parse(String(failed && 'Cause' in failed ? failed.Cause : '{}'));
    expect(cause).toMatchObject({
      errorType: 'RegisterError',
      errorMessage: 'cannot register uploads/R1H/reject-1.json',
    });
    expect(Array.isArray(cause.trace)).toBe(true);
    expect(record.events.some((e) => e.type === 'StateRetried')).toBe(false);
    expect(statesEntered(record)).toContain('Mark failed');
  });

  it('fails an execution whose task result exceeds 256 KiB, past any Catch', async () => {
    // Prepare: Register returns ~300 KiB; States.DataLimitExceeded is not caught by States.ALL

    // Act
    await upload(runtime, clients.s3, 'uploads/R1H/huge-1.json', {
      trust: 'R1H',
      items: [],
      oversize: true,
    });
    await runtime.waitForIdle();

    // Assess
    const record = executionFor(runtime, 'uploads/R1H/huge-1.json')!;
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(statesEntered(record)).not.toContain('Mark failed');
  });

  it('emits CopyObject as the reason for a copied upload', async () => {
    // Prepare: an object outside the prefix, copied into it
    const source = 'staging/R1H/ignored.json';

    // Act
    await clients.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'uploads/R1H/copied-1.json',
        CopySource: `${bucket}/${source}`,
      }),
    );
    await runtime.waitForIdle();

    // Assess
    const record = executionFor(runtime, 'uploads/R1H/copied-1.json')!;
    expect(record.input).toMatchObject({ detail: { reason: 'CopyObject' } });
  });

  it('writes one summary line per finished execution, without the payload', async () => {
    // Prepare: every execution so far has finished

    // Act
    const lines = await readJsonLines<Record<string, unknown>>(dataDir, 'executions.jsonl');

    // Assess
    expect(lines).toHaveLength(runtime.executions().length);
    const small = lines.find(
      (l) => (l.input as { key?: string }).key === 'uploads/R1H/small-1.json',
    );
    expect(small).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(Object.keys(small!.input as object).sort()).toEqual(
      ['bucket', 'detailType', 'key', 'size', 'source'].sort(),
    );
  });

  describe('gateway', () => {
    it('answers a NONE-auth route without a token', async () => {
      const response = await get(runtime, '/health');
      expect(response).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('answers 403 Missing Authentication Token for undeclared paths and verbs', async () => {
      const unknown = await get(runtime, '/nowhere');
      const verb = await fetch(`${runtime.apiUrl}/health`, { method: 'DELETE' });
      expect(unknown).toEqual({ status: 403, body: { message: 'Missing Authentication Token' } });
      expect(verb.status).toBe(403);
    });

    it('refuses a Cognito route without a token, with a bad one, or an expired one', async () => {
      // Prepare: a token from another data directory is signed with another secret
      const otherDir = await mkdtemp(join(tmpdir(), 'other-issuer-'));
      const foreign = await issueToken(otherDir, { group: 'alliance' });
      const expired = await issueToken(dataDir, { group: 'alliance', ttlSeconds: -60 });

      // Act
      const none = await get(runtime, '/items?standard=fds');
      const garbage = await get(runtime, '/items?standard=fds', 'not-a-jwt');
      const wrongIssuer = await get(runtime, '/items?standard=fds', foreign);
      const late = await get(runtime, '/items?standard=fds', expired);

      // Assess
      for (const response of [none, garbage, wrongIssuer]) {
        expect(response).toEqual({ status: 401, body: { message: 'Unauthorized' } });
      }
      expect(late).toEqual({ status: 401, body: { message: 'The incoming token has expired' } });
      await rm(otherDir, { recursive: true, force: true });
    });

    it('answers 400 when a required query parameter is missing', async () => {
      const token = await issueToken(dataDir, { group: 'alliance' });
      const response = await get(runtime, '/items?trust=R1H', token);
      expect(response).toEqual({
        status: 400,
        body: { message: 'Missing required request parameters: [standard]' },
      });
    });

    it('delivers the claims as API Gateway does: strings, groups comma-joined', async () => {
      // Prepare
      const token = await issueToken(dataDir, { group: 'trust-R1H', subject: 'user-1' });

      // Act
      const response = await get(runtime, '/items?standard=fds&trust=R1H', `Bearer ${token}`);

      // Assess
      expect(response.status).toBe(200);
      const claims = response.body.claims as Record<string, unknown>;
      expect(claims).toMatchObject({
        sub: 'user-1',
        'cognito:groups': 'trust-R1H',
        token_use: 'id',
        email: 'r1h.analyst@alliance.local',
      });
      expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
      expect(claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
      expect(response.body.query).toEqual({ standard: 'fds', trust: 'R1H' });
      expect(response.body.resource).toBe('/items');
      // the signing secret is readable by its owner only
      expect((await stat(join(dataDir, 'local-issuer.json'))).mode & 0o777).toBe(0o600);
    });

    it('routes a path parameter to the handler, which reads DynamoDB', async () => {
      const token = await issueToken(dataDir, { group: 'alliance' });
      const found = await get(runtime, '/items/small-1', token);
      const missing = await get(runtime, '/items/none', token);
      expect(found).toMatchObject({ status: 200, body: { submissionId: 'small-1', trust: 'R1H' } });
      expect(missing.status).toBe(404);
    });
  });
});

describe('persistence across restarts', () => {
  it('keeps objects, items, executions and the token secret when started again', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'local-runtime-persist-'));
    const first = await startLocalRuntime({ template, projectRoot, dataDir, log: quiet });
    const { s3 } = clientsFor(first);
    await upload(first, s3, 'uploads/R1H/keep-1.json', { trust: 'R1H', items: [{ value: 5 }] });
    await first.waitForIdle();
    const token = await issueToken(dataDir, { group: 'alliance' });
    const ports = {
      s3Port: Number(new URL(first.s3Endpoint).port),
      dynamodbPort: Number(new URL(first.dynamodbEndpoint).port),
    };
    await first.stop();
    const runtimeFileRemoved = !existsSync(join(dataDir, 'runtime.json'));

    // Act
    const second = await startLocalRuntime({
      template,
      projectRoot,
      dataDir,
      log: quiet,
      ...ports,
    });
    try {
      const response = await get(second, '/items/keep-1', token);
      const object = await clientsFor(second).s3.send(
        new GetObjectCommand({
          Bucket: Object.values(second.bucketNames)[0]!,
          Key: 'uploads/R1H/keep-1.json',
        }),
      );
      const lines = await readJsonLines<{ status: string }>(dataDir, 'executions.jsonl');

      // Assess
      expect(runtimeFileRemoved).toBe(true);
      expect(response).toMatchObject({
        status: 200,
        body: { submissionId: 'keep-1', status: 'TALLIED', total: 5 },
      });
      expect(JSON.parse(await object.Body!.transformToString())).toMatchObject({ trust: 'R1H' });
      expect(lines.map((l) => l.status)).toEqual(['SUCCEEDED']);
      expect(second.executions()).toHaveLength(0);
    } finally {
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('definitions the interpreter would run wrongly', () => {
  it('refuses a JSONata state machine before running anything', async () => {
    // Prepare: CDK's Pass.jsonata emits QueryLanguage/Output
    const dataDir = await mkdtemp(join(tmpdir(), 'local-runtime-jsonata-'));
    const endpointBefore = process.env.AWS_ENDPOINT_URL_S3;

    // Act
    const starting = startLocalRuntime({
      template: synthJsonataTemplate(),
      projectRoot,
      dataDir,
      persist: false,
      log: quiet,
    });

    // Assess
    await expect(starting).rejects.toThrow(UnsupportedDefinitionError);
    await expect(starting).rejects.toThrow(/QueryLanguage/);
    expect(process.env.AWS_ENDPOINT_URL_S3).toBe(endpointBefore);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });
});
