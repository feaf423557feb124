import { statSync } from 'node:fs';
import { childInput, peakRssMiB, reportResult, resetPeakRss, seconds } from '../child';
import { benchConfig } from '../config';
import {
  type StateTiming,
  startBenchPlatform,
  stateTimings,
  type TableSize,
} from '../local-platform';

/**
 * The whole local pipeline on one file: upload through the S3 API → EventBridge rule → the
 * synthesized state machine (Distributed Map over chunks when the file is above the configured
 * threshold) → DynamoDB → the answer of GET /performance. Servers, workflow and handlers share
 * this process, so its peak RSS is the whole platform's.
 */

export interface PipelineInput {
  readonly file: string;
  readonly trust: string;
  readonly period: string;
}

export interface HeadlineFigure {
  readonly standard: string;
  readonly within: number;
  readonly total: number;
}

export interface PipelineResult {
  readonly status: string;
  readonly chunked: boolean;
  readonly chunkCount: number;
  readonly chunkThresholdBytes: number;
  readonly chunkRows: number;
  readonly bytes: number;
  readonly uploadSeconds: number;
  readonly workflowSeconds: number;
  readonly apiSeconds: number;
  /** Upload start → the API's answer. */
  readonly seconds: number;
  readonly transitions: number;
  readonly states: StateTiming[];
  readonly maxPayloadBytes: number;
  /** What the submission left in DynamoDB (measured after the timing). */
  readonly tables: TableSize[];
  /** The trust's headline figures for the month as the API served them. */
  readonly headline: HeadlineFigure[];
  /** RSS with the platform started (stack synthesized, servers up, nothing uploaded). */
  readonly rssBeforeMiB: number;
  /** Peak RSS from the upload to the API's answer (whole process when it cannot be reset). */
  readonly peakRssMiB: number;
  readonly peakIsRunOnly: boolean;
}

const input = childInput<PipelineInput>();
const config = benchConfig();
const platform = await startBenchPlatform(config);
try {
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const peakIsRunOnly = resetPeakRss();
  const started = performance.now();
  const key = await platform.upload(input.trust, input.period, input.file);
  const uploadSeconds = seconds(started);
  const record = await platform.finished(key);
  const workflowDone = performance.now();
  const token = await platform.token();
  const headline: HeadlineFigure[] = [];
  for (const standard of ['fds', '31d', '62d']) {
    const query = `standard=${standard}&from=${input.period}&to=${input.period}&trust=${input.trust}`;
    const response = await fetch(`${platform.runtime.apiUrl}/performance?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      rows?: Array<{ trust: string; group?: string | null; within: number; total: number }>;
    };
    const row = body.rows?.find((r) => r.trust === input.trust && (r.group ?? null) === null);
    headline.push({ standard, within: row?.within ?? 0, total: row?.total ?? 0 });
  }
  const finished = performance.now();

  const output = (record.output ?? {}) as {
    validation?: { chunked?: boolean; chunkCount?: number };
  };
  const { transitions, states, maxPayloadBytes } = stateTimings(record);
  const peak = peakRssMiB();
  const tables = await platform.tableSizes();
  const result: PipelineResult = {
    status: record.status,
    chunked: output.validation?.chunked ?? false,
    chunkCount: output.validation?.chunkCount ?? 0,
    chunkThresholdBytes: config.rules.chunkThresholdBytes,
    chunkRows: config.rules.chunkRows,
    bytes: statSync(input.file).size,
    uploadSeconds,
    workflowSeconds: (workflowDone - started) / 1000 - uploadSeconds,
    apiSeconds: (finished - workflowDone) / 1000,
    seconds: seconds(started),
    transitions,
    states,
    maxPayloadBytes,
    tables,
    headline,
    rssBeforeMiB,
    peakRssMiB: peak,
    peakIsRunOnly,
  };
  reportResult(result);
} finally {
  await platform.stop();
}
