import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SUBMISSION_STATUSES, submissionIdFor, uploadKeyFor } from '../lambdas/core/submission';
import { localS3Client } from '../lib/local/clients';
import { issueToken } from '../lib/local/tokens';
import { demoCsvLines } from './support/demo-data';
import {
  backlogFigures,
  diffSnapshots,
  type FigureSnapshot,
  formatDiff,
  performanceFigures,
  REPLAY_STANDARDS,
} from './support/replay-diff';
import { requestUpload } from './support/request-upload';
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
  request-upload --period YYYY-MM --file PATH [--trust ODS] [--dataset cwt] [--token T]
             [--api URL] [--group trust-ODS] [--wait] [--timeout S]
             Uploads with an API token only (no AWS credentials): POST /uploads for a presigned
             URL, then PUT the file to it. --token (or CAP_API_TOKEN) is a bearer token, e.g. a
             Cognito id token; without one, a local token for --group is issued. --api (or
             CAP_API_URL) is the API base URL; default: the running local platform. --trust is
             needed for alliance accounts. Exit codes as for upload.
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
  replay     --period YYYY-MM [--trust ODS] [--json] [--timeout S]
             Re-runs the workflow for the period's current submissions (POST /replay, e.g. after
             a rules change), waits for them and prints the figures before → after (trust ×
             standard, backlog bands); --json prints the diff as JSON. Exits 0 when every
             submission finished (changed or not), 1 otherwise.

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
      token: { type: 'string' },
      api: { type: 'string' },
      rows: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'invalid-share': { type: 'string' },
      json: { type: 'boolean', default: false },
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
    case 'request-upload': {
      const { trust, period, file, dataset } = values;
      if (!period || !file) return usage('request-upload needs --period and --file');
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return usage('--period must be YYYY-MM');
      if (trust && !/^[A-Z0-9]{3}$/.test(trust))
        return usage('--trust must be a 3-character ODS code, e.g. RF4');
      if (!existsSync(file)) return usage(`no such file: ${file}`);
      const apiUrl = values.api ?? process.env.CAP_API_URL;
      const local = apiUrl ? undefined : readRuntimeInfo(dataDir);
      const token =
        values.token ??
        process.env.CAP_API_TOKEN ??
        (local ? await issueToken(dataDir, { group: values.group, ttlSeconds: 300 }) : undefined);
      if (!token) return usage('request-upload with --api needs --token (or CAP_API_TOKEN)');
      const outcome = await requestUpload({
        apiUrl: apiUrl ?? local?.apiUrl ?? '',
        bucket: local?.uploadBucket,
        token,
        period,
        file,
        dataset,
        trust,
        wait: values.wait,
        timeoutSeconds: Number(values.timeout),
      });
      return EXIT[outcome];
    }
    case 'validate': {
      const { trust, period, file } = values;
      if (!trust || !period || !file) return usage('validate needs --trust, --period and --file');
      if (!existsSync(file)) return usage(`no such file: ${file}`);
      return dryRun(dataDir, { trust, period, file, group: values.group });
    }
    case 'replay': {
      const { period, trust } = values;
      if (!period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period))
        return usage('replay needs --period YYYY-MM');
      if (trust && !/^[A-Z0-9]{3}$/.test(trust))
        return usage('--trust must be a 3-character ODS code, e.g. RF4');
      return replay(dataDir, {
        period,
        trust: trust ?? null,
        json: values.json,
        timeoutSeconds: Number(values.timeout),
      });
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

interface ReplayResponse {
  requestedAt: string;
  submissions: Array<{
    submissionId: string;
    trust: string;
    executionArn: string | null;
    skipped: string | null;
  }>;
}

const FINISHED = new Set(['ACCEPTED', 'REJECTED', 'FAILED']);

/**
 * Figures before, POST /replay, wait for every replayed submission to finish (its `updatedAt`
 * passes the request time with a finished status), figures after, and the difference.
 */
async function replay(
  dataDir: string,
  options: { period: string; trust: string | null; json: boolean; timeoutSeconds: number },
): Promise<number> {
  const scope = new URLSearchParams({ period: options.period });
  if (options.trust) scope.set('trust', options.trust);
  const before = await figureSnapshot(dataDir, options.period, options.trust);

  const started = await callApi(dataDir, `/replay?${scope}`, 'alliance', 'POST');
  if (started.status !== 202) {
    process.stderr.write(`replay failed (${started.status}): ${JSON.stringify(started.body)}\n`);
    return EXIT.failed;
  }
  const { requestedAt, submissions } = started.body as ReplayResponse;
  for (const skipped of submissions.filter((s) => s.skipped)) {
    process.stderr.write(`skipped ${skipped.trust} ${skipped.submissionId}: ${skipped.skipped}\n`);
  }
  const waiting = new Set(submissions.filter((s) => s.executionArn).map((s) => s.submissionId));
  process.stderr.write(`replaying ${waiting.size} submission(s) for ${options.period}\n`);
  const outcomes: Record<string, string> = {};
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  while (waiting.size > 0 && Date.now() < deadline) {
    for (const id of [...waiting]) {
      const response = await callApi(dataDir, `/submissions/${id}`, 'alliance');
      const body = response.body as { status?: string; updatedAt?: string } | null;
      if (body?.status && FINISHED.has(body.status) && (body.updatedAt ?? '') > requestedAt) {
        outcomes[id] = body.status;
        waiting.delete(id);
      }
    }
    if (waiting.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  if (waiting.size > 0) {
    process.stderr.write(`timed out waiting for ${[...waiting].join(', ')}\n`);
    return EXIT.failed;
  }

  const after = await figureSnapshot(dataDir, options.period, options.trust);
  const diff = diffSnapshots({ period: options.period, trust: options.trust }, before, after);
  const failed = Object.entries(outcomes).filter(([, status]) => status !== 'ACCEPTED');
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...diff, submissions: outcomes }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatDiff(diff)}\n`);
    for (const [id, status] of failed) process.stdout.write(`${id}: ${status}\n`);
  }
  return failed.some(([, status]) => status === 'FAILED') ? EXIT.failed : EXIT.ok;
}

async function figureSnapshot(
  dataDir: string,
  period: string,
  trust: string | null,
): Promise<FigureSnapshot> {
  const filter = trust ? `&trust=${trust}` : '';
  const bodies: Record<string, { rows?: [] }> = {};
  for (const standard of REPLAY_STANDARDS) {
    const response = await callApi(
      dataDir,
      `/performance?standard=${standard}&from=${period}&to=${period}${filter}`,
      'alliance',
    );
    if (response.status !== 200) throw new Error(`GET /performance answered ${response.status}`);
    bodies[standard] = response.body as { rows?: [] };
  }
  const backlog = await callApi(dataDir, `/backlog?period=${period}${filter}`, 'alliance');
  if (backlog.status !== 200) throw new Error(`GET /backlog answered ${backlog.status}`);
  return {
    performance: performanceFigures(bodies),
    backlog: backlogFigures(backlog.body as { rows?: [] }),
  };
}

async function callApi(
  dataDir: string,
  path: string,
  group: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<{ status: number; body: unknown }> {
  const apiUrl = readApiUrl(dataDir);
  const token = await issueToken(dataDir, { group, ttlSeconds: 300 });
  const response = await fetch(`${apiUrl}${path.startsWith('/') ? path : `/${path}`}`, {
    method,
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

/** The API address only: runtime.json written by a bare local runtime has no upload bucket. */
function readApiUrl(dataDir: string): string {
  const file = resolve(dataDir, 'runtime.json');
  if (!existsSync(file)) return readRuntimeInfo(dataDir).apiUrl;
  const info = JSON.parse(readFileSync(file, 'utf8')) as { apiUrl?: unknown };
  if (typeof info.apiUrl !== 'string') return readRuntimeInfo(dataDir).apiUrl;
  return info.apiUrl;
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
