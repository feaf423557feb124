import {
  type ColumnMapping,
  type ResolvedIntake,
  type Rules,
  resolveIntake,
  type TrustIntake,
} from './config';
import type { DateFormat } from './dates';
import { type ChunkSink, type IntakeSummary, type Rejection, runIntake } from './intake';
import { fileTooLarge, ParseError } from './parse/errors';
import { openTable, type TableSource } from './parse/table';
import { type ReportIssue, type SubmissionReport, summariseIssues, toReportIssues } from './report';
import { hintFor, validateRow } from './validate';

/**
 * The file check shared by the Validate step and the dry run (POST /validate): the upload key,
 * the file's structure, then every record, ending in the report a trust acts on. Pure: bytes or
 * a stream in, valid records out through a sink, so the dry run runs exactly what a real
 * submission would.
 */

export interface FileSubmission {
  readonly submissionId: string;
  readonly trust: string;
  readonly dataset: string;
  readonly period: string;
  readonly fileName: string;
  /** Why the upload key is unusable (from Register), or null. */
  readonly keyProblem: string | null;
  /** The object's size in bytes when known (S3 says it): an oversized file is never read. */
  readonly size?: number;
}

export interface FileCheckOptions {
  readonly rules: Rules;
  /** The alliance's trusts, with each one's intake settings (mapping, date formats, sheet). */
  readonly trusts: ReadonlyArray<{ ods: string; intake?: TrustIntake | undefined }>;
  /** The named column mappings trusts refer to. @default - none */
  readonly columnMappings?: Readonly<Record<string, ColumnMapping>> | undefined;
  /** Valid records per sink call. */
  readonly chunkRows: number;
  /** Where valid records go; the dry run discards them. */
  readonly sink: ChunkSink;
  readonly now?: () => Date;
}

export interface FileCheck {
  readonly report: SubmissionReport;
  /** The intake's figures; null when the file was rejected before its records were read. */
  readonly summary: IntakeSummary | null;
  readonly rejection: Rejection | null;
}

export async function checkFile(
  submission: FileSubmission,
  source: () => Promise<TableSource>,
  options: FileCheckOptions,
): Promise<FileCheck> {
  const intake = resolveIntake(submission.trust, options);
  const configured = {
    mapping: intake.mapping ? { id: intake.mapping.id, name: intake.mapping.name } : null,
    dateFormats: intake.dateFormats,
  };
  let fileInfo: SubmissionReport['file'] = {
    format: null,
    encoding: null,
    unknownColumns: [],
    sheet: null,
    ...configured,
    mappedColumns: [],
  };
  let summary: IntakeSummary | null = null;
  let rejection: (Rejection & { hint?: string }) | null =
    keyRejection(submission, options.trusts) ?? sizeRejection(submission, intake);

  if (!rejection) {
    try {
      const table = await openTable(await source(), tableOptions(intake));
      // XLSX date cells arrive as ISO text whatever the trust's own layout, so ISO is read too
      const dateFormats: readonly DateFormat[] =
        table.format === 'xlsx' && !intake.dateFormats.includes('YYYY-MM-DD')
          ? [...intake.dateFormats, 'YYYY-MM-DD']
          : intake.dateFormats;
      fileInfo = {
        format: table.format,
        encoding: table.encoding ?? null,
        unknownColumns: table.header.unknown,
        sheet: table.xlsx?.sheetName ?? null,
        ...configured,
        mappedColumns: table.header.aliased,
        dateFormats,
      };
      if (table.header.missingRequired.length > 0) {
        await table.rows.return(undefined);
        rejection = {
          code: 'HEADER_MISSING_REQUIRED',
          message: `Required columns are missing: ${table.header.missingRequired.join(', ')}.`,
        };
      } else {
        const context = {
          submittingTrust: submission.trust,
          period: submission.period,
          dateFormats,
        };
        summary = await runIntake(
          table.rows,
          (row) => validateRow(row.cells, table.header.columns, row.row, context),
          options.sink,
          {
            rules: options.rules,
            chunkRows: options.chunkRows,
            // data-quality counts for the scorecard (GET /quality)
            columns: table.header.columns,
          },
        );
        rejection = summary.rejection;
      }
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      rejection = { code: error.code, message: error.message, hint: error.hint };
    }
  }

  const issues: ReportIssue[] = [
    ...toReportIssues(summary?.errors ?? [], 'error', hintFor),
    ...toReportIssues(summary?.warnings ?? [], 'warning', hintFor),
    ...fileInfo.unknownColumns.map((column) => ({
      row: 1,
      pathwayId: null,
      severity: 'warning' as const,
      code: 'COLUMN_UNKNOWN',
      field: null,
      message: `Column "${column}" is not part of the upload contract and was ignored.`,
      hint: hintFor('COLUMN_UNKNOWN'),
    })),
  ].sort((a, b) => a.row - b.row);
  const report: SubmissionReport = {
    submissionId: submission.submissionId,
    trust: submission.trust,
    dataset: submission.dataset,
    period: submission.period,
    fileName: submission.fileName,
    status: rejection ? 'REJECTED' : 'ACCEPTED',
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    file: fileInfo,
    counts: {
      total: summary?.total ?? 0,
      valid: summary?.valid ?? 0,
      invalid: summary?.invalid ?? 0,
    },
    rejection: rejection
      ? {
          code: rejection.code,
          message: rejection.message,
          hint: rejection.hint ?? hintFor(rejection.code),
        }
      : null,
    summary: summariseIssues(issues),
    issues,
  };
  return { report, summary, rejection };
}

/** A file whose known size is over the limit is refused before a byte of it is read. */
function sizeRejection(
  submission: { size?: number },
  intake: ResolvedIntake,
): (Rejection & { hint: string }) | null {
  const max = intake.limits.maxFileBytes;
  if (submission.size === undefined || submission.size <= max) return null;
  const error = fileTooLarge(submission.size, max);
  return { code: error.code, message: error.message, hint: error.hint };
}

/** The reader settings for one trust's file. */
function tableOptions(intake: ResolvedIntake) {
  const { limits } = intake;
  return {
    ...(intake.mapping ? { aliases: intake.mapping.columns } : {}),
    ...(intake.sheet !== null ? { sheetName: intake.sheet } : {}),
    maxFileBytes: limits.maxFileBytes,
    maxXlsxBytes: limits.maxXlsxBytes,
    maxRows: limits.maxRows,
    maxCellBytes: limits.maxCellBytes,
    maxColumns: limits.maxColumns,
    maxEntryBytes: limits.maxXlsxPartBytes,
    maxCompressionRatio: limits.maxXlsxCompressionRatio,
  };
}

function keyRejection(
  submission: { keyProblem: string | null; trust: string },
  trusts: ReadonlyArray<{ ods: string }>,
): Rejection | null {
  if (submission.keyProblem) {
    return {
      code: 'UPLOAD_KEY_INVALID',
      message: submission.keyProblem,
    };
  }
  if (!trusts.some((trust) => trust.ods === submission.trust)) {
    return {
      code: 'TRUST_UNKNOWN',
      message: `${submission.trust} is not a trust of this alliance.`,
    };
  }
  return null;
}
