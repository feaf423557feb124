import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runChild } from './child';
import type { CoreInput, CoreResult } from './parts/core';
import { busiestProfile, profileBundle, summariseProfile } from './profile';

/**
 * Profiles the pure core alone on an existing file and prints the ranked self times: the quick
 * loop for optimising the core (`npm run bench -- --profile` also measures and generates files).
 * Usage: tsx bench/profile-core.ts FILE.csv [TRUST] [PERIOD] [TOP]
 */

const [file, trust = 'R1H', period = '2025-06', top = '25'] = process.argv.slice(2);
if (!file) throw new Error('Usage: tsx bench/profile-core.ts FILE.csv [TRUST] [PERIOD] [TOP]');
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'cap-core-profile-'));
try {
  const bundle = await profileBundle(join(root, 'bench', 'parts', 'core.ts'), dir);
  const input: CoreInput = { file: resolve(file), trust, period };
  const run = await runChild<CoreResult>(bundle.script, input, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    tsx: false,
  });
  const summary = summariseProfile(busiestProfile(dir), root, bundle);
  const rows = run.result.rows;
  console.log(
    `${rows} rows in ${run.result.seconds.toFixed(2)} s (${Math.round(rows / run.result.seconds)} rows/s), ` +
      `peak RSS ${run.result.peakRssMiB.toFixed(0)} MiB; ${summary.totalMs.toFixed(0)} ms sampled`,
  );
  const line = (entry: { share: number; name: string; where: string }) =>
    `${(entry.share * 100).toFixed(1).padStart(6)}%  ${entry.name}  ${entry.where}`;
  for (const entry of summary.functions.slice(0, Number(top))) console.log(line(entry));
  console.log('by file:');
  for (const entry of summary.files.slice(0, 12)) console.log(line(entry));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
