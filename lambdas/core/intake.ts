import type { Rules } from './config';
import { QualityAccumulator, type QualityCounts } from './quality';
import type { PathwayRecord } from './record';
import type { ColumnIndex, RecordIssue } from './validate';

/**
 * Intake of one file: every data row is validated, valid records go to chunk sinks, problems go
 * to the report, and at the end the file is accepted or rejected whole. Pure: rows come in as an
 * async iterable and chunks go out through a port, so the same code runs in the Lambda, the
 * local runtime and the tests.
 */

export interface DataRow {
  readonly row: number;
  readonly cells: readonly string[];
}

export type RowValidator = (row: DataRow) =>
  | { ok: true; record: PathwayRecord; warnings: readonly RecordIssue[] }
  | {
      ok: false;
      pathwayId: string | null;
      errors: readonly RecordIssue[];
      warnings: readonly RecordIssue[];
    };

/** Where valid records go: one call per finished chunk, in order. */
export type ChunkSink = (index: number, records: readonly PathwayRecord[]) => Promise<void>;

export interface IntakeSummary {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly chunkCount: number;
  readonly errors: readonly RecordIssue[];
  readonly warnings: readonly RecordIssue[];
  readonly rejection: Rejection | null;
  /**
   * Data-quality counts over every row read (valid and invalid), for the scorecard; null when
   * the caller did not give the file's column positions.
   */
  readonly quality: QualityCounts | null;
}

export interface Rejection {
  readonly code: string;
  readonly message: string;
}

export async function runIntake(
  rows: AsyncIterable<DataRow>,
  validate: RowValidator,
  sink: ChunkSink,
  options: {
    rules: Rules;
    chunkRows: number;
    /** The file's column positions: given, the data-quality counts are kept as rows go by. */
    columns?: ColumnIndex;
  },
): Promise<IntakeSummary> {
  const errors: RecordIssue[] = [];
  const warnings: RecordIssue[] = [];
  let pending: PathwayRecord[] = [];
  let chunkCount = 0;
  let total = 0;
  let valid = 0;
  // Quality is about what the trust sent, so invalid rows are counted too.
  const quality = options.columns
    ? new QualityAccumulator(options.columns, options.rules.quality)
    : null;

  for await (const row of rows) {
    total += 1;
    const result = validate(row);
    if (result.warnings.length > 0) warnings.push(...result.warnings);
    if (!result.ok) {
      quality?.add(row.cells, result.errors, result.warnings);
      errors.push(...result.errors);
      continue;
    }
    quality?.add(row.cells, undefined, result.warnings);
    valid += 1;
    pending.push(result.record);
    if (pending.length >= options.chunkRows) {
      await sink(chunkCount, pending);
      chunkCount += 1;
      pending = [];
    }
  }
  if (pending.length > 0 || chunkCount === 0) {
    await sink(chunkCount, pending);
    chunkCount += 1;
  }

  const invalid = total - valid;
  return {
    total,
    valid,
    invalid,
    chunkCount,
    errors,
    warnings,
    rejection: rejectionFor(total, invalid, options.rules),
    quality: quality?.counts() ?? null,
  };
}

/** The whole-file rules: a file with no records, or too large a share of invalid ones, is rejected. */
export function rejectionFor(total: number, invalid: number, rules: Rules): Rejection | null {
  if (total === 0) {
    return { code: 'FILE_NO_RECORDS', message: 'The file has a header but no data rows.' };
  }
  if (invalid / total > rules.rejectInvalidShare) {
    const share = Math.round((invalid / total) * 1000) / 10;
    return {
      code: 'TOO_MANY_INVALID_RECORDS',
      message: `${invalid} of ${total} records (${share}%) are invalid; more than ${rules.rejectInvalidShare * 100}% rejects the whole file. Fix the errors listed in the report and upload again.`,
    };
  }
  return null;
}
