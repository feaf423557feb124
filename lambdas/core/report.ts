import type { RecordException } from './enriched';
import { type RecordIssue, reportablePathwayId } from './validate';

/**
 * The submission report a trust acts on: what was read, what was wrong with which row, and how
 * to fix it. Written as JSON (for the API) and CSV (for the trust's data team). A cell's value is
 * echoed only for non-identifier fields (validate.ts reportableValue), so a report cannot leak an
 * NHS number, postcode or date of birth.
 */

export interface ReportIssue {
  readonly row: number;
  readonly pathwayId: string | null;
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly field: string | null;
  readonly message: string;
  readonly hint: string;
  /** The offending value, when it is safe to show (never for identifiers). */
  readonly value?: string | null;
}

export interface SubmissionReport {
  readonly submissionId: string;
  readonly trust: string;
  readonly dataset: string;
  readonly period: string;
  readonly fileName: string;
  readonly status: 'ACCEPTED' | 'REJECTED';
  readonly generatedAt: string;
  readonly file: {
    readonly format: string | null;
    readonly encoding: string | null;
    readonly unknownColumns: readonly string[];
    /** XLSX only: the sheet read. */
    readonly sheet?: string | null;
    /** The trust's named column mapping, or null when only contract names were accepted. */
    readonly mapping?: { readonly id: string; readonly name: string } | null;
    /** Export headers the mapping recognised (header names, never cell values). */
    readonly mappedColumns?: ReadonlyArray<{ readonly header: string; readonly column: string }>;
    /** Date layouts accepted for this file, in the order they were tried. */
    readonly dateFormats?: readonly string[];
  };
  readonly counts: { readonly total: number; readonly valid: number; readonly invalid: number };
  readonly rejection: {
    readonly code: string;
    readonly message: string;
    readonly hint: string;
  } | null;
  readonly summary: ReadonlyArray<{ code: string; severity: 'error' | 'warning'; count: number }>;
  readonly issues: readonly ReportIssue[];
}

export function toReportIssues(
  issues: readonly RecordIssue[],
  severity: 'error' | 'warning',
  hintFor: (code: string) => string,
): ReportIssue[] {
  return issues.map((issue) => ({
    row: issue.row,
    pathwayId: issue.pathwayId,
    severity,
    code: issue.code,
    field: issue.field,
    message: issue.message,
    hint: hintFor(issue.code),
    value: issue.value ?? null,
  }));
}

/** Counts per code and severity, most frequent first: the first thing a data manager reads. */
export function summariseIssues(issues: readonly ReportIssue[]): SubmissionReport['summary'] {
  const counts = new Map<string, { code: string; severity: 'error' | 'warning'; count: number }>();
  for (const issue of issues) {
    const key = `${issue.severity}|${issue.code}`;
    const entry = counts.get(key) ?? { code: issue.code, severity: issue.severity, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort(
    (a, b) =>
      b.count - a.count || a.code.localeCompare(b.code) || a.severity.localeCompare(b.severity),
  );
}

/**
 * The report with record-level exceptions found after validation (e.g. at enrichment) added as
 * warnings. Issues with any of `replacing` codes are dropped first, so adding the same
 * exceptions again (a retried step) leaves the report unchanged.
 */
export function withRecordExceptions(
  report: SubmissionReport,
  exceptions: readonly RecordException[],
  replacing: ReadonlySet<string>,
  hintFor: (code: string) => string,
): SubmissionReport {
  const added: ReportIssue[] = exceptions.map((exception) => ({
    row: exception.row,
    // enrichment exceptions carry the record's own pathway id, which may be an NHS number
    pathwayId: exception.pathwayId === null ? null : reportablePathwayId(exception.pathwayId),
    severity: 'warning',
    code: exception.code,
    field: exception.field,
    message: exception.message,
    hint: hintFor(exception.code),
  }));
  const issues = [...report.issues.filter((issue) => !replacing.has(issue.code)), ...added].sort(
    (a, b) => a.row - b.row,
  );
  return { ...report, summary: summariseIssues(issues), issues };
}

const CSV_HEADER = ['row', 'pathway_id', 'severity', 'code', 'field', 'value', 'message', 'hint'];

/** The report's issues as CSV, safe to open in Excel (no formula injection). */
export function reportToCsv(report: SubmissionReport): string {
  const lines = [CSV_HEADER.join(',')];
  if (report.rejection) {
    lines.push(
      csvLine([
        '',
        '',
        'error',
        report.rejection.code,
        '',
        '',
        report.rejection.message,
        report.rejection.hint,
      ]),
    );
  }
  for (const issue of report.issues) {
    lines.push(
      csvLine([
        String(issue.row),
        issue.pathwayId ?? '',
        issue.severity,
        issue.code,
        issue.field ?? '',
        issue.value ?? '',
        issue.message,
        issue.hint,
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function csvLine(values: readonly string[]): string {
  return values.map(csvCell).join(',');
}

/**
 * One CSV cell: quoted when needed, and a value that a spreadsheet would read as a formula
 * (leading =, +, -, @, tab or carriage return) is prefixed with an apostrophe.
 */
export function csvCell(value: string): string {
  const neutralised = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralised) ? `"${neutralised.replaceAll('"', '""')}"` : neutralised;
}
