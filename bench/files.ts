import { once } from 'node:events';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { demoCsvLines } from '../bin/support/demo-data';

/** The trust, month and seed every benchmark file is generated for, so runs compare. */
export const BENCH_TRUST = 'R1H';
export const BENCH_PERIOD = '2025-06';
export const BENCH_SEED = 20_250_601;

/** Lines are joined into writes of about this size: one syscall per line would be the cost. */
const WRITE_BYTES = 1 << 20;

export interface BenchFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  /** Seconds spent generating it in this run (0 when an earlier run's file was reused). */
  readonly generatedSeconds: number;
}

/**
 * A CWT file of `rows` records from the demo-data generator (fixed trust, month and seed). The
 * generator is deterministic, so a file left by an earlier run with the same name is reused.
 */
export async function benchFile(
  dir: string,
  rows: number,
  referenceDir: string | undefined,
): Promise<BenchFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `cwt-${BENCH_TRUST}-${BENCH_PERIOD}-${rows}-seed${BENCH_SEED}.csv`);
  if (existsSync(path)) return { path, rows, bytes: statSync(path).size, generatedSeconds: 0 };

  const started = performance.now();
  const partial = `${path}.part`;
  const out = createWriteStream(partial);
  try {
    let batch = '';
    for (const line of demoCsvLines({
      trust: BENCH_TRUST,
      period: BENCH_PERIOD,
      rows,
      seed: BENCH_SEED,
      referenceDir,
    })) {
      batch += `${line}\n`;
      if (batch.length >= WRITE_BYTES) {
        if (!out.write(batch)) await once(out, 'drain');
        batch = '';
      }
    }
    out.end(batch);
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, path);
  return {
    path,
    rows,
    bytes: statSync(path).size,
    generatedSeconds: (performance.now() - started) / 1000,
  };
}
