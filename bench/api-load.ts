import autocannon from 'autocannon';
import { startServerChild } from './child';
import type { ApiServerReady, ApiServerStopped } from './parts/api-server';

/**
 * API latency under load: the local platform in a child process (its own event loop and core),
 * autocannon in this one, on loopback. Latencies are taken per response, so the percentiles
 * are exact rather than read off autocannon's coarser histogram (which has no p95). As in
 * autocannon and wrk, percentiles are of the answered requests; the requests still in flight
 * when a run ends are counted apart with how long the oldest had already waited, since a slow
 * server's worst requests are exactly the ones a fixed-length run cuts off.
 */

export interface ApiOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly months: number;
  readonly rowsPerFile: number;
  readonly lastPeriod: string;
  readonly referenceDir: string | undefined;
  /** Write a CPU profile of the server while it is under load to this file. */
  readonly profileFile?: string;
  readonly log: (line: string) => void;
}

export interface ApiScenarioResult {
  readonly scenario: string;
  readonly path: string;
  readonly connections: number;
  readonly seconds: number;
  /** Answered requests. */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Of the answered requests; null when none was answered. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly errors: number;
  readonly non2xx: number;
  /** In flight when the run ended (at most one per client). */
  readonly unanswered: number;
  /** How long the oldest of those had waited by then: a lower bound of its latency. */
  readonly unansweredWaitMs: number;
}

export interface ApiMeasurement {
  readonly loaded: Omit<ApiServerReady, 'token' | 'apiUrl'>;
  readonly scenarios: ApiScenarioResult[];
  readonly serverPeakRssMiB: number;
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(rank, sorted.length - 1)] ?? null;
}

async function timedGet(url: string, token: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return performance.now() - started;
}

/**
 * Requests cut off at the end of a run are still being served (the handlers run on after the
 * client has gone), so the next run waits until one request of its own is answered about as
 * fast as the quickest seen: the backlog has cleared and is not measured twice.
 */
async function settle(url: string, token: string): Promise<void> {
  const deadline = performance.now() + 180_000;
  let fastest = Number.POSITIVE_INFINITY;
  for (let probe = 0; performance.now() < deadline; probe += 1) {
    const ms = await timedGet(url, token);
    if (probe >= 2 && ms <= fastest * 1.5) return;
    fastest = Math.min(fastest, ms);
  }
}

export async function measureApi(options: ApiOptions): Promise<ApiMeasurement> {
  const server = startServerChild<ApiServerReady | ApiServerStopped>(
    'parts/api-server.ts',
    {
      lastPeriod: options.lastPeriod,
      months: options.months,
      rowsPerFile: options.rowsPerFile,
      referenceDir: options.referenceDir,
      ...(options.profileFile ? { profileFile: options.profileFile } : {}),
    },
    { onLine: options.log },
  );
  const ready = (await server.ready) as ApiServerReady;
  const { apiUrl, token, ...loaded } = ready;
  const first = ready.periods[0] ?? options.lastPeriod;
  const yearAgo = ready.periods.at(-12) ?? first;
  const queries = [
    {
      scenario: `FDS headline, ${ready.periods.length} months, every trust`,
      path: `/performance?standard=fds&from=${first}&to=${options.lastPeriod}`,
    },
    {
      scenario: '62-day by IMD quintile, 12 months',
      path: `/performance?standard=62d&from=${yearAgo}&to=${options.lastPeriod}&by=imdQuintile`,
    },
  ];
  // One client first: the service time of a request on its own; then the load asked for.
  const levels = [...new Set([1, options.connections])];
  const results: ApiScenarioResult[] = [];
  try {
    for (const { scenario, path } of queries) {
      for (const connections of levels) {
        await settle(`${apiUrl}${path}`, token);
        results.push(await measure({ scenario, path }, apiUrl, token, connections, options));
      }
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  const stopped = (await server.stop()) as ApiServerStopped;
  return { loaded, scenarios: results, serverPeakRssMiB: stopped.peakRssMiB };
}

async function measure(
  query: { scenario: string; path: string },
  apiUrl: string,
  token: string,
  connections: number,
  options: ApiOptions,
): Promise<ApiScenarioResult> {
  const latencies: number[] = [];
  /** Each client sends its next request as soon as it has an answer (no pipelining). */
  const lastAnswer = new Map<unknown, number>();
  const started = performance.now();
  const instance = autocannon({
    url: `${apiUrl}${query.path}`,
    connections,
    duration: options.durationSeconds,
    headers: { authorization: `Bearer ${token}` },
    // Slow answers are latencies to report, not errors.
    timeout: 300,
  });
  instance.on('response', (client, _status, _bytes, ms) => {
    latencies.push(ms);
    lastAnswer.set(client, performance.now());
  });
  const run = await instance;
  const ended = performance.now();
  latencies.sort((a, b) => a - b);
  const errors = run.errors + run.timeouts;
  const unanswered = Math.max(0, run.requests.sent - latencies.length - errors);
  // A client that never had an answer has waited since the start.
  const waits = [...lastAnswer.values()].map((at) => ended - at);
  if (lastAnswer.size < connections) waits.push(ended - started);
  return {
    ...query,
    connections,
    seconds: run.duration,
    requests: latencies.length,
    requestsPerSecond: latencies.length / run.duration,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? null,
    errors,
    non2xx: run.non2xx,
    unanswered,
    unansweredWaitMs: unanswered > 0 ? Math.max(...waits) : 0,
  };
}
