import '../lib/local/polyfills';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import { uploadKeyFor } from '../lambdas/core/submission';
import { localS3Client } from '../lib/local/clients';
import { startLocalRuntime } from '../lib/local/runtime';
import { issueToken } from '../lib/local/tokens';
import { synthesizeAlliance } from '../lib/synth';
import { demoCsv } from './support/demo-data';
import { defaultReferenceDir } from './support/runtime-info';

/**
 * `npm start`: the whole platform on this machine, with no AWS account and no network. The CDK
 * app is synthesized in-process and the local runtime runs that template: the same state
 * machine, the same handlers, real S3-API and DynamoDB-API servers on loopback.
 */

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.local' },
    port: { type: 'string', default: '3000' },
    'no-demo': { type: 'boolean', default: false },
    'demo-months': { type: 'string', default: '6' },
    'demo-rows': { type: 'string', default: '1500' },
    config: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm start -- [--data-dir DIR] [--port N] [--no-demo] [--demo-months N] [--demo-rows N] [--config FILE]

Starts the local platform: S3 and DynamoDB APIs on loopback (state kept in DIR, default .local),
the ingest workflow, and the report API on http://127.0.0.1:N (default 3000). Unless --no-demo,
loads synthetic submissions for every configured trust. Stop with Ctrl+C.
`);
  process.exit(0);
}

for (const [name, value] of Object.entries({
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
})) {
  process.env[name] = value;
}
const referenceDir = defaultReferenceDir();
if (referenceDir) process.env.REFERENCE_DATA_DIR = referenceDir;

const dataDir = resolve(values['data-dir']);
mkdirSync(dataDir, { recursive: true });
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  say('Synthesizing the cloud stack (the template the local runtime runs)...');
  const { stack, template, config } = synthesizeAlliance({
    bundling: false,
    nag: false,
    ...(values.config ? { configPath: values.config } : {}),
  });
  const runtime = await startLocalRuntime({
    template,
    projectRoot: resolve(import.meta.dirname, '..'),
    dataDir,
    port: Number(values.port),
    region: config.region,
    persist: true,
    log: say,
    // The handlers log JSON at INFO in the cloud; on a console WARN keeps the demo readable.
    environmentOverrides: { POWERTOOLS_LOG_LEVEL: process.env.LOCAL_LOG_LEVEL ?? 'WARN' },
  });
  const uploadBucket =
    runtime.bucketNames[
      Stack.of(stack).getLogicalId(stack.uploads.bucket.node.defaultChild as never)
    ];
  if (!uploadBucket)
    throw new Error('The upload bucket was not found in the synthesized template.');
  const infoFile = resolve(dataDir, 'runtime.json');
  writeFileSync(
    infoFile,
    JSON.stringify({ ...JSON.parse(readFileSync(infoFile, 'utf8')), uploadBucket }, null, 2),
  );

  const shutdown = async () => {
    say('\nStopping the local platform...');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  say(`Local platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(`  API          ${runtime.apiUrl}   (GET /health needs no token)`);
  say(`  S3 API       ${runtime.s3Endpoint}   bucket ${uploadBucket}`);
  say(`  DynamoDB API ${runtime.dynamodbEndpoint}`);
  say(`  Data         ${dataDir}   (alerts in alerts.jsonl)`);
  say(`  Reference    ${referenceDir ?? 'downloaded official files (no REFERENCE_DATA_DIR)'}`);

  if (!values['no-demo']) {
    await loadDemo(
      runtime.s3Endpoint,
      uploadBucket,
      config.region,
      config.trusts.map((t) => t.ods),
    );
    await runtime.waitForIdle();
    await printDemoSummary(
      runtime.apiUrl,
      config.trusts.map((t) => t.ods),
    );
  }
  say(`
Try it (in another terminal):
  npm run cli -- token --group alliance
  npm run cli -- get "/performance?standard=fds&from=${recentPeriods(6)[0]}&to=${recentPeriods(6).at(-1)}"
  npm run cli -- demo-data --trust RF4 --period ${recentPeriods(1)[0]} --rows 500 --out rf4.csv
  npm run cli -- upload --trust RF4 --period ${recentPeriods(1)[0]} --file rf4.csv --wait
Press Ctrl+C to stop.`);
}

/** The last `count` complete months, oldest first. */
function recentPeriods(count: number): string[] {
  const now = new Date();
  const periods: string[] = [];
  for (let back = count; back >= 1; back -= 1) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    periods.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return periods;
}

/**
 * Demo submissions go in through the S3 API, like a trust's upload, so they travel the real
 * event → workflow path. Identical content gives identical submission ids, so restarting with
 * the same data directory re-delivers nothing new.
 */
async function loadDemo(endpoint: string, bucket: string, region: string, trusts: string[]) {
  const months = Number(values['demo-months']);
  const rows = Number(values['demo-rows']);
  const s3 = localS3Client({ s3Endpoint: endpoint, region: region });
  say(`Loading demo submissions: ${trusts.length} trusts x ${months} months x ~${rows} records...`);
  for (const period of recentPeriods(months)) {
    for (const trust of trusts) {
      const body = demoCsv({ trust, period, rows, referenceDir });
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: uploadKeyFor(trust, 'cwt', period, `${trust.toLowerCase()}-cwt-${period}.csv`),
          Body: body,
        }),
      );
    }
  }
}

async function printDemoSummary(apiUrl: string, trusts: string[]) {
  const periods = recentPeriods(Number(values['demo-months']));
  const token = await issueToken(dataDir, { group: 'alliance', ttlSeconds: 300 });
  const latest = periods.at(-1)!;
  say(`\nPerformance in ${latest} (within / total, % against the target in force):`);
  say(`  ${'trust'.padEnd(6)} ${'FDS 28-day'.padEnd(24)} ${'31-day'.padEnd(24)} 62-day`);
  const table = new Map<string, string[]>();
  for (const standard of ['fds', '31d', '62d']) {
    const response = await fetch(
      `${apiUrl}/performance?standard=${standard}&from=${latest}&to=${latest}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    const body = (await response.json()) as {
      rows?: Array<{
        trust: string;
        within: number;
        total: number;
        performance: number | null;
        target: number | null;
      }>;
    };
    for (const row of body.rows ?? []) {
      const cells = table.get(row.trust) ?? [];
      const pct = row.performance === null ? '-' : `${(row.performance * 100).toFixed(1)}%`;
      const mark =
        row.target !== null && row.performance !== null && row.performance < row.target
          ? ' below'
          : '';
      cells.push(`${row.within}/${row.total} ${pct}${mark}`.padEnd(24));
      table.set(row.trust, cells);
    }
  }
  for (const trust of [...trusts, 'ALL'])
    say(`  ${trust.padEnd(6)} ${(table.get(trust) ?? []).join(' ')}`);
}

main().catch((error: Error) => {
  process.stderr.write(`The local platform could not start: ${error.message}\n`);
  process.exit(1);
});
