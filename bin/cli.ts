import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SUBMISSION_STATUSES, submissionIdFor, uploadKeyFor } from '../lambdas/core/submission';
import { localS3Client } from '../lib/local/clients';
import { issueToken } from '../lib/local/tokens';
import { demoCsvLines } from './support/demo-data';
import { defaultReferenceDir, readRuntimeInfo } from './support/runtime-info';

/**
 * Command line for the local platform: upload a file (and wait for its outcome), print a bearer
 * token, query the API, write synthetic demo files. `npm run cli -- <command> --help`.
 */

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  upload     --trust ODS --period YYYY-MM --file PATH [--dataset cwt] [--wait] [--timeout S]
             Uploads a file to the running local platform. With --wait, prints the submission
             and exits 0 when ACCEPTED, 2 when REJECTED, 1 otherwise.
  validate   --trust ODS --period YYYY-MM --file PATH [--group alliance|trust-ODS]
             Dry run: checks the file with the platform's validator (POST /validate) without
             submitting it, prints the report summary; exits 0 when it would be ACCEPTED, 2 when
             REJECTED, 1 on any other failure. Files up to 4 MiB (upload larger ones).
  token      --group alliance|trust-ODS [--ttl SECONDS]
             Prints a bearer token for the local API.
  get        PATH [--group alliance|trust-ODS]
             Calls the local API (e.g. "/performance?standard=fds&from=2025-06&to=2025-06").
  demo-data  --trust ODS --period YYYY-MM --rows N --out PATH [--seed N] [--invalid-share F]
             Writes a synthetic CWT file (no real patient data).

Every command accepts --data-dir DIR (default .local), the local platform's data directory.`;

const EXIT = { ok: 0, failed: 1, rejected: 2, usage: 64 } as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: '.local' },
      trust: { type: 'string' },
      period: { type: 'string' },
      dataset: { type: 'string', default: 'cwt' },
      file: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '600' },
      group: { type: 'string', default: 'alliance' },
      ttl: { type: 'string', default: '43200' },
      rows: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'invalid-share': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const dataDir = resolve(values['data-dir']);
  if (!command || values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }

  switch (command) {
    case 'token': {
      const token = await issueToken(dataDir, {
        group: values.group,
        ttlSeconds: Number(values.ttl),
      });
      process.stdout.write(`${token}\n`);
      return EXIT.ok;
    }
    case 'get': {
      const path = positionals[0];
      if (!path) return usage('get needs an API path, e.g. /health');
      const response = await callApi(dataDir, path, values.group);
      process.stdout.write(`${JSON.stringify(response.body, null, 2)}\n`);
      return response.status < 400 ? EXIT.ok : EXIT.failed;
    }
    case 'demo-data': {
      const { trust, period, rows, out } = values;
      if (!trust || !period || !rows || !out)
        return usage('demo-data needs --trust, --period, --rows and --out');
      await writeLines(
        out,
        demoCsvLines({
          trust,
          period,
          rows: Number(rows),
          ...(values.seed ? { seed: Number(values.seed) } : {}),
          ...(values['invalid-share'] ? { invalidShare: Number(values['invalid-share']) } : {}),
          referenceDir: defaultReferenceDir(),
        }),
      );
      process.stderr.write(`wrote ${rows} synthetic records for ${trust} ${period} to ${out}\n`);
      return EXIT.ok;
    }
    case 'upload': {
      const { trust, period, file, dataset } = values;
      if (!trust || !period || !file) return usage('upload needs --trust, --period and --file');
      if (!/^[A-Z0-9]{3}$/.test(trust))
        return usage('--trust must be a 3-character ODS code, e.g. RF4');
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return usage('--period must be YYYY-MM');
      if (!existsSync(file)) return usage(`no such file: ${file}`);
      return upload(dataDir, {
        trust,
        period,
        dataset,
        file,
        wait: values.wait,
        timeoutSeconds: Number(values.timeout),
      });
    }
    case 'validate': {
      const { trust, period, file } = values;
      if (!trust || !period || !file) return usage('validate needs --trust, --period and --file');
      if (!existsSync(file)) return usage(`no such file: ${file}`);
      return dryRun(dataDir, { trust, period, file, group: values.group });
    }
    default:
      return usage(`unknown command "${command}"`);
  }
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}\n`);
  return EXIT.usage;
}

async function upload(
  dataDir: string,
  options: {
    trust: string;
    period: string;
    dataset: string;
    file: string;
    wait: boolean;
    timeoutSeconds: number;
  },
): Promise<number> {
  const runtime = readRuntimeInfo(dataDir);
  const s3 = localS3Client({ s3Endpoint: runtime.s3Endpoint, region: runtime.region });
  const key = uploadKeyFor(options.trust, options.dataset, options.period, basename(options.file));
  const size = statSync(options.file).size;
  process.stderr.write(`uploading ${basename(options.file)} (${formatBytes(size)}) to ${key}\n`);
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: runtime.uploadBucket,
      Key: key,
      Body: readFileSync(options.file),
      ContentLength: size,
    }),
  );
  const submissionId = submissionIdFor({
    bucket: runtime.uploadBucket,
    key,
    versionId: put.VersionId,
    etag: put.ETag,
  });
  if (!options.wait) {
    process.stdout.write(`${JSON.stringify({ id: submissionId, key, status: 'RECEIVED' })}\n`);
    return EXIT.ok;
  }

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await callApi(dataDir, `/submissions/${submissionId}`, 'alliance');
    const body = response.body as { status?: string } | null;
    if (response.status === 200 && body?.status) {
      if (body.status !== last) process.stderr.write(`status: ${body.status}\n`);
      last = body.status;
      if (body.status === 'ACCEPTED' || body.status === 'REJECTED' || body.status === 'FAILED') {
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return body.status === 'ACCEPTED'
          ? EXIT.ok
          : body.status === 'REJECTED'
            ? EXIT.rejected
            : EXIT.failed;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.stderr.write(
    `timed out after ${options.timeoutSeconds}s waiting for ${submissionId} (last status: ${last || 'not registered'}; statuses: ${SUBMISSION_STATUSES.join(', ')})\n`,
  );
  return EXIT.failed;
}

interface DryRunReport {
  status: 'ACCEPTED' | 'REJECTED';
  file: { format: string | null; encoding: string | null };
  counts: { total: number; valid: number; invalid: number };
  rejection: { code: string; message: string; hint: string } | null;
  summary: Array<{ code: string; severity: string; count: number }>;
}

/** The file goes base64-encoded, so XLSX and non-UTF-8 CSV arrive byte for byte. */
async function dryRun(
  dataDir: string,
  options: { trust: string; period: string; file: string; group: string },
): Promise<number> {
  const runtime = readRuntimeInfo(dataDir);
  const token = await issueToken(dataDir, { group: options.group, ttlSeconds: 300 });
  const query = new URLSearchParams({
    trust: options.trust,
    period: options.period,
    encoding: 'base64',
  });
  const response = await fetch(`${runtime.apiUrl}/validate?${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'text/plain',
      'x-file-name': basename(options.file),
    },
    body: readFileSync(options.file).toString('base64'),
  });
  const text = await response.text();
  if (response.status !== 200) {
    process.stderr.write(`dry run failed (${response.status}): ${text}\n`);
    return EXIT.failed;
  }
  const report = JSON.parse(text) as DryRunReport;
  const lines = [
    `${basename(options.file)}: would be ${report.status}`,
    `read as ${report.file.format ?? 'unknown'}${report.file.encoding ? ` (${report.file.encoding})` : ''}`,
    `records: ${report.counts.total} total, ${report.counts.valid} valid, ${report.counts.invalid} invalid`,
    ...(report.rejection
      ? [
          `rejected: ${report.rejection.code}: ${report.rejection.message}`,
          `fix: ${report.rejection.hint}`,
        ]
      : []),
    ...report.summary.map((entry) => `  ${entry.severity.padEnd(7)} ${entry.code} ×${entry.count}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.status === 'ACCEPTED' ? EXIT.ok : EXIT.rejected;
}

async function callApi(
  dataDir: string,
  path: string,
  group: string,
): Promise<{ status: number; body: unknown }> {
  const runtime = readRuntimeInfo(dataDir);
  const token = await issueToken(dataDir, { group, ttlSeconds: 300 });
  const response = await fetch(`${runtime.apiUrl}${path.startsWith('/') ? path : `/${path}`}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolveEnd, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolveEnd())),
  );
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = EXIT.failed;
  },
);
