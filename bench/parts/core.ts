import { createReadStream } from 'node:fs';
import { loadReferenceData } from '../../lambdas/adapters/reference-data';
import { createAccumulator } from '../../lambdas/core/aggregate';
import { deriveRecord } from '../../lambdas/core/derive';
import { enrichRecord } from '../../lambdas/core/enrich';
import { runIntake } from '../../lambdas/core/intake';
import { openTable } from '../../lambdas/core/parse/table';
import { validateRow } from '../../lambdas/core/validate';
import { childInput, peakRssMiB, reportResult, seconds } from '../child';
import { benchConfig } from '../config';
import { type QuintileFigure, quintileFigures } from '../figures';

/**
 * The pure core on one file, as the Validate, Enrich and Summarise handlers chain it but without
 * S3 between them: parse → validate → derive outcomes → enrich → aggregate. Valid records are
 * handed on in small batches, so nothing holds the file; what the intake keeps is the row-level
 * report (errors and warnings), as the Validate handler does.
 */

export interface CoreInput {
  readonly file: string;
  readonly trust: string;
  readonly period: string;
}

export interface CoreResult {
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly cells: number;
  /** Reference data load (postcode and IMD lookups), inside `seconds`. */
  readonly referenceSeconds: number;
  /** Reference load + reading, validating, enriching and aggregating the whole file. */
  readonly seconds: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly figures: QuintileFigure[];
}

/** Valid records are enriched and summed in batches of this many. */
const BATCH_ROWS = 4096;

const input = childInput<CoreInput>();
const config = benchConfig();
const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
const reference = await loadReferenceData({ edition: config.rules.imdEdition });
const referenceSeconds = seconds(started);

const accumulator = createAccumulator('bench', input.period);
const table = await openTable({ stream: createReadStream(input.file), fileName: input.file });
const context = { submittingTrust: input.trust, period: input.period };
const summary = await runIntake(
  table.rows,
  (row) => validateRow(row.cells, table.header.columns, row.row, context),
  async (_index, records) => {
    for (const record of records) {
      const derived = deriveRecord(record, input.trust, config.rules);
      const { enriched, warnings } = enrichRecord(record, derived, reference, config);
      for (const code of warnings) accumulator.addWarning(code);
      if (derived.exception) accumulator.addWarning(derived.exception.code);
      accumulator.add(enriched);
    }
  },
  { rules: config.rules, chunkRows: BATCH_ROWS },
);
const partial = accumulator.result();
const elapsed = seconds(started);

const result: CoreResult = {
  rows: summary.total,
  valid: summary.valid,
  invalid: summary.invalid,
  cells: Object.keys(partial.cells).length,
  referenceSeconds,
  seconds: elapsed,
  baselineRssMiB,
  peakRssMiB: peakRssMiB(),
  figures: quintileFigures(partial),
};
reportResult(result);
