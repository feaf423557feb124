/**
 * Why an uploaded file could not be read. Codes are stable: validation reports, alerts and tests
 * key on them, so rename one only together with its consumers.
 */
export const PARSE_ERROR_CODES = [
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'FILE_BINARY',
  'FILE_FORMAT_UNSUPPORTED',
  'FILE_ENCODING_UNSUPPORTED',
  'CSV_UNTERMINATED_QUOTE',
  'TOO_MANY_ROWS',
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

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `1073741824` → `1 GiB`, `2049` → `2 KiB`: sizes a data manager can compare with a file list. */
export function readableSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value * 10) / 10} ${UNITS[unit]}`;
}

/**
 * A file over the configured size. `size` may be a lower bound (a stream stopped as soon as it
 * passed the limit), so the message says "at least".
 */
export function fileTooLarge(
  size: number,
  maxBytes: number,
  what: 'file' | 'workbook' = 'file',
): ParseError {
  const workbook = what === 'workbook';
  return new ParseError(
    'FILE_TOO_LARGE',
    `The ${what} is at least ${size} bytes (${readableSize(size)}); the limit is ${maxBytes} bytes (${readableSize(maxBytes)})`,
    {
      hint: workbook
        ? `Workbooks over ${readableSize(maxBytes)} cannot be read: save the sheet as CSV UTF-8 (comma delimited), which has a higher limit, and upload that.`
        : `Uploads may be at most ${readableSize(maxBytes)}. Check the extract covers one month of one trust; if it does, ask the alliance to raise the limit.`,
    },
  );
}

/** A file with more data rows than configured; `row` is the first row over the limit. */
export function tooManyRows(maxRows: number, row: number): ParseError {
  return new ParseError(
    'TOO_MANY_ROWS',
    `The file has more than ${maxRows} data rows (row ${row} is over the limit)`,
    {
      hint: `A file may hold at most ${maxRows} pathway rows. Check the extract is filtered to your trust and the upload month (not the whole history); if it is, ask the alliance to raise the limit.`,
      row,
    },
  );
}
