import type { ApiMeasurement } from './api-load';
import type { CoreResult } from './parts/core';
import type { DuckDbResult } from './parts/duckdb';
import type { FloorResult } from './parts/floor';
import type { PipelineResult } from './parts/pipeline';
import type { ProfileSummary } from './profile';

/** Everything one run measured, as written to the JSON file. */
export interface BenchResults {
  readonly core: Array<CoreResult & { size: number; processSeconds: number; load: number }>;
  readonly duckdb: Array<DuckDbResult & { size: number; processSeconds: number; load: number }>;
  readonly floor: Array<FloorResult & { size: number; load: number }>;
  readonly pipeline: Array<PipelineResult & { size: number; processSeconds: number; load: number }>;
  api: ApiMeasurement | null;
  profile: ProfileSummary | null;
  /** The API server's CPU while serving the load (with --profile). */
  apiProfile: ProfileSummary | null;
  readonly errors: string[];
}

/** One line of the results table. */
export interface Measurement {
  readonly part: string;
  readonly measurement: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Of the measuring process; null where the measurement shares a process with another. */
  readonly peakRssMiB: number | null;
  /** 1-minute load average just before the measurement started. */
  readonly load: number;
  readonly note: string;
}

/** Issue 5 §2 targets. */
export const TARGETS = {
  coreRowsPerSecondPerCore: 300_000,
  pipelineOverDuckDb: 3,
  peakRssMiB: 300,
  apiP99Ms: 50,
} as const;

export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-GB');
const ms = (value: number | null) => (value === null ? '—' : value.toFixed(1));

export function measurementTable(rows: readonly Measurement[]): string[] {
  const lines = [
    '| measurement | rows | MB | seconds | rows/s | MB/s | peak RSS MiB | load | notes |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const row of rows) {
    const mb = row.bytes / 1e6;
    lines.push(
      `| ${row.measurement} | ${formatCount(row.rows)} | ${mb.toFixed(0)} | ` +
        `${row.seconds.toFixed(2)} | ${thousands(row.rows / row.seconds)} | ` +
        `${(mb / row.seconds).toFixed(1)} | ${row.peakRssMiB === null ? '—' : row.peakRssMiB.toFixed(0)} | ` +
        `${row.load.toFixed(1)} | ${row.note} |`,
    );
  }
  return lines;
}

export function apiTable(api: ApiMeasurement): string[] {
  const lines = [
    `API: ${api.loaded.uploads} uploads (${api.loaded.accepted} accepted; ${api.loaded.trusts.length} ` +
      `trusts x ${api.loaded.periods.length} months, ${thousands(api.loaded.rows)} rows) loaded ` +
      `through the workflow in ${api.loaded.loadSeconds.toFixed(0)} s; server peak RSS ` +
      `${api.serverPeakRssMiB.toFixed(0)} MiB`,
    '',
    '| GET /performance | clients | answered | req/s | p50 ms | p95 ms | p99 ms | max ms | in flight at end (waited ≥ ms) | errors |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of api.scenarios) {
    lines.push(
      `| ${s.scenario} | ${s.connections} | ${s.requests} | ${s.requestsPerSecond.toFixed(1)} | ` +
        `${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ` +
        `${s.unanswered}${s.unanswered > 0 ? ` (${s.unansweredWaitMs.toFixed(0)})` : ''} | ` +
        `${s.errors + s.non2xx} |`,
    );
  }
  return lines;
}

export interface TargetValues {
  readonly coreRowsPerSecond: Record<string, number>;
  readonly corePeakRssMiB: Record<string, number>;
  pipelineOverDuckDb: { rows: number; ratio: number } | null;
  readonly coreOverDuckDb: Record<string, number>;
  /** Of the answered requests; null when none was answered. */
  readonly apiP99Ms: Record<string, number | null>;
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/** Each §2 target against what was measured, in words and as values. */
export function evaluateTargets(results: BenchResults): {
  lines: string[];
  values: TargetValues;
} {
  const lines: string[] = [];
  const values: TargetValues = {
    coreRowsPerSecond: {},
    corePeakRssMiB: {},
    pipelineOverDuckDb: null,
    coreOverDuckDb: {},
    apiP99Ms: {},
  };

  if (results.core.length > 0) {
    const rates = results.core.map((run) => {
      const rate = run.rows / run.seconds;
      values.coreRowsPerSecond[formatCount(run.size)] = rate;
      return `${formatCount(run.size)} ${thousands(rate)}`;
    });
    const worst = Math.min(...results.core.map((run) => run.rows / run.seconds));
    lines.push(
      `pure core ≥ ${thousands(TARGETS.coreRowsPerSecondPerCore)} rows/s per core (one thread): ` +
        `${rates.join(', ')} rows/s — ${verdict(worst >= TARGETS.coreRowsPerSecondPerCore)} ` +
        `(slowest at ${((worst / TARGETS.coreRowsPerSecondPerCore) * 100).toFixed(0)}% of target)`,
    );
    const peaks = results.core.map((run) => {
      values.corePeakRssMiB[formatCount(run.size)] = run.peakRssMiB;
      return `${formatCount(run.size)} ${run.peakRssMiB.toFixed(0)}`;
    });
    const sorted = [...results.core].sort((a, b) => a.size - b.size);
    const first = sorted[0];
    const last = sorted.at(-1);
    const highest = Math.max(...results.core.map((run) => run.peakRssMiB));
    const growth = first && last ? last.peakRssMiB - first.peakRssMiB : 0;
    lines.push(
      `core peak RSS < ${TARGETS.peakRssMiB} MiB and flat: ${peaks.join(', ')} MiB ` +
        `(${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB smallest → largest) — ` +
        `${verdict(highest < TARGETS.peakRssMiB)} for the bound` +
        (results.core.length > 1
          ? `, ${growth <= 0.1 * (first?.peakRssMiB ?? 0) ? 'flat' : 'NOT flat'} (within 10%)`
          : ''),
    );
  }
  for (const run of results.pipeline) {
    lines.push(
      `whole pipeline peak RSS (servers, workflow and handlers in one process), ` +
        `${formatCount(run.size)}: ${run.peakRssMiB.toFixed(0)} MiB during the run ` +
        `(${run.rssBeforeMiB.toFixed(0)} MiB before the upload) — ` +
        verdict(run.peakRssMiB < TARGETS.peakRssMiB),
    );
  }
  // The equivalent aggregation is the one with the record checks; the bare one is reported too.
  const equivalent = results.duckdb.filter((run) => run.validate);
  const bare = results.duckdb.filter((run) => !run.validate);
  for (const run of equivalent) {
    const core = results.core.find((c) => c.size === run.size);
    if (core) values.coreOverDuckDb[formatCount(run.size)] = core.seconds / run.seconds;
  }
  const pairs = results.pipeline
    .map((pipeline) => ({
      pipeline,
      duckdb: equivalent.find((d) => d.size === pipeline.size),
    }))
    .filter((pair) => pair.duckdb !== undefined);
  const largest = pairs.sort((a, b) => b.pipeline.size - a.pipeline.size)[0];
  if (largest?.duckdb) {
    const ratio = largest.pipeline.seconds / largest.duckdb.seconds;
    values.pipelineOverDuckDb = { rows: largest.pipeline.size, ratio };
    lines.push(
      `whole pipeline within ${TARGETS.pipelineOverDuckDb}x DuckDB, ` +
        `${formatCount(largest.pipeline.size)} rows: ${largest.pipeline.seconds.toFixed(1)} s vs ` +
        `${largest.duckdb.seconds.toFixed(1)} s = ${ratio.toFixed(1)}x — ` +
        `${verdict(ratio <= TARGETS.pipelineOverDuckDb)}` +
        (ratio > TARGETS.pipelineOverDuckDb
          ? ` (needs ${(ratio / TARGETS.pipelineOverDuckDb).toFixed(1)}x faster)`
          : ''),
    );
    const bareRun = bare.find((d) => d.size === largest.pipeline.size);
    if (bareRun) {
      lines.push(
        `  against DuckDB reading, joining and summing only: ${bareRun.seconds.toFixed(1)} s = ` +
          `${(largest.pipeline.seconds / bareRun.seconds).toFixed(1)}x`,
      );
    }
  }
  const coreRatios = Object.entries(values.coreOverDuckDb);
  if (coreRatios.length > 0) {
    lines.push(
      `pure core / DuckDB time: ${coreRatios.map(([size, r]) => `${size} ${r.toFixed(1)}x`).join(', ')}`,
    );
  }
  for (const scenario of results.api?.scenarios ?? []) {
    values.apiP99Ms[`${scenario.scenario}, ${scenario.connections} clients`] = scenario.p99Ms;
    const cutOff =
      scenario.unanswered > 0
        ? `; ${scenario.unanswered} in flight at the end, the oldest for ` +
          `${scenario.unansweredWaitMs.toFixed(0)} ms`
        : '';
    const figures =
      `p50 ${ms(scenario.p50Ms)} ms, p99 ${ms(scenario.p99Ms)} ms, ` +
      `${scenario.requestsPerSecond.toFixed(1)} req/s${cutOff}`;
    if (scenario.connections === 1) {
      lines.push(`  one client (${scenario.scenario}): ${figures}`);
      continue;
    }
    // Requests cut off after waiting longer than the bound breach it too.
    const worst = Math.max(scenario.p99Ms ?? Number.POSITIVE_INFINITY, scenario.unansweredWaitMs);
    lines.push(
      `/performance p99 < ${TARGETS.apiP99Ms} ms at ${scenario.connections} clients ` +
        `(${scenario.scenario}): ${figures} — ${verdict(worst < TARGETS.apiP99Ms)}` +
        (worst >= TARGETS.apiP99Ms && scenario.p99Ms !== null
          ? ` (${(worst / TARGETS.apiP99Ms).toFixed(0)}x the bound)`
          : ''),
    );
  }
  return { lines, values };
}
