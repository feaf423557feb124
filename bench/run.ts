import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { measureApi } from './api-load';
import { runChild } from './child';
import { figureDifferences } from './figures';
import { BENCH_PERIOD, BENCH_SEED, BENCH_TRUST, type BenchFile, benchFile } from './files';
import { currentLoad, describeMachine } from './machine';
import { type BenchOptions, parseOptions, USAGE } from './options';
import type { CoreInput, CoreResult } from './parts/core';
import type { DuckDbInput, DuckDbResult } from './parts/duckdb';
import type { FloorInput, FloorResult } from './parts/floor';
import type { PipelineInput, PipelineResult } from './parts/pipeline';
import { busiestProfile, profileBundle, summariseProfile } from './profile';
import {
  apiTable,
  type BenchResults,
  evaluateTargets,
  formatCount,
  type Measurement,
  measurementTable,
} from './report';

/**
 * `npm run bench`: generates CWT files with the demo-data generator (fixed seed), measures the
 * pure core, DuckDB on the same aggregation, the physical floor, the whole local pipeline and
 * the API under load — each in a child process of its own — then prints a table and writes the
 * figures as JSON under bench/results/. It reports; it never asserts a timing.
 */

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const CHILD_TIMEOUT_MS = 30 * 60_000;
const PROFILE_MAX_ROWS = 1_000_000;

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), PROJECT_ROOT);
  if (!options) {
    say(USAGE);
    return;
  }
  const machine = describeMachine();
  const startedAt = new Date();
  say(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, ` +
      `Node ${machine.node}, ${machine.os}; load average ${machine.loadAtStart}`,
  );
  say(`Parts: ${[...options.parts].join(', ')}; files in ${options.dataDir}`);
  if (!options.referenceDir) say('No reference data directory: the platform downloads it.');
  const env: Record<string, string> = options.referenceDir
    ? { REFERENCE_DATA_DIR: options.referenceDir }
    : {};

  const files = await generateFiles(options);
  const results: BenchResults = {
    core: [],
    duckdb: [],
    floor: [],
    pipeline: [],
    api: null,
    profile: null,
    apiProfile: null,
    errors: [],
  };
  const attempt = async (label: string, run: () => Promise<void>) => {
    say(`- ${label}...`);
    try {
      await run();
    } catch (error) {
      const message = `${label}: ${(error as Error).message}`;
      results.errors.push(message);
      say(`  FAILED ${message}`);
    }
  };
  const fileFor = (size: number) => {
    const file = files.get(size);
    if (!file) throw new Error(`No file of ${size} rows.`);
    return file;
  };
  const dataInput = (size: number) => ({
    file: fileFor(size).path,
    trust: BENCH_TRUST,
    period: BENCH_PERIOD,
  });

  if (options.parts.has('core')) {
    for (const size of options.sizes) {
      await attempt(`pure core, ${formatCount(size)} rows`, async () => {
        const load = currentLoad();
        const run = await runChild<CoreResult>('parts/core.ts', dataInput(size) as CoreInput, {
          env,
          timeoutMs: CHILD_TIMEOUT_MS,
        });
        results.core.push({ ...run.result, size, processSeconds: run.processSeconds, load });
        say(
          `  ${run.result.seconds.toFixed(2)} s, peak RSS ${run.result.peakRssMiB.toFixed(0)} MiB`,
        );
      });
    }
  }

  if (options.parts.has('duckdb')) {
    const referenceDir = options.referenceDir;
    for (const size of options.sizes) {
      for (const validate of [true, false]) {
        const label = validate ? 'with the record checks' : 'read, join and sum only';
        await attempt(`DuckDB ${label}, ${formatCount(size)} rows`, async () => {
          if (!referenceDir) throw new Error('DuckDB needs the reference files in a directory.');
          const load = currentLoad();
          const input: DuckDbInput = { ...dataInput(size), referenceDir, validate };
          const run = await runChild<DuckDbResult>('parts/duckdb.ts', input, {
            timeoutMs: CHILD_TIMEOUT_MS,
          });
          results.duckdb.push({ ...run.result, size, processSeconds: run.processSeconds, load });
          say(
            `  ${run.result.seconds.toFixed(2)} s, peak RSS ${run.result.peakRssMiB.toFixed(0)} MiB`,
          );
        });
      }
    }
  }

  if (options.parts.has('floor')) {
    const sizes = [...new Set([...options.sizes, ...pipelineSizes(options)])].sort((a, b) => a - b);
    for (const size of sizes) {
      await attempt(`floor (disk, local S3), ${formatCount(size)} rows`, async () => {
        const load = currentLoad();
        const input: FloorInput = { file: fileFor(size).path, s3: true };
        const run = await runChild<FloorResult>('parts/floor.ts', input, {
          timeoutMs: CHILD_TIMEOUT_MS,
        });
        results.floor.push({ ...run.result, size, load });
      });
    }
  }

  if (options.parts.has('pipeline')) {
    for (const size of options.pipelineSizes) {
      await attempt(`whole local pipeline, ${formatCount(size)} rows`, async () => {
        const load = currentLoad();
        const input: PipelineInput = dataInput(size);
        const run = await runChild<PipelineResult>('parts/pipeline.ts', input, {
          env,
          timeoutMs: CHILD_TIMEOUT_MS,
        });
        results.pipeline.push({ ...run.result, size, processSeconds: run.processSeconds, load });
        say(
          `  ${run.result.status}: ${run.result.seconds.toFixed(2)} s, ` +
            `${run.result.chunkCount} chunk(s), peak RSS ${run.result.peakRssMiB.toFixed(0)} MiB`,
        );
      });
    }
  }

  if (options.parts.has('api')) {
    await attempt(
      `API under load (${options.apiMonths} months x every trust, ${options.apiConnections} clients)`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'cap-bench-api-profile-'));
        const profileFile = join(dir, 'api-server.cpuprofile');
        try {
          results.api = await measureApi({
            connections: options.apiConnections,
            durationSeconds: options.apiSeconds,
            months: options.apiMonths,
            rowsPerFile: options.apiRowsPerFile,
            lastPeriod: BENCH_PERIOD,
            referenceDir: options.referenceDir,
            ...(options.profile ? { profileFile } : {}),
            log: (line) => say(`  ${line}`),
          });
          if (options.profile) results.apiProfile = summariseProfile(profileFile, PROJECT_ROOT);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  }

  if (options.profile) {
    const candidates = options.sizes.filter((size) => size <= PROFILE_MAX_ROWS);
    const size = candidates.length > 0 ? Math.max(...candidates) : Math.min(...options.sizes);
    await attempt(`CPU profile of the pure core, ${formatCount(size)} rows`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cap-bench-profile-'));
      try {
        const bundle = await profileBundle(join(PROJECT_ROOT, 'bench', 'parts', 'core.ts'), dir);
        await runChild<CoreResult>(bundle.script, dataInput(size), {
          env,
          nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
          timeoutMs: CHILD_TIMEOUT_MS,
          tsx: false,
        });
        results.profile = summariseProfile(busiestProfile(dir), PROJECT_ROOT, bundle);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  const table = measurements(results, files);
  const targets = evaluateTargets(results);
  say();
  say(
    `Results (${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}; ` +
      `load average ${machine.loadAtStart} at start, ${currentLoad()} at end)`,
  );
  say();
  for (const line of measurementTable(table)) say(line);
  if (results.api) {
    say();
    for (const line of apiTable(results.api)) say(line);
  }
  const profiles = [
    ['the pure core', results.profile],
    ['the API server under load (tsx: positions are per file, not per line)', results.apiProfile],
  ] as const;
  for (const [what, profile] of profiles) {
    if (!profile) continue;
    say();
    say(`CPU profile of ${what} (self time, ${profile.totalMs.toFixed(0)} ms sampled):`);
    for (const entry of profile.functions.slice(0, 12)) {
      say(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}  ${entry.where}`);
    }
    say('  by file:');
    for (const entry of profile.files.slice(0, 8)) {
      say(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
    }
  }
  say();
  say('Issue 5 targets (figures, not assertions):');
  for (const line of targets.lines) say(`  ${line}`);
  if (results.errors.length > 0) {
    say();
    say('Failed measurements:');
    for (const error of results.errors) say(`  ${error.split('\n')[0]}`);
  }

  mkdirSync(options.outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const out = join(options.outDir, `bench-${stamp}.json`);
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine,
        loadAtEnd: currentLoad(),
        options: { ...options, parts: [...options.parts] },
        generator: { trust: BENCH_TRUST, period: BENCH_PERIOD, seed: BENCH_SEED },
        files: [...files.values()],
        table,
        targets: targets.values,
        ...results,
      },
      null,
      2,
    )}\n`,
  );
  say();
  say(`Written ${relative(process.cwd(), out)}`);
}

function pipelineSizes(options: BenchOptions): readonly number[] {
  return options.parts.has('pipeline') ? options.pipelineSizes : [];
}

async function generateFiles(options: BenchOptions): Promise<Map<number, BenchFile>> {
  const wanted = new Set<number>(pipelineSizes(options));
  if (['core', 'duckdb', 'floor'].some((part) => options.parts.has(part as 'core'))) {
    for (const size of options.sizes) wanted.add(size);
  }
  if (options.profile) for (const size of options.sizes) wanted.add(size);
  const files = new Map<number, BenchFile>();
  for (const size of [...wanted].sort((a, b) => a - b)) {
    const file = await benchFile(options.dataDir, size, options.referenceDir);
    const how =
      file.generatedSeconds > 0
        ? `generated in ${file.generatedSeconds.toFixed(1)} s`
        : 'reused from an earlier run';
    say(`File ${formatCount(size)} rows, ${(file.bytes / 1e6).toFixed(1)} MB: ${how}`);
    files.set(size, file);
  }
  return files;
}

function measurements(results: BenchResults, files: Map<number, BenchFile>): Measurement[] {
  const rows: Measurement[] = [];
  const bytes = (size: number) => files.get(size)?.bytes ?? 0;
  for (const run of results.core) {
    rows.push({
      part: 'core',
      measurement: 'pure core: parse + validate + derive + enrich + aggregate',
      rows: run.size,
      bytes: bytes(run.size),
      seconds: run.seconds,
      peakRssMiB: run.peakRssMiB,
      load: run.load,
      note: `reference load ${run.referenceSeconds.toFixed(2)} s incl.; ${run.invalid} invalid rows`,
    });
  }
  for (const run of results.duckdb) {
    const core = results.core.find((c) => c.size === run.size);
    const agreement = core
      ? figureDifferences(core.figures, run.figures) === 0
        ? `same ${run.figures.length} figures as the core`
        : `${figureDifferences(core.figures, run.figures)} of ${run.figures.length} figures differ` +
          (run.validate ? ' from the core' : ': it counts the invalid records too')
      : '';
    rows.push({
      part: 'duckdb',
      measurement: run.validate
        ? `DuckDB ${run.version}, ${run.threads} threads: same checks and aggregation`
        : `DuckDB ${run.version}, ${run.threads} threads: read, join and sum only (no checks)`,
      rows: run.size,
      bytes: bytes(run.size),
      seconds: run.seconds,
      peakRssMiB: run.peakRssMiB,
      load: run.load,
      note: agreement,
    });
  }
  for (const run of results.floor) {
    rows.push({
      part: 'floor',
      measurement: 'floor: read the file from disk (page cache)',
      rows: run.size,
      bytes: run.bytes,
      seconds: run.diskSeconds,
      peakRssMiB: null,
      load: run.load,
      note: '',
    });
    if (run.s3Seconds !== null) {
      rows.push({
        part: 'floor',
        measurement: 'floor: GetObject stream from the local S3',
        rows: run.size,
        bytes: run.bytes,
        seconds: run.s3Seconds,
        peakRssMiB: run.peakRssMiB,
        load: run.load,
        note: 'peak RSS: s3rver and the client in one process',
      });
    }
  }
  for (const run of results.pipeline) {
    const slowest = [...run.states]
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3)
      .map((s) => `${s.state} ${s.seconds.toFixed(1)} s${s.runs > 1 ? ` (${s.runs}x)` : ''}`)
      .join(', ');
    rows.push({
      part: 'pipeline',
      measurement: 'whole local pipeline: upload → workflow → DynamoDB → API',
      rows: run.size,
      bytes: run.bytes,
      seconds: run.seconds,
      peakRssMiB: run.peakRssMiB,
      load: run.load,
      note:
        `${run.status}; ${run.chunked ? `Distributed Map, ${run.chunkCount} chunks` : 'single pass'}` +
        `; RSS ${run.rssBeforeMiB.toFixed(0)} MiB before the upload` +
        `; ${run.transitions} transitions; ${slowest}; ${headlineAgreement(results, run)}`,
    });
  }
  return rows;
}

/** Whether the API's FDS and 31-day headline equals the core's sums on the same file. */
function headlineAgreement(results: BenchResults, run: BenchResults['pipeline'][number]): string {
  const core = results.core.find((c) => c.size === run.size);
  if (!core) return 'not compared with the core';
  const differing = (['fds', '31d'] as const).filter((standard) => {
    const figures = core.figures.filter((f) => f.standard === standard && f.trust === BENCH_TRUST);
    const within = figures.reduce((sum, f) => sum + f.within, 0);
    const total = figures.reduce((sum, f) => sum + f.total, 0);
    const served = run.headline.find((h) => h.standard === standard);
    return served?.within !== within || served?.total !== total;
  });
  return differing.length === 0
    ? 'API headline = core figures'
    : `API headline differs from the core for ${differing.join(', ')}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
