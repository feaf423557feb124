import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const PARTS = ['core', 'duckdb', 'floor', 'pipeline', 'api'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  readonly parts: ReadonlySet<Part>;
  /** Rows of the files the core, DuckDB and the floor are measured on. */
  readonly sizes: readonly number[];
  /** Rows of the files sent through the whole local pipeline. */
  readonly pipelineSizes: readonly number[];
  readonly apiSeconds: number;
  readonly apiConnections: number;
  readonly apiMonths: number;
  readonly apiRowsPerFile: number;
  /** Also record a CPU profile of the core (on the largest size up to 1M rows). */
  readonly profile: boolean;
  readonly dataDir: string;
  readonly outDir: string;
  readonly referenceDir: string | undefined;
}

export const USAGE = `Usage: npm run bench -- [options]

Measures the platform on generated CWT files and prints a table; writes JSON to bench/results/.
Every measurement runs in its own child process (peak RSS is per measurement).

  --quick                 100k rows only, a 5 s API run (about 3 minutes)
  --parts LIST            any of ${PARTS.join(',')} (default: all)
  --sizes LIST            rows for core, duckdb, floor (default 100000,1000000,5000000)
  --pipeline-sizes LIST   rows for the whole pipeline (default 100000,1000000)
  --api-seconds N         load per API scenario (default 10)
  --api-connections N     concurrent clients (default 50)
  --api-months N          months of uploads for every trust (default 24)
  --api-rows N            rows per monthly file (default 3000)
  --profile               also profile the core (node --cpu-prof) and rank functions by self time
  --data-dir DIR          where generated files are kept and reused (default: $TMPDIR/cap-bench)
  --out DIR               results directory (default bench/results)
  --help

Sizes take k and M suffixes (100k, 1M). Reference data: REFERENCE_DATA_DIR, else ../shared/data.
Figures only: nothing here asserts a timing.`;

export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`Not a row count: ${text}`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2] ?? ''] ?? 1;
  return Math.round(Number(match[1]) * scale);
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function parseOptions(argv: readonly string[], projectRoot: string): BenchOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      parts: { type: 'string' },
      sizes: { type: 'string' },
      'pipeline-sizes': { type: 'string' },
      'api-seconds': { type: 'string' },
      'api-connections': { type: 'string' },
      'api-months': { type: 'string' },
      'api-rows': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick ?? false;
  const parts = values.parts ? list(values.parts) : [...PARTS];
  for (const part of parts) {
    if (!(PARTS as readonly string[]).includes(part)) {
      throw new Error(`Unknown part ${part}: choose from ${PARTS.join(', ')}.`);
    }
  }
  const candidate = process.env.REFERENCE_DATA_DIR ?? resolve(projectRoot, '..', 'shared', 'data');
  // Without a directory the platform downloads the official files; DuckDB needs one on disk.
  const referenceDir = existsSync(candidate) ? resolve(candidate) : undefined;
  return {
    parts: new Set(parts as Part[]),
    sizes: values.sizes
      ? list(values.sizes).map(parseCount)
      : quick
        ? [100_000]
        : [100_000, 1_000_000, 5_000_000],
    pipelineSizes: values['pipeline-sizes']
      ? list(values['pipeline-sizes']).map(parseCount)
      : quick
        ? [100_000]
        : [100_000, 1_000_000],
    apiSeconds: Number(values['api-seconds'] ?? (quick ? 5 : 10)),
    apiConnections: Number(values['api-connections'] ?? 50),
    apiMonths: Number(values['api-months'] ?? 24),
    apiRowsPerFile: parseCount(values['api-rows'] ?? '3000'),
    profile: values.profile ?? false,
    dataDir: resolve(values['data-dir'] ?? join(tmpdir(), 'cap-bench')),
    outDir: resolve(values.out ?? join(projectRoot, 'bench', 'results')),
    referenceDir,
  };
}
