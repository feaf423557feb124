import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { demoCsv } from '../../bin/support/demo-data';
import { uploadKeyFor } from '../../lambdas/core/submission';
import { childInput, peakRssMiB, reportResult, resetPeakRss, seconds } from '../child';
import { benchConfig } from '../config';
import { startBenchPlatform } from '../local-platform';

/**
 * The local platform loaded with `months` of monthly uploads for every configured trust (each
 * through the real upload → workflow path), then serving its API until told to stop. Reports
 * once when loaded (URL, token, what it holds) and once on SIGTERM (its peak RSS under load).
 */

export interface ApiServerInput {
  /** The last month loaded (YYYY-MM). */
  readonly lastPeriod: string;
  readonly months: number;
  readonly rowsPerFile: number;
  readonly referenceDir: string | undefined;
  /** Record a CPU profile of the serving (not the loading) into this file. */
  readonly profileFile?: string;
}

export interface ApiServerReady {
  readonly apiUrl: string;
  readonly token: string;
  readonly periods: string[];
  readonly trusts: string[];
  readonly uploads: number;
  readonly accepted: number;
  readonly rows: number;
  readonly loadSeconds: number;
  readonly peakRssMiB: number;
}

export interface ApiServerStopped {
  /** Peak RSS while serving (since the load finished, where the peak can be reset). */
  readonly peakRssMiB: number;
}

const input = childInput<ApiServerInput>();
const config = benchConfig();
const platform = await startBenchPlatform(config);

function monthsEndingAt(last: string, count: number): string[] {
  const [year, month] = last.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(year, month - count + i, 1));
    return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

const started = performance.now();
const periods = monthsEndingAt(input.lastPeriod, input.months);
const trusts = config.trusts.map((trust) => trust.ods);
for (const period of periods) {
  for (const trust of trusts) {
    const body = demoCsv({
      trust,
      period,
      rows: input.rowsPerFile,
      referenceDir: input.referenceDir,
    });
    await platform.s3.send(
      new PutObjectCommand({
        Bucket: platform.bucket,
        Key: uploadKeyFor(trust, 'cwt', period, `${trust.toLowerCase()}-${period}.csv`),
        Body: body,
      }),
    );
  }
}
// Each PUT's event reaches the runtime just after the PUT is answered.
while (platform.runtime.executions().length < periods.length * trusts.length) {
  await new Promise((done) => setTimeout(done, 50));
}
await platform.runtime.waitForIdle();
const executions = platform.runtime.executions();

const ready: ApiServerReady = {
  apiUrl: platform.runtime.apiUrl,
  token: await platform.token(),
  periods,
  trusts,
  uploads: executions.length,
  accepted: executions.filter((r) => r.status === 'SUCCEEDED').length,
  rows: periods.length * trusts.length * input.rowsPerFile,
  loadSeconds: seconds(started),
  peakRssMiB: peakRssMiB(),
};
const profiler = input.profileFile ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
resetPeakRss();
reportResult(ready);

process.once('SIGTERM', () => {
  void (async () => {
    const stopped: ApiServerStopped = { peakRssMiB: peakRssMiB() };
    if (profiler && input.profileFile) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(input.profileFile, JSON.stringify(profile));
    }
    reportResult(stopped);
    await platform.stop();
    process.exit(0);
  })();
});
