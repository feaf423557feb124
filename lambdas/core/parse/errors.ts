/**
 * Why an uploaded file could not be read. Codes are stable: validation reports, alerts and tests
 * key on them, so rename one only together with its consumers.
 */
export const PARSE_ERROR_CODES = [
  'FILE_EMPTY',
  'FILE_BINARY',
  'FILE_FORMAT_UNSUPPORTED',
  'FILE_ENCODING_UNSUPPORTED',
  'CSV_UNTERMINATED_QUOTE',
  'CELL_TOO_LONG',
  'TOO_MANY_COLUMNS',
  'XLSX_UNREADABLE',
  'XLSX_ZIP_BOMB',
  'XLSX_SHEET_NOT_FOUND',
  'HEADER_MISSING_REQUIRED',
] as const;
export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

export interface ParseErrorOptions {
  /** What the trust should do about it, in words a data manager can act on. */
  readonly hint: string;
  /** Spreadsheet-style row number (the header is row 1) when the problem is in one row. */
  readonly row?: number;
  /** Physical line (CSV only) where that row starts; differs from `row` after quoted newlines. */
  readonly line?: number;
}

/**
 * A file the trust must fix and upload again. Messages carry positions and sizes only, never
 * cell contents: they end up in logs and alerts, which must not hold patient identifiers.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly code: ParseErrorCode;
  readonly hint: string;
  readonly row?: number;
  readonly line?: number;

  constructor(code: ParseErrorCode, message: string, options: ParseErrorOptions) {
    super(message);
    this.code = code;
    this.hint = options.hint;
    if (options.row !== undefined) this.row = options.row;
    if (options.line !== undefined) this.line = options.line;
  }
}
